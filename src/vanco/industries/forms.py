import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanco.accounts.enums import Role
from vanco.core.access import ACTIONS
from vanco.core.forms import VersionedModelForm
from vanco.enterprises.models import country_validator
from vanco.industries.enums import OutreachChannel, ProspectStatus
from vanco.industries.models import ChainNode, Industry, OutreachActivity, Prospect
from vanco.industries.services import EDITABLE_STATUSES
from vanco.projects.forms import UserChoiceField, editable_localities, leader_choices

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _users_holding(user, roles):
    """Active people holding one of `roles` whom `user` may see (pk subquery: no duplicates)."""
    users = get_user_model()._default_manager
    holders = users.filter(role_assignments__role__in=list(roles)).values("pk")
    return (
        users.visible_to(user)
        .filter(is_active=True, pk__in=holders)
        .order_by("full_name", "username")
    )


def owner_choices(user):
    return _users_holding(user, ACTIONS["prospects.manage"])


def official_choices(user):
    return _users_holding(user, set(Role.values) - {Role.ENTERPRISE})


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class IndustryForm(VersionedModelForm):
    class Meta:
        model = Industry
        fields = ["code", "name", "description", "sort_order", "chief"]
        field_classes = {"chief": UserChoiceField}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chief"].queryset = leader_choices(user)

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()


class ChainNodeForm(VersionedModelForm):
    class Meta:
        model = ChainNode
        fields = ["industry", "parent", "code", "name", "segment", "is_key", "description"]
        help_texts = {
            "parent": _("Leave empty for a top-level node of the chain."),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry"].queryset = Industry.objects.visible_to(user).filter(is_active=True)
        parents = (
            ChainNode.objects.visible_to(user).filter(is_active=True).select_related("industry")
        )
        if self.instance.pk:
            parents = parents.exclude(path__startswith=self.instance.path)
            self.fields["industry"].disabled = True
        industry_id = self.instance.industry_id or self.initial.get("industry")
        if industry_id:
            parents = parents.filter(industry_id=industry_id)
        self.fields["parent"].queryset = parents
        self.fields["parent"].required = False

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()


class ProspectForm(VersionedModelForm):
    """Create and edit a prospect; convert and decline are their own steps."""

    class Meta:
        model = Prospect
        fields = [
            "industry",
            "node",
            "company_name",
            "country",
            "tax_code",
            "contact_name",
            "contact_phone",
            "contact_email",
            "estimated_investment",
            "status",
            "owner",
            "notes",
        ]
        field_classes = {"owner": UserChoiceField}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry"].queryset = Industry.objects.visible_to(user).filter(is_active=True)
        nodes = ChainNode.objects.visible_to(user).filter(is_active=True).select_related("industry")
        industry_id = self.instance.industry_id or self.initial.get("industry")
        if self.is_bound and str(self.data.get("industry", "")).isdigit():
            industry_id = int(self.data["industry"])
        if industry_id:
            nodes = nodes.filter(industry_id=industry_id)
        self.fields["node"].queryset = nodes.order_by("industry__sort_order", "path")
        owners = owner_choices(user)
        if self.instance.owner_id:
            # The current owner stays a valid choice even when the editor cannot see them.
            owners = owners | type(self.instance.owner).objects.filter(pk=self.instance.owner_id)
        self.fields["owner"].queryset = owners
        self.fields["status"].choices = [
            (value, label) for value, label in ProspectStatus.choices if value in EDITABLE_STATUSES
        ]

    def clean_country(self):
        value = self.cleaned_data["country"].strip().upper()
        country_validator(value)
        return value

    def clean_company_name(self):
        return self.cleaned_data["company_name"].strip()


class OutreachForm(forms.ModelForm):
    """Log a contact with a prospect: short enough to fill in on a phone after the meeting."""

    class Meta:
        model = OutreachActivity
        fields = ["occurred_on", "channel", "officials", "participants", "outcome", "next_step"]
        field_classes = {"officials": UserMultipleChoiceField}
        widgets = {
            "occurred_on": DATE_WIDGET,
            "outcome": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officials"].queryset = official_choices(user)
        self.fields["occurred_on"].initial = timezone.localdate()
        self.fields["channel"].initial = OutreachChannel.MEETING
        if user is not None and not self.is_bound:
            self.initial.setdefault("officials", [user.pk])
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.Select, forms.SelectMultiple)):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
        self.fields["officials"].widget.attrs.setdefault("data-search", "1")

    def clean_occurred_on(self):
        value = self.cleaned_data["occurred_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        if value < timezone.localdate() - datetime.timedelta(days=3650):
            raise forms.ValidationError(_("The date is too far in the past."))
        return value


class StepForm(forms.Form):
    """A step of a prospect's life; carries the version the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, prospect: Prospect, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.prospect = prospect
        self.user = user
        self.fields["version"].initial = prospect.version
        self.setup()
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def setup(self) -> None:
        pass


class DeclineForm(StepForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ConvertForm(StepForm):
    """Turn the prospect into a lead project: where it will be hosted, and under which name."""

    locality = forms.ModelChoiceField(label=_("Host locality"), queryset=None)
    tax_code = forms.CharField(
        label=_("Investor's tax or registration code"),
        max_length=20,
        help_text=_("An enterprise with this code is reused; otherwise it is registered."),
    )
    project_name = forms.CharField(label=_("Project name"), max_length=255)
    planned_investment = forms.DecimalField(
        label=_("Planned total investment"), min_value=0, max_digits=18, decimal_places=3
    )

    def setup(self) -> None:
        self.fields["locality"].queryset = editable_localities(self.user).order_by("path")
        self.fields["tax_code"].initial = self.prospect.tax_code
        self.fields["project_name"].initial = self.prospect.company_name
        self.fields["planned_investment"].initial = self.prospect.estimated_investment or 0
