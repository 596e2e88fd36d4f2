"""Filters of the obstacle list and its inboxes (one filter set for the page and its export)."""

import datetime

import django_filters
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanco.industries.models import Industry
from vanco.obstacles.enums import (
    OPEN_STATUSES,
    UNRESOLVED_STATUSES,
    Category,
    Level,
    ProblemStatus,
    Severity,
    Source,
    Status,
)
from vanco.obstacles.models import CommonProblem, Obstacle
from vanco.org.models import Department, Locality

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class Deadline:
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    CHOICES = [(OVERDUE, _("Overdue")), (DUE_SOON, _("Due soon"))]


class StatusGroup:
    UNRESOLVED = "unresolved"
    OPEN = "open"
    CHOICES = [
        (UNRESOLVED, _("Not yet resolved")),
        (OPEN, _("Being worked on (assigned to resolved)")),
    ]
    STATUSES = {UNRESOLVED: UNRESOLVED_STATUSES, OPEN: OPEN_STATUSES}


YES, NO = "yes", "no"
YES_NO = [(YES, _("Yes")), (NO, _("No"))]
#: The value of a "none" choice (no lead department, no leading industry, no common problem).
NONE = "none"


def due_soon_limit(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=settings.VANCO_OBSTACLE_DUE_SOON_DAYS)


class ObstacleFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Status.choices, label=_("Status"), empty_label=_("All statuses")
    )
    category = django_filters.ChoiceFilter(
        choices=Category.choices, label=_("Category"), empty_label=_("All categories")
    )
    severity = django_filters.ChoiceFilter(
        choices=Severity.choices, label=_("Severity"), empty_label=_("All")
    )
    source = django_filters.ChoiceFilter(
        choices=Source.choices, label=_("Source"), empty_label=_("All")
    )
    status_group = django_filters.ChoiceFilter(
        choices=StatusGroup.CHOICES,
        label=_("Status group"),
        method="filter_status_group",
        empty_label=_("All"),
    )
    lead_department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.none(),
        label=_("Lead department"),
        empty_label=_("All"),
        null_label=_("No lead department (to assign)"),
        null_value=NONE,
    )
    locality = django_filters.ModelChoiceFilter(
        queryset=Locality.objects.none(),
        label=_("Locality"),
        method="filter_within",
        empty_label=_("Whole city"),
    )
    industry = django_filters.ModelChoiceFilter(
        queryset=Industry.objects.none(),
        label=_("Leading industry"),
        empty_label=_("All"),
        null_label=_("No leading industry"),
        null_value=NONE,
    )
    common_problem = django_filters.ModelChoiceFilter(
        queryset=CommonProblem.objects.none(),
        label=_("Common problem"),
        empty_label=_("All"),
        null_label=_("Not in a common problem"),
        null_value=NONE,
    )
    escalation_level = django_filters.ChoiceFilter(
        choices=[(str(value), label) for value, label in Level.choices],
        label=_("Escalation level"),
        empty_label=_("All"),
    )
    deadline = django_filters.ChoiceFilter(
        choices=Deadline.CHOICES,
        label=_("Deadline"),
        method="filter_deadline",
        empty_label=_("All"),
    )
    # Past due on a given day (a dashboard's figure for a past year): due before that day.
    due_before = django_filters.DateFilter(
        field_name="due_on", lookup_expr="lt", label=_("Due before"), widget=DATE_INPUT
    )
    raised_from = django_filters.DateFilter(
        field_name="raised_at", lookup_expr="date__gte", label=_("Raised from"), widget=DATE_INPUT
    )
    raised_to = django_filters.DateFilter(
        field_name="raised_at", lookup_expr="date__lte", label=_("Raised until"), widget=DATE_INPUT
    )
    resolved_from = django_filters.DateFilter(
        field_name="resolved_at",
        lookup_expr="date__gte",
        label=_("Resolved from"),
        widget=DATE_INPUT,
    )
    resolved_to = django_filters.DateFilter(
        field_name="resolved_at",
        lookup_expr="date__lte",
        label=_("Resolved until"),
        widget=DATE_INPUT,
    )
    on_time = django_filters.ChoiceFilter(
        choices=YES_NO,
        label=_("Resolved on time"),
        method="filter_on_time",
        empty_label=_("All"),
    )
    closed_from = django_filters.DateFilter(
        field_name="closed_at", lookup_expr="date__gte", label=_("Closed from"), widget=DATE_INPUT
    )
    closed_to = django_filters.DateFilter(
        field_name="closed_at", lookup_expr="date__lte", label=_("Closed until"), widget=DATE_INPUT
    )
    rated = django_filters.ChoiceFilter(
        choices=YES_NO, label=_("Rated"), method="filter_rated", empty_label=_("All")
    )

    #: Shown behind "More filters" (opened when one of them is set).
    MORE = (
        "severity",
        "source",
        "escalation_level",
        "common_problem",
        "raised_from",
        "raised_to",
        "resolved_from",
        "resolved_to",
        "on_time",
        "closed_from",
        "closed_to",
        "rated",
    )

    class Meta:
        model = Obstacle
        fields = ["status", "category", "severity", "source", "lead_department", "industry"]

    def __init__(self, data=None, *args, request=None, user=None, **kwargs):
        super().__init__(data, *args, request=request, **kwargs)
        user = user if user is not None else request.user
        self.filters["locality"].queryset = Locality.objects.visible_to(user).order_by("path")
        self.filters["industry"].queryset = Industry.objects.visible_to(user)
        self.filters["lead_department"].queryset = Department.objects.visible_to(user)
        self.filters["common_problem"].queryset = CommonProblem.objects.visible_to(user)

    def main_fields(self) -> list:
        return [field for field in self.form if field.name not in self.MORE]

    def more_fields(self) -> list:
        return [field for field in self.form if field.name in self.MORE]

    def more_in_use(self) -> bool:
        data = self.data or {}
        return any(data.get(name) for name in self.MORE)

    def filter_status_group(self, queryset, name, value):
        statuses = StatusGroup.STATUSES.get(value)
        return queryset.filter(status__in=statuses) if statuses else queryset

    def filter_on_time(self, queryset, name, value):
        if value in (YES, NO):
            return queryset.filter(resolved_on_time=value == YES)
        return queryset

    def filter_rated(self, queryset, name, value):
        if value in (YES, NO):
            return queryset.filter(rating__isnull=value != YES)
        return queryset

    def filter_within(self, queryset, name, value):
        """The locality and every sub-locality under it."""
        return queryset.filter(locality__path__startswith=value.path) if value else queryset

    def filter_deadline(self, queryset, name, value):
        today = timezone.localdate()
        if value == Deadline.OVERDUE:
            return queryset.filter(status__in=OPEN_STATUSES, due_on__lt=today)
        if value == Deadline.DUE_SOON:
            return queryset.filter(
                status__in=OPEN_STATUSES, due_on__gte=today, due_on__lte=due_soon_limit(today)
            )
        return queryset


class CommonProblemFilter(django_filters.FilterSet):
    """Filters of the common problem list and its export."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ProblemStatus.choices, empty_label=_("All statuses")
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Category.choices, empty_label=_("All categories")
    )

    class Meta:
        model = CommonProblem
        fields = ["status", "category"]
