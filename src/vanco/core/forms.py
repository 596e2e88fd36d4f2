from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# Django 6.1's empty choice of every select; its own vi and zh_Hans catalogues do not have it
# yet, so ours carry the translation (catalogues of installed apps are merged).
BLANK_CHOICE_LABEL = gettext_noop("- Select an option -")


class VersionedModelForm(forms.ModelForm):
    """Carries the version the user started from, so a stale save is refused, not overwritten."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput,)):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                widget.attrs.setdefault("class", "form-select")
                _mark_searchable(field)
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control")

    def clean_version(self):
        version = self.cleaned_data.get("version")
        if self.instance.pk and version is None:
            raise forms.ValidationError(_("The form is incomplete; reload the page."))
        return version


SEARCHABLE_CHOICES = 12


def _mark_searchable(field: forms.Field) -> None:
    """Selects with many options get a search box (tom-select, see static/js/vanco.js)."""
    if (
        isinstance(field, forms.ModelChoiceField)
        or len(list(getattr(field, "choices", ()))) > SEARCHABLE_CHOICES
    ):
        field.widget.attrs.setdefault("data-search", "1")
        field.widget.attrs.setdefault("data-placeholder", _("Type to search…"))


def bootstrap(form: forms.Form) -> forms.Form:
    for field in form.fields.values():
        if isinstance(field.widget, (forms.Select, forms.SelectMultiple)):
            _mark_searchable(field)
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            widget.attrs.setdefault("class", "form-select form-select-sm")
        elif not isinstance(widget, forms.HiddenInput):
            widget.attrs.setdefault("class", "form-control form-control-sm")
    return form
