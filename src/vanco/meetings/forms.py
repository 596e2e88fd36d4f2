"""Forms of the meeting and directive pages. They only read and shape input; every change goes
through vanco.meetings.services (or core.views.FormPage for the meeting's plain fields)."""

from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vanco.accounts.enums import Role
from vanco.core import access
from vanco.core.forms import VersionedModelForm
from vanco.meetings.enums import MeetingKind
from vanco.meetings.models import Meeting
from vanco.obstacles.enums import Category
from vanco.obstacles.models import Obstacle
from vanco.org.models import Department, Locality
from vanco.projects.models import Project

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _styled(form: forms.Form) -> forms.Form:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(
            widget, (forms.HiddenInput, forms.CheckboxInput, forms.CheckboxSelectMultiple)
        ):
            continue
        if isinstance(widget, (forms.Select, forms.SelectMultiple)):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
    return form


def people(user, roles=None):
    qs = get_user_model().objects.visible_to(user).filter(is_active=True, is_system=False)
    if roles:
        qs = qs.filter(role_assignments__role__in=roles).distinct()
    return qs.order_by("full_name", "username")


def _searchable(field, url: str | None = None) -> None:
    field.widget.attrs["data-search"] = "1"
    field.widget.attrs["data-placeholder"] = _("Type to search…")
    if url:
        field.widget.attrs["data-remote-url"] = url


class MeetingForm(VersionedModelForm):
    """The meeting's own fields (create and edit)."""

    class Meta:
        model = Meeting
        fields = ["kind", "title", "starts_at", "location", "chair", "attendees"]
        widgets = {"starts_at": DATETIME_WIDGET}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["chair"].queryset = people(user, [Role.LEADER, Role.COORDINATOR])
        self.fields["attendees"].queryset = people(user)
        _searchable(self.fields["attendees"])


class MeetingCreateForm(MeetingForm):
    """The meeting's fields; the proposed agenda items are ticked as plain checkboxes named
    `proposals` (their keys), rendered by the page next to the form."""

    def __init__(self, *args, proposals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal_list = list(proposals)
        if self.is_bound:
            self.ticked_keys = set(self.data.getlist("proposals"))
        else:
            self.ticked_keys = {p.key for p in self.proposal_list}
            self.fields["kind"].initial = MeetingKind.LEADING_GROUP

    def ticked(self) -> list:
        return [p for p in self.proposal_list if p.key in self.ticked_keys]


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("New agenda item"), max_length=500)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class DecisionForm(forms.Form):
    decision = forms.CharField(
        label=_("Decision"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


class DirectiveForm(forms.Form):
    """Issue a directive: from a meeting or alone, to departments and/or localities."""

    title = forms.CharField(label=_("Title"), max_length=255)
    text = forms.CharField(label=_("What is to be done"), widget=forms.Textarea(attrs={"rows": 5}))
    issued_by = forms.ModelChoiceField(label=_("Issued by"), queryset=Project.objects.none())
    due_on = forms.DateField(label=_("Due date"), widget=DATE_WIDGET)
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"), queryset=Department.objects.none(), required=False
    )
    localities = forms.ModelMultipleChoiceField(
        label=_("Localities"), queryset=Locality.objects.none(), required=False
    )
    projects = forms.ModelMultipleChoiceField(
        label=_("Projects"),
        queryset=Project.objects.none(),
        required=False,
        help_text=_("Type part of the project's name or code."),
    )
    obstacles = forms.ModelMultipleChoiceField(
        label=_("Obstacles"),
        queryset=Obstacle.objects.none(),
        required=False,
        help_text=_("Type part of the obstacle's title."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if access.can(user, "meetings.manage"):
            # The coordinator may issue on a leader's behalf; a leader is the issuer.
            self.fields["issued_by"].queryset = people(user, [Role.LEADER, Role.COORDINATOR])
            self.fields["issued_by"].initial = user.pk if user else None
        else:
            del self.fields["issued_by"]
        self.fields["departments"].queryset = Department.objects.visible_to(user).filter(
            is_active=True
        )
        self.fields["localities"].queryset = Locality.objects.visible_to(user).filter(
            is_active=True
        )
        for name in ("departments", "localities", "issued_by"):
            if name in self.fields:
                _searchable(self.fields[name])
        projects = Project.objects.visible_to(user)
        obstacles = Obstacle.objects.visible_to(user)
        self.fields["projects"].queryset = projects
        self.fields["obstacles"].queryset = obstacles
        _searchable(self.fields["projects"], reverse("meetings:project-options"))
        _searchable(self.fields["obstacles"], reverse("meetings:obstacle-options"))
        # Only the chosen rows are rendered; the rest come from the server as the user types.
        chosen_projects = self._chosen("projects")
        self.fields["projects"].widget.choices = [
            (pk, f"{name} ({code})")
            for pk, name, code in projects.filter(pk__in=chosen_projects).values_list(
                "pk", "name", "code"
            )
        ]
        chosen_obstacles = self._chosen("obstacles")
        self.fields["obstacles"].widget.choices = [
            (pk, f"VM-{pk} {title}")
            for pk, title in obstacles.filter(pk__in=chosen_obstacles).values_list("pk", "title")
        ]
        _styled(self)

    def _chosen(self, name: str) -> list[int]:
        if self.is_bound:
            raw = self.data.getlist(name) if hasattr(self.data, "getlist") else self.data.get(name)
        else:
            raw = self.initial.get(name) or []
        values = raw if isinstance(raw, (list, tuple)) else [raw]
        return [int(getattr(v, "pk", v)) for v in values if str(getattr(v, "pk", v)).isdigit()]


class NoteStepForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, directive=None, **kwargs):
        super().__init__(*args, **kwargs)
        if directive is not None and not self.is_bound:
            self.fields["version"].initial = directive.version
        _styled(self)


class ProgressForm(NoteStepForm):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}))
    file = forms.FileField(label=_("File (optional)"), required=False)


class CompleteForm(NoteStepForm):
    note = None
    evidence = forms.CharField(
        label=_("Evidence of completion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Describe the result, attach a document, or both."),
    )
    file = forms.FileField(label=_("Document"), required=False)


class ReasonForm(NoteStepForm):
    note = None
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class DueForm(ReasonForm):
    due_on = forms.DateField(label=_("New due date"), widget=DATE_WIDGET)
    field_order = ["due_on", "reason"]


class ObstacleFromDirectiveForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none())

    def __init__(self, *args, directive=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = directive.projects.filter(
            pk__in=Project.objects.visible_to(user).values("pk")
        )
        _styled(self)
