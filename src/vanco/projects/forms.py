"""Forms of the project pages and API: the same form validates a web edit and an API write."""

from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from vanco.accounts.enums import Role
from vanco.core import access
from vanco.core.forms import VersionedModelForm, bootstrap
from vanco.enterprises.models import Enterprise
from vanco.industries.models import ChainNode, Industry
from vanco.org.models import Locality
from vanco.projects.enums import PIPELINE, Stage, TaskForce
from vanco.projects.models import Milestone, Project, Tag
from vanco.projects.services import BACKWARD, INITIAL_STAGES, classify_move

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

PROJECT_FIELDS = [
    "name",
    "investor",
    "industry",
    "chain_node",
    "locality",
    "task_force",
    "leader",
    "officer",
    "project_type",
    "lead_source",
    "planned_investment",
    "signed_amount",
    "planned_signing_date",
    "planned_start_date",
    "planned_completion_date",
    "planned_operation_date",
    "land_area",
    "jobs_planned",
    "latitude",
    "longitude",
    "major_flag",
    "tags",
    "notes",
]


def editable_localities(user):
    """The localities a user may host a project in: anywhere for a coordinator, else their
    own locality subtrees."""
    qs = Locality.objects.visible_to(user).filter(is_active=True)
    scope = access.scope_for(user)
    if scope.has(Role.COORDINATOR):
        return qs
    return qs.filter(scope.locality_q("path"))


def users_with_role(user, role: str):
    """Active people of one role that `user` may see (a pk subquery: no duplicates)."""
    users = get_user_model()._default_manager
    holders = users.filter(role_assignments__role=role).values("pk")
    return (
        users.visible_to(user)
        .filter(is_active=True, pk__in=holders)
        .order_by("full_name", "username")
    )


def leader_choices(user):
    return users_with_role(user, Role.LEADER)


def officer_choices(user):
    users = get_user_model()._default_manager
    holders = users.filter(role_assignments__role__in=[Role.LOCALITY, Role.COORDINATOR]).values(
        "pk"
    )
    return (
        users.visible_to(user)
        .filter(is_active=True, pk__in=holders)
        .order_by("full_name", "username")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class ProjectForm(VersionedModelForm):
    """Create and edit a project. Derived fields (code, stage, dates reached, funds in place,
    progress, light) are not here: services write them."""

    class Meta:
        model = Project
        fields = PROJECT_FIELDS
        field_classes = {"leader": UserChoiceField, "officer": UserChoiceField}
        widgets = {
            "planned_signing_date": DATE_WIDGET,
            "planned_start_date": DATE_WIDGET,
            "planned_completion_date": DATE_WIDGET,
            "planned_operation_date": DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "investor": _("Type part of the company's name or tax code."),
            "chain_node": _("Optional: the link of the industry's value chain it fills."),
            "signed_amount": _("Leave empty until the investment is signed."),
        }

    def _chosen_investor_id(self) -> int | None:
        raw = (
            self.data.get(self.add_prefix("investor"))
            if self.is_bound
            else self.initial.get("investor") or self.instance.investor_id
        )
        raw = getattr(raw, "pk", raw)
        return int(raw) if str(raw or "").isdigit() else None

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        investor = self.fields["investor"]
        investor.queryset = Enterprise.objects.visible_to(user).order_by("name")
        # Rendered with only the chosen enterprise; the others load as the user types
        # (tens of thousands would make the page heavy). Validation still uses the queryset.
        investor.widget.attrs["data-remote-url"] = reverse("enterprises:enterprise-options")
        chosen = self._chosen_investor_id()
        investor.widget.choices = [("", "---------")] + [
            (pk, f"{name} ({tax_code})")
            for pk, name, tax_code in investor.queryset.filter(pk=chosen).values_list(
                "pk", "name", "tax_code"
            )
        ]
        self.fields["industry"].queryset = Industry.objects.visible_to(user).filter(is_active=True)
        self.fields["chain_node"].queryset = (
            ChainNode.objects.visible_to(user).filter(is_active=True).select_related("industry")
        )
        localities = editable_localities(user)
        if self.instance.pk:
            # A project followed from outside one's own area keeps its host locality.
            localities = localities | Locality.objects.filter(pk=self.instance.locality_id)
        self.fields["locality"].queryset = localities.order_by("path")
        self.fields["leader"].queryset = leader_choices(user)
        self.fields["officer"].queryset = officer_choices(user)
        self.fields["tags"].queryset = Tag.objects.visible_to(user)
        self.fields["tags"].widget.attrs.setdefault("data-search", "1")
        if not self.instance.pk:
            self.fields["initial_stage"] = forms.ChoiceField(
                label=_("Starts as"),
                choices=[(stage.value, stage.label) for stage in INITIAL_STAGES],
                initial=Stage.LEAD,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.order_fields(["name", "initial_stage"])
        if (
            not self.instance.pk
            and user is not None
            and "officer" not in self.initial
            and self.fields["officer"].queryset.filter(pk=user.pk).exists()
        ):
            self.initial["officer"] = user.pk


class TransitionForm(forms.Form):
    """What a stage change needs; the fields depend on the target stage."""

    effective_date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    signed_amount = forms.DecimalField(
        label=_("Signed amount"), max_digits=18, decimal_places=3, min_value=0
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(
        label=_("Evidence (optional)"),
        required=False,
        help_text=_("A signed contract, a licence, minutes or a photo."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    DATE_LABELS = {
        Stage.SIGNED: _("Signing date"),
        Stage.APPROVED: _("Licence date"),
        Stage.UNDER_CONSTRUCTION: _("Actual start date"),
        Stage.COMPLETED: _("Actual completion date"),
        Stage.IN_OPERATION: _("Operation date"),
    }

    def __init__(self, *args, project: Project, to_stage: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.to_stage = to_stage
        self.fields["version"].initial = project.version
        self.fields["effective_date"].label = self.DATE_LABELS.get(to_stage, _("Date"))
        at_or_after_signing = to_stage in PIPELINE and PIPELINE.index(to_stage) >= PIPELINE.index(
            Stage.SIGNED
        )
        if to_stage == Stage.SIGNED or (at_or_after_signing and project.signed_amount is None):
            self.fields["signed_amount"].initial = project.signed_amount
        else:
            del self.fields["signed_amount"]
        if self.needs_reason:
            self.fields["reason"].help_text = _("Say why the project goes back or stops.")
        elif self.to_stage in (Stage.PAUSED, Stage.DROPPED):
            self.fields["reason"].required = False
            self.fields["reason"].help_text = _("Say why, so that others understand later.")
        else:
            self.fields["reason"].required = False
            self.fields["reason"].label = _("Note (optional)")
        bootstrap(self)
        for field in self.fields.values():
            css = field.widget.attrs.get("class", "")
            field.widget.attrs["class"] = css.replace("form-control-sm", "").replace(
                "form-select-sm", ""
            )

    @property
    def is_backwards(self) -> bool:
        return is_backwards(self.project, self.to_stage)

    @property
    def needs_reason(self) -> bool:
        return self.is_backwards


def is_backwards(project: Project, to_stage: str) -> bool:
    return classify_move(project.stage, to_stage, project.paused_from) == BACKWARD


class BulkReassignForm(forms.Form):
    officer = UserChoiceField(label=_("Project officer"), required=False, queryset=None)
    leader = UserChoiceField(label=_("Leader in charge"), required=False, queryset=None)
    task_force = forms.ChoiceField(
        label=_("Task force"), required=False, choices=[("", "—"), *TaskForce.choices]
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officer_choices(user)
        self.fields["leader"].queryset = leader_choices(user)
        self.fields["officer"].empty_label = _("Keep")
        self.fields["leader"].empty_label = _("Keep")
        self.fields["task_force"].choices = [("", _("Keep")), *TaskForce.choices]
        bootstrap(self)

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in ("officer", "leader", "task_force")):
            raise forms.ValidationError(
                _("Choose a new officer, leader or task force for the selected projects.")
            )
        return cleaned


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    description = forms.CharField(label=_("Description"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class MilestoneForm(VersionedModelForm):
    """One milestone of a project's plan, checked against the project's other milestones:
    names and dates unique, planned progress never lower than at an earlier date."""

    class Meta:
        model = Milestone
        fields = ["name", "planned_date", "planned_progress", "achieved_on"]
        widgets = {
            "planned_date": DATE_WIDGET,
            "achieved_on": DATE_WIDGET,
            "planned_progress": forms.NumberInput(
                attrs={"inputmode": "decimal", "step": "0.01", "min": "0", "max": "100"}
            ),
        }

    def __init__(self, *args, project: Project, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def others(self):
        rows = Milestone.objects.filter(project=self.project)
        if self.instance.pk:
            rows = rows.exclude(pk=self.instance.pk)
        return rows

    def clean(self):
        data = super().clean()
        name, date = (data.get("name") or "").strip(), data.get("planned_date")
        progress = data.get("planned_progress")
        others = list(self.others().only("name", "planned_date", "planned_progress"))
        if name and any(other.name.casefold() == name.casefold() for other in others):
            self.add_error("name", _("This project already has a milestone of that name."))
        if date and any(other.planned_date == date for other in others):
            self.add_error("planned_date", _("This project already has a milestone on that date."))
        if date is None or progress is None:
            return data
        earlier = [o for o in others if o.planned_date < date and o.planned_progress > progress]
        later = [o for o in others if o.planned_date > date and o.planned_progress < progress]
        if earlier:
            other = max(earlier, key=lambda o: o.planned_date)
            self.add_error(
                "planned_progress",
                _(
                    "The planned progress cannot go down over time: the earlier milestone "
                    "“%(name)s” (%(date)s) already plans %(progress)s %%."
                )
                % {
                    "name": other.name,
                    "date": date_format(other.planned_date, "SHORT_DATE_FORMAT"),
                    "progress": other.planned_progress,
                },
            )
        elif later:
            other = min(later, key=lambda o: o.planned_date)
            self.add_error(
                "planned_progress",
                _(
                    "The planned progress cannot go down over time: the later milestone "
                    "“%(name)s” (%(date)s) plans only %(progress)s %%."
                )
                % {
                    "name": other.name,
                    "date": date_format(other.planned_date, "SHORT_DATE_FORMAT"),
                    "progress": other.planned_progress,
                },
            )
        return data
