from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vanco.core import access
from vanco.core.forms import VersionedModelForm
from vanco.core.identifiers import normalise_enterprise_key
from vanco.enterprises.models import Contact, Enterprise
from vanco.industries.models import ChainNode, Industry
from vanco.org.models import Locality


def placeable_localities(user):
    """Localities a user may put an enterprise in: coordinators anywhere, others their subtree."""
    localities = Locality.objects.visible_to(user).filter(is_active=True)
    scope = access.scope_for(user)
    if scope.has("coordinator"):
        return localities
    if not access.can(user, "enterprises.manage"):
        return localities.none()
    return localities.filter(scope.locality_q("path"))


class EnterpriseForm(VersionedModelForm):
    """Validates a web edit, an API write and every imported row alike."""

    class Meta:
        model = Enterprise
        fields = [
            "name",
            "tax_code",
            "locality",
            "industry",
            "chain_nodes",
            "status",
            "size",
            "ownership",
            "country",
            "address",
            "employees",
            "notes",
        ]
        help_texts = {
            "country": _("Two-letter code of the investor's country, e.g. VN, CN, KR."),
            "chain_nodes": _("The chain nodes this enterprise works on."),
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locality"].queryset = placeable_localities(user).order_by("path")
        self.fields["industry"].queryset = Industry.objects.visible_to(user).filter(is_active=True)
        self.fields["chain_nodes"].queryset = (
            ChainNode.objects.visible_to(user)
            .filter(is_active=True)
            .select_related("industry")
            .order_by("industry__sort_order", "industry__code", "path")
        )
        self.fields["chain_nodes"].required = False

    def clean_tax_code(self):
        return normalise_enterprise_key(self.cleaned_data["tax_code"])

    def clean_country(self):
        return (self.cleaned_data.get("country") or "").strip().upper()

    def clean(self):
        cleaned = super().clean()
        industry = cleaned.get("industry")
        nodes = cleaned.get("chain_nodes") or []
        stray = [node for node in nodes if industry is None or node.industry_id != industry.pk]
        if stray:
            self.add_error(
                "chain_nodes",
                ValidationError(
                    _("The chain nodes must belong to the enterprise's leading industry."),
                    code="chain_node_industry",
                ),
            )
        return cleaned


class ContactForm(VersionedModelForm):
    class Meta:
        model = Contact
        fields = ["name", "position", "phone", "email", "is_primary"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.setdefault("inputmode", "tel")
        self.fields["email"].widget.attrs.setdefault("inputmode", "email")
