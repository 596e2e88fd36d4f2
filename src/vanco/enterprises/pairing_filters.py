"""Filters of the pairing and visit lists (the pages, their exports and the API)."""

import django_filters
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vanco.enterprises.enums import VisitForm, VisitFrequency
from vanco.enterprises.models import Enterprise
from vanco.enterprises.pairings import behind_q, officials_for_pairing
from vanco.org.models import Locality

OPEN = "open"
ENDED = "ended"


def _within(queryset, value, prefix: str):
    return queryset.filter(**{f"{prefix}__path__startswith": value.path}) if value else queryset


class _ScopedFilter(django_filters.FilterSet):
    enterprise = django_filters.ModelChoiceFilter(
        queryset=Enterprise.objects.none(),
        label=_("Enterprise"),
        widget=django_filters.widgets.forms.NumberInput,
    )
    official = django_filters.ModelChoiceFilter(
        queryset=get_user_model().objects.none(),
        label=_("Official"),
        method="filter_official",
        empty_label=_("All"),
    )
    locality = django_filters.ModelChoiceFilter(
        queryset=Locality.objects.none(),
        label=_("Locality"),
        method="filter_within",
        empty_label=_("Whole city"),
    )

    def __init__(self, data=None, *args, request=None, user=None, **kwargs):
        super().__init__(data, *args, request=request, **kwargs)
        user = user if user is not None else request.user
        self.filters["locality"].queryset = Locality.objects.visible_to(user).order_by("path")
        self.filters["enterprise"].queryset = Enterprise.objects.visible_to(user)
        self.filters["official"].queryset = officials_for_pairing(user)
        # Only the chosen official is rendered; others are found as the user types.
        from vanco.enterprises.pairing_forms import searchable_officials

        searchable_officials(self.form, "official")

    def filter_within(self, queryset, name, value):
        """The locality and every sub-locality under it."""
        return _within(queryset, value, "enterprise__locality")


class PairingFilter(_ScopedFilter):
    frequency = django_filters.ChoiceFilter(
        choices=VisitFrequency.choices, label=_("Visit frequency"), empty_label=_("All")
    )
    state = django_filters.ChoiceFilter(
        choices=[
            (OPEN, pgettext_lazy("pairing state", "Open")),
            (ENDED, pgettext_lazy("pairing state", "Ended")),
        ],
        label=_("State"),
        method="filter_state",
        empty_label=_("All"),
    )
    behind = django_filters.ChoiceFilter(
        choices=[
            ("true", pgettext_lazy("visits", "Behind on visits")),
            ("false", pgettext_lazy("visits", "On time")),
        ],
        label=_("Behind on visits"),
        method="filter_behind",
        empty_label=_("All"),
    )

    def filter_official(self, queryset, name, value):
        return queryset.filter(official=value) if value else queryset

    def filter_state(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(ends_on__isnull=True)
        if value == ENDED:
            return queryset.filter(ends_on__isnull=False)
        return queryset

    def filter_behind(self, queryset, name, value):
        if value not in ("true", "false"):
            return queryset
        late = behind_q(timezone.localdate())
        return queryset.filter(late) if value == "true" else queryset.exclude(late)


class VisitFilter(_ScopedFilter):
    form = django_filters.ChoiceFilter(
        choices=VisitForm.choices, label=_("Form of the visit"), empty_label=_("All")
    )
    visited_from = django_filters.DateFilter(
        field_name="visited_on",
        lookup_expr="gte",
        label=_("From"),
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )
    visited_to = django_filters.DateFilter(
        field_name="visited_on",
        lookup_expr="lte",
        label=_("To"),
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )

    def filter_official(self, queryset, name, value):
        return queryset.filter(officials=value) if value else queryset
