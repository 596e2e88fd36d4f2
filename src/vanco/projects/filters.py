"""One FilterSet for projects: it serves the HTML list, its Excel export and the API list."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from vanco.industries.models import ChainNode, Industry
from vanco.org.models import Locality
from vanco.projects.dispatch import COUNTED
from vanco.projects.enums import Light, Stage, TaskForce
from vanco.projects.forms import leader_choices, officer_choices
from vanco.projects.models import ProgressReport, Project

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UserFilter(django_filters.ModelChoiceFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_class = _UserChoiceField


class _UserChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


#: the stage filter's value for every project not dropped
LIVE = "live"


class ProjectFilter(django_filters.FilterSet):
    stage = django_filters.ChoiceFilter(
        # "live": every stage but dropped, the projects whose money the figures count
        choices=[(LIVE, _("All but dropped")), *Stage.choices],
        label=_("Stage"),
        empty_label=_("All stages"),
        method="filter_stage",
    )
    light = django_filters.ChoiceFilter(
        choices=Light.choices, label=_("Traffic light"), empty_label=_("All lights")
    )
    industry = django_filters.ModelChoiceFilter(
        queryset=Industry.objects.none(), label=_("Leading industry"), empty_label=_("All")
    )
    chain_node = django_filters.ModelChoiceFilter(
        queryset=ChainNode.objects.none(), label=_("Chain node"), empty_label=_("All")
    )
    locality = django_filters.ModelChoiceFilter(
        queryset=Locality.objects.none(),
        label=_("Locality"),
        method="filter_locality",
        empty_label=_("Whole city"),
    )
    task_force = django_filters.ChoiceFilter(
        choices=TaskForce.choices, label=_("Task force"), empty_label=_("All")
    )
    major = django_filters.ChoiceFilter(
        choices=[("1", _("Major projects")), ("0", _("Other projects"))],
        label=_("Major"),
        empty_label=_("All"),
        method="filter_major",
    )
    leader = UserFilter(queryset=None, label=_("Leader in charge"), empty_label=_("All"))
    officer = UserFilter(queryset=None, label=_("Project officer"), empty_label=_("All"))
    planned_start_from = django_filters.DateFilter(
        field_name="planned_start_date",
        lookup_expr="gte",
        label=_("Planned start from"),
        widget=DATE_INPUT,
    )
    planned_start_to = django_filters.DateFilter(
        field_name="planned_start_date",
        lookup_expr="lte",
        label=_("Planned start to"),
        widget=DATE_INPUT,
    )
    # Date ranges of what happened (the targets' drill-downs: vanco.targets.actuals).
    signed_from = django_filters.DateFilter(
        field_name="signing_date", lookup_expr="gte", label=_("Signed from"), widget=DATE_INPUT
    )
    signed_to = django_filters.DateFilter(
        field_name="signing_date", lookup_expr="lte", label=_("Signed to"), widget=DATE_INPUT
    )
    started_from = django_filters.DateFilter(
        field_name="start_date", lookup_expr="gte", label=_("Started from"), widget=DATE_INPUT
    )
    started_to = django_filters.DateFilter(
        field_name="start_date", lookup_expr="lte", label=_("Started to"), widget=DATE_INPUT
    )
    completed_from = django_filters.DateFilter(
        label=_("Completed from"), method="filter_completed", widget=DATE_INPUT
    )
    completed_to = django_filters.DateFilter(
        label=_("Completed to"), method="filter_completed", widget=DATE_INPUT
    )
    funds_from = django_filters.DateFilter(
        label=_("Funds reported from"),
        method="filter_funds",
        widget=DATE_INPUT,
        help_text=_("Projects with funds in place in reports of periods ending in these dates."),
    )
    funds_to = django_filters.DateFilter(
        label=_("Funds reported to"), method="filter_funds", widget=DATE_INPUT
    )

    class Meta:
        model = Project
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user if request is not None else None
        self.filters["industry"].queryset = Industry.objects.visible_to(user)
        self.filters["chain_node"].queryset = ChainNode.objects.visible_to(user).select_related(
            "industry"
        )
        self.filters["locality"].queryset = Locality.objects.visible_to(user).order_by("path")
        self.filters["leader"].queryset = leader_choices(user)
        self.filters["officer"].queryset = officer_choices(user)

    def filter_stage(self, queryset, name, value):
        if not value:
            return queryset
        if value == LIVE:
            return queryset.exclude(stage=Stage.DROPPED)
        return queryset.filter(stage=value)

    def filter_locality(self, queryset, name, value):
        return queryset.filter(locality__path__startswith=value.path) if value else queryset

    def _range(self, name: str):
        data = self.form.cleaned_data
        return data.get(f"{name}_from"), data.get(f"{name}_to")

    def filter_completed(self, queryset, name, value):
        """Completion date in the range, or the operation date when none was recorded. Both
        bounds are applied once, by the first of the two filters that is set."""
        start, end = self._range("completed")
        if name == "completed_to" and start:
            return queryset
        completion, operation = Q(), Q()
        if start:
            completion &= Q(completion_date__gte=start)
            operation &= Q(operation_date__gte=start)
        if end:
            completion &= Q(completion_date__lte=end)
            operation &= Q(operation_date__lte=end)
        return queryset.filter(
            (Q(completion_date__isnull=False) & completion)
            | (Q(completion_date__isnull=True, operation_date__isnull=False) & operation)
        )

    def filter_funds(self, queryset, name, value):
        """Projects with funds put in place (submitted or accepted reports) in the periods
        ending in the range."""
        start, end = self._range("funds")
        if name == "funds_to" and start:
            return queryset
        reports = ProgressReport.objects.filter(
            project_id=OuterRef("pk"), status__in=COUNTED, funds_this_period__gt=0
        )
        if start:
            reports = reports.filter(period__ends_on__gte=start)
        if end:
            reports = reports.filter(period__ends_on__lte=end)
        return queryset.filter(Exists(reports))

    def filter_major(self, queryset, name, value):
        if value in ("1", "0"):
            return queryset.filter(is_major=value == "1")
        return queryset
