"""Forms of the pairing and visit pages. They only read and shape input: every change goes
through vanco.enterprises.pairings."""

from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanco.enterprises.enums import VisitForm as VisitFormChoice
from vanco.enterprises.enums import VisitFrequency
from vanco.enterprises.models import Enterprise, Pairing
from vanco.enterprises.pairings import officials_for_pairing
from vanco.obstacles.enums import Category, Severity

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _styled(form: forms.Form, *, large: bool = False) -> forms.Form:
    size = " form-control-lg" if large else ""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.HiddenInput, forms.RadioSelect, forms.CheckboxInput)):
            continue
        if isinstance(widget, (forms.Select, forms.SelectMultiple)):
            widget.attrs.setdefault("class", "form-select" + (" form-select-lg" if large else ""))
        else:
            widget.attrs.setdefault("class", "form-control" + size)
    return form


def _chosen_id(form: forms.Form, name: str):
    raw = form.data.get(form.add_prefix(name)) if form.is_bound else form.initial.get(name)
    raw = getattr(raw, "pk", raw)
    return int(raw) if str(raw or "").isdigit() else None


def official_label(user) -> str:
    return f"{user.full_name or user.username} ({user.username})"


def searchable_officials(form: forms.Form, field_name: str, *, multiple: bool = False) -> None:
    """A select of officials that searches as the user types: only the chosen ones are
    rendered (a city has thousands of officials)."""
    field = form.fields[field_name]
    widget = field.widget
    widget.attrs["data-search"] = "1"
    widget.attrs["data-remote-url"] = reverse("enterprises:official-options")
    widget.attrs["data-placeholder"] = _("Type to search…")
    if form.is_bound:
        raw = (
            form.data.getlist(form.add_prefix(field_name))
            if multiple and hasattr(form.data, "getlist")
            else form.data.get(form.add_prefix(field_name))
        )
    else:
        raw = form.initial.get(field_name)
    values = raw if isinstance(raw, (list, tuple)) else [raw]
    chosen = [int(v) for v in (getattr(v, "pk", v) for v in values) if str(v or "").isdigit()]
    found = [(u.pk, official_label(u)) for u in field.queryset.filter(pk__in=chosen)]
    widget.choices = found if multiple else [("", "---------"), *found]


def _searchable_enterprise(form: forms.Form, field_name: str, queryset) -> None:
    """A select that searches the user's visible enterprises as they type (vanco.js); only
    the chosen one is rendered, so the page stays small whatever the city's size."""
    field = form.fields[field_name]
    field.queryset = queryset
    widget = field.widget
    widget.attrs["data-search"] = "1"
    widget.attrs["data-remote-url"] = reverse("enterprises:enterprise-options")
    widget.attrs["data-placeholder"] = _("Type to search…")
    chosen = _chosen_id(form, field_name)
    widget.choices = [("", "---------")] + [
        (pk, f"{name} ({tax_code})")
        for pk, name, tax_code in queryset.filter(pk=chosen).values_list("pk", "name", "tax_code")
    ]


class PairingForm(forms.Form):
    """Pair an official with an enterprise."""

    official = forms.ModelChoiceField(label=_("Official"), queryset=Pairing.objects.none())
    enterprise = forms.ModelChoiceField(
        label=_("Enterprise"),
        queryset=Enterprise.objects.none(),
        help_text=_("Type part of the company's name or tax code."),
    )
    starts_on = forms.DateField(label=_("Start date"), widget=DATE_WIDGET)
    frequency = forms.ChoiceField(
        label=_("Visit frequency"),
        choices=VisitFrequency.choices,
        initial=VisitFrequency.QUARTERLY,
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, user=None, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("starts_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["official"].queryset = officials_for_pairing(user)
        searchable_officials(self, "official")
        _searchable_enterprise(
            self, "enterprise", Enterprise.objects.editable_by(user).order_by("name", "pk")
        )
        _styled(self)


class PairingEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    frequency = forms.ChoiceField(label=_("Visit frequency"), choices=VisitFrequency.choices)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class PairingEndForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    ends_on = forms.DateField(label=_("End date"), widget=DATE_WIDGET)

    def __init__(self, *args, user=None, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("ends_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        _styled(self)


class VisitEntryForm(forms.Form):
    """The visit itself; its demands that become obstacles are DemandForms beside it."""

    enterprise = forms.ModelChoiceField(
        label=_("Enterprise"),
        queryset=Enterprise.objects.none(),
        help_text=_("Type part of the company's name or tax code."),
    )
    visited_on = forms.DateField(label=_("Visit date"), widget=DATE_WIDGET)
    form = forms.ChoiceField(
        label=_("Form of the visit"),
        choices=VisitFormChoice.choices,
        initial=VisitFormChoice.ON_SITE,
        widget=forms.RadioSelect,
    )
    officials = forms.ModelMultipleChoiceField(
        label=_("Other officials present"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("You are recorded as present."),
    )
    people_met = forms.CharField(label=_("People met"), max_length=255, required=False)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}))
    demands = forms.CharField(
        label=_("Demands raised"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Everything the company asked for; the ones to act on become obstacles below."),
    )

    def __init__(self, *args, user=None, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("visited_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.user = user
        self.paired = list(
            Enterprise.objects.visible_to(user)
            .filter(pairings__official=user, pairings__ends_on__isnull=True)
            .order_by("name", "pk")
            .values_list("pk", "name", "tax_code")[:50]
        )
        _searchable_enterprise(
            self, "enterprise", Enterprise.objects.visible_to(user).order_by("name", "pk")
        )
        # The user's paired enterprises come first, ready to pick without typing.
        chosen = self.fields["enterprise"].widget.choices[1:]
        chosen_ids = {pk for pk, _label in chosen}
        self.fields["enterprise"].widget.choices = (
            [("", "---------")]
            + chosen
            + [(pk, f"{name} ({code})") for pk, name, code in self.paired if pk not in chosen_ids]
        )
        officials = officials_for_pairing(user).exclude(pk=getattr(user, "pk", None))
        self.fields["officials"].queryset = officials
        searchable_officials(self, "officials", multiple=True)
        _styled(self, large=True)
        self.fields["form"].widget.attrs["class"] = "btn-check"

    def clean_visited_on(self):
        day = self.cleaned_data["visited_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The visit date cannot be in the future."))
        return day


class DemandForm(forms.Form):
    """A demand of the company that becomes an obstacle in the same step."""

    title = forms.CharField(label=_("Obstacle title"), max_length=255)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "---------"), *Category.choices]
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


DemandFormSet = forms.formset_factory(DemandForm, extra=1, max_num=10, validate_max=True)
