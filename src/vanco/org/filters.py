import django_filters
from django.utils.translation import gettext_lazy as _

from vanco.org.enums import LocalityKind
from vanco.org.models import Department, Locality


class ActiveFilter(django_filters.ChoiceFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("1", _("Active")), ("0", _("Deactivated"))])
        kwargs.setdefault("label", _("Status"))
        kwargs.setdefault("empty_label", _("All"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in ("1", "0"):
            return qs.filter(is_active=value == "1")
        return qs


class LocalityFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=LocalityKind.choices, label=_("Kind"), empty_label=_("All kinds")
    )
    within = django_filters.ModelChoiceFilter(
        queryset=Locality.objects.none(),
        label=_("Within"),
        method="filter_within",
        empty_label=_("Whole city"),
    )
    active = ActiveFilter()

    class Meta:
        model = Locality
        fields = ["kind"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["within"].queryset = Locality.objects.visible_to(request.user).exclude(
            kind=LocalityKind.COMMUNE
        )

    def filter_within(self, queryset, name, value):
        return queryset.filter(path__startswith=value.path) if value else queryset


class DepartmentFilter(django_filters.FilterSet):
    active = ActiveFilter()

    class Meta:
        model = Department
        fields = []
