from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from vanco.core.forms import VersionedModelForm
from vanco.org.models import Locality
from vanco.targets.enums import Metric, definition
from vanco.targets.models import Campaign, Target


class TargetForm(VersionedModelForm):
    class Meta:
        model = Target
        fields = ["year", "locality", "metric", "value", "note"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locality"].queryset = Locality.objects.visible_to(user).order_by("path")
        if self.instance.pk:
            # The key of a stored target does not change: edit its value, or add another.
            for name in ("year", "locality", "metric"):
                self.fields[name].disabled = True
        metric = self.initial.get("metric") or self.instance.metric
        if metric in Metric.values:
            self.fields["value"].help_text = definition(metric)


def weight_field_name(metric: str) -> str:
    return f"weight_{metric}"


class CampaignForm(VersionedModelForm):
    """The campaign with one weight field per metric (stored together as `weights`)."""

    class Meta:
        model = Campaign
        fields = ["name", "first_year", "last_year", "completion_cap", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        weights = self.instance.weights or {}
        for metric, label in Metric.choices:
            name = weight_field_name(metric)
            self.fields[name] = forms.DecimalField(
                label=_("Weight: %(metric)s") % {"metric": label},
                min_value=Decimal("0"),
                max_value=Decimal("100"),
                max_digits=5,
                decimal_places=2,
                required=False,
                initial=weights.get(metric, 0 if self.instance.pk else 1),
                help_text=definition(metric),
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.5"}),
            )

    def weight_fields(self):
        return [self[weight_field_name(metric)] for metric in Metric.values]

    def main_fields(self):
        return [self[name] for name in self.Meta.fields]

    def clean(self):
        cleaned = super().clean()
        self.instance.weights = {
            metric: str(cleaned.get(weight_field_name(metric)) or 0)
            for metric in Metric.values
            if cleaned.get(weight_field_name(metric))
        }
        if not self.instance.weights:
            raise forms.ValidationError(_("Give at least one metric a weight above zero."))
        return cleaned
