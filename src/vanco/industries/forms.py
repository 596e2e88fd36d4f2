from django.utils.translation import gettext_lazy as _

from vanco.core.forms import VersionedModelForm
from vanco.industries.models import ChainNode, Industry


class IndustryForm(VersionedModelForm):
    class Meta:
        model = Industry
        fields = ["code", "name", "description", "sort_order"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

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
