"""Forms of the dispatch pages, API and imports: cycles, light rules, progress reports."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanco.core.forms import VersionedModelForm
from vanco.projects.models import DispatchCycle, LightRules, ProgressReport

#: In the order of the form: the figures first (quick on a phone), then the narrative.
REPORT_FIELDS = [
    "progress_percent",
    "progress_drop_reason",
    "funds_this_period",
    "jobs_created",
    "narrative",
    "milestones",
    "next_steps",
    "obstacles_text",
]
#: How many files one report submission may carry.
MAX_REPORT_FILES = 10


class CycleForm(VersionedModelForm):
    class Meta:
        model = DispatchCycle
        fields = ["name", "frequency", "starts_on", "due_days", "is_active"]
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class LightRulesForm(VersionedModelForm):
    class Meta:
        model = LightRules
        fields = [
            "yellow_behind_points",
            "red_behind_points",
            "not_started_days",
            "idle_lead_days",
            "missing_reports_red",
            "yellow_periods_red",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more files; each is checked by the attachment rules when the report is stored."""

    def __init__(self, *args, **kwargs):
        from vanco.core.uploads import ALLOWED_EXTENSIONS

        accept = ",".join(f".{extension}" for extension in ALLOWED_EXTENSIONS)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]

    def has_changed(self, initial, data):
        # No file chosen is no change (imports and the API compare forms without files).
        return not self.disabled and bool(data)


class ReportForm(forms.ModelForm):
    """The fields an officer fills in; used by the web, the API and imports alike.

    `files` (photos, minutes…) is optional; the web form sends it, the API and imports don't.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    files = MultipleFileField(
        label=gettext_lazy("Attachments (photos, minutes…)"),
        required=False,
        help_text=gettext_lazy("Optional. You may choose several files."),
    )

    class Meta:
        model = ProgressReport
        fields = REPORT_FIELDS
        widgets = {
            "narrative": forms.Textarea(attrs={"rows": 3}),
            "progress_drop_reason": forms.Textarea(attrs={"rows": 2}),
            "milestones": forms.Textarea(attrs={"rows": 2}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
            "obstacles_text": forms.Textarea(attrs={"rows": 2}),
            "progress_percent": forms.NumberInput(
                attrs={"inputmode": "decimal", "step": "0.01", "min": "0", "max": "100"}
            ),
            "funds_this_period": forms.NumberInput(
                attrs={"inputmode": "decimal", "step": "0.001", "min": "0"}
            ),
            "jobs_created": forms.NumberInput(attrs={"inputmode": "numeric", "min": "0"}),
        }

    def __init__(self, *args, previous=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.previous = previous
        self.fields["progress_percent"].required = True
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        for field in self.fields.values():
            if not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs.setdefault("class", "form-control")

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        if len(files) > MAX_REPORT_FILES:
            raise forms.ValidationError(
                _("At most %(count)s files can be attached to one report.")
                % {"count": MAX_REPORT_FILES}
            )
        return files

    def clean(self):
        data = super().clean()
        progress = data.get("progress_percent")
        previous = self.previous.progress_percent if self.previous is not None else None
        if (
            progress is not None
            and previous is not None
            and progress < previous
            and not (data.get("progress_drop_reason") or "").strip()
        ):
            self.add_error(
                "progress_drop_reason",
                _(
                    "The progress is lower than in the previous report (%(previous)s %%): "
                    "explain why."
                )
                % {"previous": previous},
            )
        return data
