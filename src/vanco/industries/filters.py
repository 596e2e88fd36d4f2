import django_filters
from django.utils.translation import gettext_lazy as _

from vanco.industries.enums import OPEN_PROSPECT_STATUSES, ChainSegment, ProspectStatus
from vanco.industries.models import ChainNode, Industry, Prospect
from vanco.org.filters import ActiveFilter


class IndustryFilter(django_filters.FilterSet):
    active = ActiveFilter()

    class Meta:
        model = Industry
        fields = []


class ChainNodeFilter(django_filters.FilterSet):
    industry = django_filters.ModelChoiceFilter(
        queryset=Industry.objects.none(), label=_("Leading industry"), empty_label=_("All")
    )
    segment = django_filters.ChoiceFilter(
        choices=ChainSegment.choices, label=_("Segment"), empty_label=_("All")
    )
    is_key = django_filters.BooleanFilter(label=_("Key node"))
    active = ActiveFilter()

    class Meta:
        model = ChainNode
        fields = ["industry", "segment", "is_key"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["industry"].queryset = Industry.objects.visible_to(request.user)


class ProspectFilter(django_filters.FilterSet):
    industry = django_filters.ModelChoiceFilter(
        queryset=Industry.objects.none(), label=_("Leading industry"), empty_label=_("All")
    )
    node = django_filters.ModelChoiceFilter(
        queryset=ChainNode.objects.none(), label=_("Chain node"), empty_label=_("All")
    )
    status = django_filters.ChoiceFilter(
        choices=ProspectStatus.choices, label=_("Status"), empty_label=_("All")
    )
    open = django_filters.BooleanFilter(label=_("Still open"), method="filter_open")
    owner = django_filters.ModelChoiceFilter(
        queryset=ChainNode.objects.none(), label=_("Official in charge"), empty_label=_("All")
    )

    class Meta:
        model = Prospect
        fields = ["industry", "node", "status", "owner"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        from vanco.industries.forms import owner_choices

        user = request.user
        self.filters["industry"].queryset = Industry.objects.visible_to(user)
        nodes = ChainNode.objects.visible_to(user).select_related("industry")
        industry = (self.data or {}).get("industry", "")
        if str(industry).isdigit():
            nodes = nodes.filter(industry_id=int(industry))
        self.filters["node"].queryset = nodes.order_by("industry__sort_order", "path")
        self.filters["owner"].queryset = owner_choices(user)

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(status__in=OPEN_PROSPECT_STATUSES)
        return queryset.exclude(status__in=OPEN_PROSPECT_STATUSES)
