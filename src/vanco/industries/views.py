from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from vanco.core.tables import Column, display
from vanco.core.views import DetailPage, FormPage, ListPage, ToggleActiveView
from vanco.industries.enums import ChainSegment
from vanco.industries.filters import ChainNodeFilter, IndustryFilter
from vanco.industries.forms import ChainNodeForm, IndustryForm
from vanco.industries.models import ChainNode, Industry

MAX_NODES_ON_PAGE = 500


class IndustryList(ListPage):
    model = Industry
    title = _("Leading industries")
    filterset_class = IndustryFilter
    default_sort = "sort_order"
    create_url_name = "industries:industry-create"
    create_action = "industries.manage"
    export_name = "industries"
    empty_message = _("No leading industry yet. A coordinator adds the city's leading industries.")
    columns = [
        Column("code", _("Code"), sort="code"),
        Column("name", _("Name"), sort="name", link=True),
        Column("node_count", _("Chain nodes"), sort="node_count", numeric=True),
        Column("key_count", _("Key nodes"), sort="key_count", numeric=True),
        Column("is_active", _("Active"), sort="is_active"),
    ]

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .annotate(
                node_count=Count("chain_nodes", filter=Q(chain_nodes__is_active=True)),
                key_count=Count(
                    "chain_nodes", filter=Q(chain_nodes__is_active=True, chain_nodes__is_key=True)
                ),
            )
        )


class IndustryDetail(DetailPage):
    model = Industry
    template_name = "industries/industry_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        nodes = ChainNode.objects.visible_to(self.request.user).filter(industry=context["object"])
        listed = list(nodes.order_by("path")[:MAX_NODES_ON_PAGE])
        context["segments"] = [
            (segment, [node for node in listed if node.segment == segment])
            for segment in ChainSegment
        ]
        context["node_total"] = nodes.count()
        context["nodes_truncated"] = context["node_total"] > len(listed)
        return context


class IndustryFormPage(FormPage):
    model = Industry
    form_class = IndustryForm
    action = "industries.manage"
    title = _("New leading industry")


class IndustryToggle(ToggleActiveView):
    model = Industry
    action = "industries.manage"


class ChainNodeList(ListPage):
    model = ChainNode
    title = _("Chain nodes")
    filterset_class = ChainNodeFilter
    select_related = ("industry", "parent")
    default_sort = "path"
    create_url_name = "industries:node-create"
    create_action = "industries.manage"
    export_name = "chain-nodes"
    empty_message = _("No chain node matches these filters.")
    columns = [
        Column("industry", _("Leading industry"), sort="industry__sort_order"),
        Column("code", _("Code"), sort="code"),
        Column("name", _("Name"), sort="name", link=True, tree=True),
        Column("segment", _("Segment"), value=lambda o: display(o, "segment"), sort="segment"),
        Column("parent", _("Parent node"), sort="parent__name"),
        Column("is_key", _("Key node"), sort="is_key"),
        Column("is_active", _("Active"), sort="is_active"),
    ]


class ChainNodeDetail(DetailPage):
    model = ChainNode
    template_name = "industries/node_detail.html"
    select_related = ("industry", "parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        children = ChainNode.objects.visible_to(self.request.user).filter(parent=context["object"])
        context["children"] = children.order_by("sort_order", "name")[:200]
        return context


class ChainNodeFormPage(FormPage):
    model = ChainNode
    form_class = ChainNodeForm
    action = "industries.manage"
    title = _("New chain node")

    def get_form(self, obj, data=None):
        initial = {}
        if obj is None:
            for key in ("industry", "parent"):
                value = self.request.GET.get(key, "")
                if value.isdigit():
                    initial[key] = int(value)
            if "parent" in initial and "industry" not in initial:
                parent = ChainNode.objects.visible_to(self.request.user).filter(
                    pk=initial["parent"]
                )
                initial["industry"] = parent.values_list("industry_id", flat=True).first()
        return self.form_class(data=data, instance=obj, user=self.request.user, initial=initial)


class ChainNodeToggle(ToggleActiveView):
    model = ChainNode
    action = "industries.manage"
