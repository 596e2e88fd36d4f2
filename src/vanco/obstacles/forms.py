"""Forms of the obstacle pages: raising one, each step of its life, and the time limits.

The forms only read and shape input; every change goes through vanco.obstacles.services.
"""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vanco.accounts.enums import Role
from vanco.core.access import scope_for
from vanco.core.forms import VersionedModelForm
from vanco.enterprises.models import Enterprise
from vanco.obstacles.enums import Category, Severity
from vanco.obstacles.models import CategoryLimit, Obstacle
from vanco.org.models import Department
from vanco.projects.forms_dispatch import MultipleFileField
from vanco.projects.models import Project

DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _styled(form: forms.Form) -> forms.Form:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.HiddenInput, forms.RadioSelect)):
            continue
        if isinstance(widget, (forms.Select, forms.SelectMultiple)):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
    return form


def only_enterprise_user(user) -> bool:
    return scope_for(user).roles == frozenset({Role.ENTERPRISE})


def _chosen_id(form: forms.Form, name: str):
    raw = form.data.get(form.add_prefix(name)) if form.is_bound else form.initial.get(name)
    raw = getattr(raw, "pk", raw)
    return int(raw) if str(raw or "").isdigit() else None


class RaiseForm(forms.Form):
    """Raise an obstacle: phone-first, the project or enterprise found as the user types."""

    title = forms.CharField(label=_("Title"), max_length=255)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What blocks the project or the company, since when, and what is needed."),
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "---------"), *Category.choices]
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM
    )
    project = forms.ModelChoiceField(
        label=_("Project"),
        queryset=Project.objects.none(),
        required=False,
        help_text=_("Type part of the project's name or code."),
    )
    enterprise = forms.ModelChoiceField(
        label=_("Enterprise"),
        queryset=Enterprise.objects.none(),
        required=False,
        help_text=_("Type part of the company's name or tax code; not needed with a project."),
    )
    attachments = MultipleFileField(
        label=_("Photos and documents"),
        required=False,
        help_text=_("Optional: photos, letters, minutes."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        projects = Project.objects.visible_to(user).order_by("name", "pk")
        project = self.fields["project"]
        project.queryset = projects
        if only_enterprise_user(user):
            # The company's own projects only: a short plain list, no enterprise picker.
            keys = scope_for(user).enterprise_keys
            project.queryset = projects.filter(investor__tax_code__in=keys)
            project.help_text = _("Leave empty if the problem concerns the whole company.")
            del self.fields["enterprise"]
        else:
            project.widget.attrs["data-search"] = "1"
            project.widget.attrs["data-remote-url"] = reverse("obstacles:project-options")
            project.widget.attrs["data-placeholder"] = _("Type to search…")
            chosen = _chosen_id(self, "project")
            project.widget.choices = [("", "---------")] + [
                (pk, f"{name} ({code})")
                for pk, name, code in projects.filter(pk=chosen).values_list("pk", "name", "code")
            ]
            enterprise = self.fields["enterprise"]
            enterprise.queryset = Enterprise.objects.visible_to(user).order_by("name", "pk")
            enterprise.widget.attrs["data-search"] = "1"
            enterprise.widget.attrs["data-remote-url"] = reverse("enterprises:enterprise-options")
            enterprise.widget.attrs["data-placeholder"] = _("Type to search…")
            chosen = _chosen_id(self, "enterprise")
            enterprise.widget.choices = [("", "---------")] + [
                (pk, f"{name} ({tax_code})")
                for pk, name, tax_code in enterprise.queryset.filter(pk=chosen).values_list(
                    "pk", "name", "tax_code"
                )
            ]
        _styled(self)
        for name in ("title", "category", "severity"):
            self.fields[name].widget.attrs["class"] += " form-control-lg" if name == "title" else ""

    def clean(self):
        data = super().clean()
        if only_enterprise_user(self.user):
            # Filed for the user's own company (the project's investor when one is chosen).
            project = data.get("project")
            keys = scope_for(self.user).enterprise_keys
            data["enterprise"] = (
                project.investor
                if project is not None
                else Enterprise.objects.visible_to(self.user)
                .filter(tax_code__in=keys)
                .order_by("pk")
                .first()
            )
            if data["enterprise"] is None and not self.has_error("project"):
                self.add_error(None, _("Your company is not registered yet; call the coordinator."))
            return data
        if not data.get("project") and not data.get("enterprise") and not self.has_error("project"):
            self.add_error("project", _("Choose the project or the enterprise concerned."))
        return data


class StepForm(forms.Form):
    """A step of the obstacle's life; carries the version the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, obstacle: Obstacle, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.obstacle = obstacle
        self.user = user
        self.fields["version"].initial = obstacle.version
        self.setup()
        _styled(self)

    def setup(self) -> None:
        pass


class CommentStepForm(StepForm):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonStepForm(StepForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(StepForm):
    resolution = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The raiser reads this before confirming."),
    )


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class DepartmentsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class AssignForm(StepForm):
    lead_department = DepartmentChoiceField(
        label=_("Lead department"), queryset=Department.objects.none()
    )
    cooperating = DepartmentsChoiceField(
        label=_("Cooperating departments"), queryset=Department.objects.none(), required=False
    )
    due_on = forms.DateField(label=_("Due date"), widget=DATE_WIDGET)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the due date differs from the category's time limit."),
    )

    def setup(self) -> None:
        from vanco.obstacles.services import default_due_date

        departments = Department.objects.visible_to(self.user).filter(is_active=True)
        # A plain select for the lead (a few dozen departments, easy on a phone); the
        # cooperating ones, several at once, get tom-select's search and chips.
        self.fields["lead_department"].queryset = departments
        self.fields["cooperating"].queryset = departments
        self.fields["cooperating"].widget.attrs["data-search"] = "1"
        self.fields["due_on"].initial = default_due_date(self.obstacle.category)
        if self.obstacle.lead_department_id:
            self.fields["lead_department"].initial = self.obstacle.lead_department_id


class ConfirmForm(StepForm):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the resolution?"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DueForm(StepForm):
    due_on = forms.DateField(label=_("New due date"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def setup(self) -> None:
        self.fields["due_on"].initial = self.obstacle.due_on


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Add a comment"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Attach a file"), widget=forms.ClearableFileInput(attrs={"class": "form-control"})
    )


class TimeLimitForm(VersionedModelForm):
    class Meta:
        model = CategoryLimit
        fields = ["time_limit_days"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_limit_days"].widget.attrs.update({"min": 1, "max": 365})
