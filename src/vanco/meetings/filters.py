"""Filters of the meeting and directive lists (one filter set for each page and its export)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from vanco.meetings.enums import DirectiveStatus, MeetingKind, MeetingStatus
from vanco.meetings.models import Directive, Meeting
from vanco.org.models import Department, Locality

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES, NO = "yes", "no"


#: The largest key the databases store (a bigger number would overflow SQLite or PostgreSQL).
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A row's key: a whole number from 1 to MAX_ID, else the filter is invalid (no rows)."""

    field_class = forms.IntegerField


class MeetingFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=MeetingKind.choices, label=_("Kind"), empty_label=_("All kinds")
    )
    status = django_filters.ChoiceFilter(
        choices=MeetingStatus.choices, label=_("Status"), empty_label=_("All statuses")
    )
    date_from = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__gte", label=_("From"), widget=DATE_INPUT
    )
    date_to = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__lte", label=_("To"), widget=DATE_INPUT
    )

    class Meta:
        model = Meeting
        fields: list = []


class DirectiveFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=DirectiveStatus.choices, label=_("Status"), empty_label=_("All statuses")
    )
    overdue = django_filters.ChoiceFilter(
        choices=[(YES, _("Overdue")), (NO, _("Not overdue"))],
        label=_("Overdue"),
        empty_label=_("All"),
        method="filter_overdue",
    )
    department = django_filters.ModelChoiceFilter(
        field_name="departments", queryset=Department.objects.none(), label=_("Department")
    )
    locality = django_filters.ModelChoiceFilter(
        queryset=Locality.objects.none(), label=_("Locality"), method="filter_locality"
    )
    issued_by = django_filters.ChoiceFilter(label=_("Issued by"), empty_label=_("Anyone"))
    meeting = IdFilter(
        field_name="meeting", widget=forms.HiddenInput, min_value=1, max_value=MAX_ID
    )
    due_from = django_filters.DateFilter(
        field_name="due_on", lookup_expr="gte", label=_("Due from"), widget=DATE_INPUT
    )
    due_to = django_filters.DateFilter(
        field_name="due_on", lookup_expr="lte", label=_("Due to"), widget=DATE_INPUT
    )

    class Meta:
        model = Directive
        fields: list = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        from vanco.accounts.enums import Role
        from vanco.meetings.forms import people

        user = request.user if request is not None else None
        self.filters["department"].queryset = Department.objects.visible_to(user)
        self.filters["locality"].queryset = Locality.objects.visible_to(user)
        self.filters["issued_by"].extra["choices"] = [
            (u.pk, str(u)) for u in people(user, [Role.LEADER, Role.COORDINATOR])
        ]

    def filter_overdue(self, qs, name, value):
        if value == YES:
            return qs.filter(is_overdue=True)
        if value == NO:
            return qs.filter(is_overdue=False)
        return qs

    def filter_locality(self, qs, name, value):
        # A locality and its sub-localities, through a key subquery (no repeated rows).
        if value is None:
            return qs
        inside = Directive.objects.filter(localities__path__startswith=value.path)
        return qs.filter(pk__in=inside.values("pk"))
