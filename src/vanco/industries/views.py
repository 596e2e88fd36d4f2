from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vanco.core import access
from vanco.core.tables import Column, display
from vanco.core.views import DetailPage, FormPage, ListPage, ToggleActiveView
from vanco.enterprises.models import Enterprise
from vanco.industries import queries
from vanco.industries.enums import OPEN_PROSPECT_STATUSES, ChainSegment
from vanco.industries.filters import ChainNodeFilter, IndustryFilter
from vanco.industries.forms import ChainNodeForm, IndustryForm
from vanco.industries.models import ChainNode, Industry, Prospect
from vanco.projects.models import Project

MAX_NODES_ON_PAGE = 500
NODE_PAGE_SIZE = 20

#: Colours of the chain map (with a symbol and a word each: never colour alone).
COVERED_COLOUR = "#2e7d32"
GAP_COLOUR = "#e0a100"
KEY_GAP_COLOUR = "#c62828"
SEGMENT_COLOUR = "#5c6bc0"


class LinkText(str):
    """A cell that is a link on the page and plain text in the Excel export."""

    url = ""

    def __new__(cls, text, url):
        obj = super().__new__(cls, text)
        obj.url = url
        return obj

    def __html__(self):
        return format_html('<a href="{}">{}</a>', self.url, str(self))


def _money(value):
    return None if value is None else float(value)


def _chief_name(industry):
    chief = industry.chief
    return (chief.get_full_name() or chief.username) if chief else None


class IndustryList(ListPage):
    model = Industry
    title = _("Leading industries")
    filterset_class = IndustryFilter
    default_sort = "sort_order"
    create_url_name = "industries:industry-create"
    create_action = "industries.manage"
    export_name = "industries"
    empty_message = _("No leading industry yet. A coordinator adds the city's leading industries.")
    select_related = ("chief",)
    columns = [
        Column("code", _("Code"), sort="code"),
        Column("name", _("Name"), sort="name", link=True),
        Column("chief", _("Chain chief"), value=_chief_name, sort="chief__full_name"),
        Column("node_count", _("Chain nodes"), sort="node_count", numeric=True),
        Column("key_count", _("Key nodes"), sort="key_count", numeric=True),
        Column(
            "signed_total",
            _("Signed amount"),
            value=lambda o: _money(o.signed_total),
            sort="signed_total",
            numeric=True,
        ),
        Column(
            "funds_total",
            _("Funds in place"),
            value=lambda o: _money(o.funds_total),
            sort="funds_total",
            numeric=True,
        ),
        Column("open_obstacles", _("Open obstacles"), sort="open_obstacles", numeric=True),
        Column("is_active", _("Active"), sort="is_active"),
    ]

    #: on the page only: a link is no figure for the Excel export
    map_column = Column(
        "map",
        _("Chain map"),
        value=lambda o: LinkText(
            gettext("Chain map"), reverse("industries:chain-map", args=[o.pk])
        ),
    )

    def get_columns(self) -> list:
        return [*self.columns[:-1], self.map_column, self.columns[-1]]

    def base_queryset(self):
        return queries.with_chain_figures(super().base_queryset(), self.request.user).annotate(
            node_count=Count("chain_nodes", filter=Q(chain_nodes__is_active=True)),
            key_count=Count(
                "chain_nodes", filter=Q(chain_nodes__is_active=True, chain_nodes__is_key=True)
            ),
        )


class IndustryDetail(DetailPage):
    model = Industry
    template_name = "industries/industry_detail.html"
    select_related = ("chief",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figures"] = _chain_figures(self.request.user, context["object"])
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
        user = self.request.user
        node = context["object"]
        children = ChainNode.objects.visible_to(user).filter(parent=node)
        context["children"] = children.order_by("sort_order", "name")[:200]
        enterprises = (
            Enterprise.objects.visible_to(user)
            .filter(
                pk__in=Enterprise.chain_nodes.through.objects.filter(chainnode=node).values(
                    "enterprise_id"
                )
            )
            .select_related("locality")
            .order_by("status", "name", "pk")
        )
        projects = (
            Project.objects.visible_to(user)
            .filter(chain_node=node)
            .select_related("investor", "locality")
            .order_by("-created_at", "pk")
        )
        context["enterprise_page"] = Paginator(enterprises, NODE_PAGE_SIZE).get_page(
            self.request.GET.get("ep")
        )
        context["project_page"] = Paginator(projects, NODE_PAGE_SIZE).get_page(
            self.request.GET.get("pp")
        )
        context["stages"] = _node_stages(user, node)
        prospects = Prospect.objects.visible_to(user).filter(
            node=node, status__in=OPEN_PROSPECT_STATUSES
        )
        context["prospects"] = prospects.select_related("owner").order_by("-updated_at")[:10]
        context["prospect_count"] = prospects.count()
        context["can_prospect"] = access.can(user, "prospects.manage")
        context["prospects_url"] = (
            reverse("industries:prospect-list") + f"?node={node.pk}&open=true"
        )
        return context


def _node_stages(user, node) -> list[tuple]:
    counts = dict(
        Project.objects.visible_to(user)
        .filter(chain_node=node, stage__in=queries.MAP_STAGES)
        .values("stage")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("stage", "n")
    )
    base = reverse("projects:project-list") + f"?chain_node={node.pk}&stage="
    return [(stage, counts.get(stage.value, 0), base + stage.value) for stage in queries.MAP_STAGES]


def _chain_figures(user, industry) -> dict:
    row = (
        queries.with_chain_figures(Industry.objects.filter(pk=industry.pk), user)
        .values("signed_total", "funds_total", "open_obstacles")
        .first()
    )
    return row or {"signed_total": 0, "funds_total": 0, "open_obstacles": 0}


def _node_item(node, children) -> dict:
    if node.is_key_gap:
        colour, symbol, size = KEY_GAP_COLOUR, "diamond", 18
        state = gettext("Key gap")
    elif node.is_gap:
        colour, symbol, size = GAP_COLOUR, "triangle", 14
        state = gettext("Gap")
    else:
        colour, symbol, size = COVERED_COLOUR, "circle", 11
        state = gettext("Covered")
    star = "★ " if node.is_key else ""
    figures = gettext("%(enterprises)s ent. · %(projects)s proj.") % {
        "enterprises": node.enterprises,
        "projects": node.projects,
    }
    text = f"{star}{node.name} — {figures}"
    if node.is_gap:
        text = f"{text} · ⚠ {state}"
    item = {
        "name": text,
        "value": node.enterprises,
        "url": node.url,
        "symbol": symbol,
        "symbolSize": size,
        "itemStyle": {"color": colour, "borderColor": colour},
        "label": {"color": KEY_GAP_COLOUR if node.is_key_gap else None},
    }
    if not item["label"]["color"]:
        del item["label"]
    if children:
        item["children"] = children
    return item


def chain_option(industry, nodes) -> dict:
    """The ECharts tree of the chain: industry → segments → nodes, each node coloured, shaped
    and labelled by its coverage; clicking a node opens its page."""
    children_of: dict = {}
    for node in nodes:
        children_of.setdefault(node.parent_id, []).append(node)

    def build(node) -> dict:
        return _node_item(node, [build(child) for child in children_of.get(node.id, [])])

    segments = []
    for segment in ChainSegment:
        roots = [node for node in children_of.get(None, []) if node.segment == segment]
        if not roots:
            continue
        segments.append(
            {
                "name": str(segment.label),
                "symbol": "rect",
                "symbolSize": 12,
                "itemStyle": {"color": SEGMENT_COLOUR},
                "children": [build(node) for node in roots],
            }
        )
    return {
        "tooltip": {"trigger": "item", "triggerOn": "mousemove"},
        "series": [
            {
                "type": "tree",
                "data": [
                    {
                        "name": industry.name,
                        "symbol": "roundRect",
                        "symbolSize": 14,
                        "itemStyle": {"color": SEGMENT_COLOUR},
                        "children": segments,
                    }
                ],
                "top": 20,
                "bottom": 10,
                "left": 70,
                "right": "30%",
                "orient": "LR",
                "layout": "orthogonal",
                "edgeShape": "polyline",
                "initialTreeDepth": -1,
                "expandAndCollapse": False,
                "roam": True,
                # Branch labels above their node (clear of the edges), leaf labels to the right.
                "label": {"position": "top", "distance": 6, "fontSize": 12},
                # Long leaf labels end in an ellipsis inside the chart; the table below the
                # chart has them whole.
                "leaves": {
                    "label": {
                        "position": "right",
                        "align": "left",
                        "distance": 6,
                        "width": 340,
                        "overflow": "truncate",
                    }
                },
                "lineStyle": {"width": 1.2},
            }
        ],
    }


class ChainMap(DetailPage):
    """The chain of one industry as a tree: per node, operating enterprises and projects by
    stage; gaps and key gaps stand out; a table of the same figures below."""

    model = Industry
    template_name = "industries/chain_map.html"
    select_related = ("chief",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        industry = context["object"]
        user = self.request.user
        nodes = queries.chain_nodes(user, industry)
        parents = {node.parent_id for node in nodes}
        leaves = sum(1 for node in nodes if node.id not in parents)
        context.update(
            nodes=nodes,
            option=chain_option(industry, nodes),
            # One row per leaf and one per branch label above its node.
            chart_height=max(360, 24 * (leaves + len(parents) + 2)),
            figures=_chain_figures(user, industry),
            gap_count=sum(1 for node in nodes if node.is_gap),
            key_gap_count=sum(1 for node in nodes if node.is_key_gap),
            covered_count=sum(1 for node in nodes if not node.is_gap),
            prospect_count=sum(node.prospects_open for node in nodes),
            stages=queries.MAP_STAGES,
            colours={"covered": COVERED_COLOUR, "gap": GAP_COLOUR, "key_gap": KEY_GAP_COLOUR},
            can_prospect=access.can(user, "prospects.manage"),
        )
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
