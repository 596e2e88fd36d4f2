from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from vanco.core.forms import bootstrap
from vanco.projects.models import DispatchPeriod
from vanco.reports.models import ReportKind


class GenerateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReportKind.choices)
    period = forms.ModelChoiceField(
        label=_("Dispatch period"),
        queryset=DispatchPeriod.objects.none(),
        required=False,
        help_text=_("For a dispatch bulletin."),
    )
    year = forms.IntegerField(
        label=_("Year"),
        min_value=2000,
        max_value=2100,
        required=False,
        help_text=_("For an annual work report."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = (
            DispatchPeriod.objects.visible_to(user).select_related("cycle").order_by("-starts_on")
        )
        self.fields["year"].initial = timezone.localdate().year
        self.fields["language"].initial = get_language()
        bootstrap(self)
        for field in self.fields.values():
            css = field.widget.attrs.get("class", "")
            field.widget.attrs["class"] = css.replace("-sm", "").replace(" form-control-", "")

    def clean(self):
        data = super().clean()
        if data.get("kind") == ReportKind.BULLETIN and not data.get("period"):
            self.add_error("period", _("Choose the dispatch period of the bulletin."))
        if data.get("kind") == ReportKind.ANNUAL and not data.get("year"):
            self.add_error("year", _("Choose the year of the report."))
        return data
