"""One FilterSet for projects: it serves the HTML list, its Excel export and the API list."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from vanco.industries.models import ChainNode, Industry
from vanco.org.models import Locality
from vanco.projects.enums import Light, Stage, TaskForce
from vanco.projects.forms import leader_choices, officer_choices
from vanco.projects.models import Project

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UserFilter(django_filters.ModelChoiceFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_class = _UserChoiceField


class _UserChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class ProjectFilter(django_filters.FilterSet):
    stage = django_filters.ChoiceFilter(
        choices=Stage.choices, label=_("Stage"), empty_label=_("All stages")
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

    def filter_locality(self, queryset, name, value):
        return queryset.filter(locality__path__startswith=value.path) if value else queryset

    def filter_major(self, queryset, name, value):
        if value in ("1", "0"):
            return queryset.filter(is_major=value == "1")
        return queryset
