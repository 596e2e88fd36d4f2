import django_filters
from django.utils.translation import gettext_lazy as _

from vanco.industries.enums import ChainSegment
from vanco.industries.models import ChainNode, Industry
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
