import django_filters
from django.utils.translation import gettext_lazy as _

from vanco.enterprises.enums import EnterpriseSize, EnterpriseStatus, Ownership
from vanco.enterprises.models import Enterprise
from vanco.industries.models import Industry
from vanco.org.models import Locality


class EnterpriseFilter(django_filters.FilterSet):
    """One filter set for the list page, its export, the API and `vanco export enterprises`."""

    status = django_filters.ChoiceFilter(
        choices=EnterpriseStatus.choices, label=_("Status"), empty_label=_("All statuses")
    )
    locality = django_filters.ModelChoiceFilter(
        queryset=Locality.objects.none(),
        label=_("Locality"),
        method="filter_within",
        empty_label=_("Whole city"),
    )
    industry = django_filters.ModelChoiceFilter(
        queryset=Industry.objects.none(), label=_("Leading industry"), empty_label=_("All")
    )
    ownership = django_filters.ChoiceFilter(
        choices=Ownership.choices, label=_("Ownership"), empty_label=_("All")
    )
    country = django_filters.CharFilter(label=_("Country"), method="filter_country", max_length=2)
    size = django_filters.ChoiceFilter(
        choices=EnterpriseSize.choices, label=_("Size"), empty_label=_("All sizes")
    )

    class Meta:
        model = Enterprise
        fields = ["status", "industry", "ownership", "size"]

    def __init__(self, data=None, *args, request=None, user=None, **kwargs):
        super().__init__(data, *args, request=request, **kwargs)
        user = user if user is not None else request.user
        self.filters["locality"].queryset = Locality.objects.visible_to(user).order_by("path")
        self.filters["industry"].queryset = Industry.objects.visible_to(user)

    def filter_within(self, queryset, name, value):
        """The locality and every sub-locality under it."""
        return queryset.filter(locality__path__startswith=value.path) if value else queryset

    def filter_country(self, queryset, name, value):
        return queryset.filter(country=value.strip().upper()) if value else queryset
