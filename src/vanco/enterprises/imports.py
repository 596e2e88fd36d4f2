"""The enterprise rows of `vanco import` / `vanco export` and of the import page."""

from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from vanco.core import access, imports
from vanco.core.identifiers import normalise_enterprise_key
from vanco.core.imports import ImportColumn, choice_label, choice_to_form
from vanco.enterprises.enums import EnterpriseSize, EnterpriseStatus, Ownership
from vanco.enterprises.filters import EnterpriseFilter
from vanco.enterprises.forms import EnterpriseForm, placeable_localities
from vanco.enterprises.models import Contact, Enterprise
from vanco.enterprises.tables import main_contact, mask_email, mask_phone
from vanco.industries.models import ChainNode, Industry
from vanco.org.models import Locality


def _tax_code(value: Any, importer) -> str:
    if isinstance(value, int):
        # Excel turned the code into a number and dropped its leading zero.
        value = f"{value:010d}"
    return normalise_enterprise_key(imports.text(value))


def _locality(value: Any, importer) -> Any:
    code = imports.text(value).upper()
    if not code:
        return ""
    locality = importer.cache["localities"].get(code)
    if locality is None:
        raise ValidationError(_("no locality has the code “%(code)s”."), params={"code": value})
    if locality.pk not in importer.cache["placeable"]:
        raise ValidationError(
            _("“%(name)s” is outside the area you are responsible for."),
            params={"name": locality.name},
        )
    return locality.pk


def _chain_nodes(value: Any, importer) -> list:
    tokens = imports.text(value).replace(";", ",").split(",")
    return [imports.chain_node_pk(token, importer) for token in tokens if token.strip()]


def _export_nodes(obj: Enterprise, importer) -> str:
    return ", ".join(imports.chain_node_code(node, importer) for node in obj.chain_nodes.all())


def _contact_value(attribute: str):
    def value(obj: Enterprise, importer) -> str:
        contact = main_contact(obj)
        if contact is None:
            return ""
        raw = getattr(contact, attribute)
        if attribute == "name" or importer.cache["unmasked"]:
            return raw
        return mask_phone(raw) if attribute == "phone" else mask_email(raw)

    return value


class EnterpriseImporter(imports.Importer):
    model = Enterprise
    form_class = EnterpriseForm
    key_field = "tax_code"
    action = "enterprises.import"
    title = _("Enterprises")
    columns = [
        ImportColumn(
            "name",
            _("Name"),
            to_form=imports.text_cell,
            required=True,
            example="Công ty TNHH Cơ khí Ánh Dương",
        ),
        ImportColumn(
            "tax_code", _("Tax code"), to_form=_tax_code, required=True, example="0100109106"
        ),
        ImportColumn(
            "locality",
            _("Locality code"),
            to_form=_locality,
            from_object=imports.related_attr("locality"),
            required=True,
            example="DA",
        ),
        ImportColumn(
            "locality_name",
            _("Locality name"),
            ignored=True,
            from_object=lambda o, i: o.locality.name,
        ),
        ImportColumn(
            "industry",
            _("Leading industry code"),
            to_form=imports.lookup("industries", _("no leading industry has the code “%(code)s”.")),
            from_object=imports.related_attr("industry"),
            example="",
        ),
        ImportColumn(
            "chain_nodes",
            _("Chain node codes"),
            to_form=_chain_nodes,
            from_object=_export_nodes,
            example="",
        ),
        ImportColumn(
            "status",
            _("Status"),
            to_form=choice_to_form(EnterpriseStatus.choices),
            from_object=choice_label("status"),
            example=EnterpriseStatus.OPERATING.label,
        ),
        ImportColumn(
            "size",
            _("Size"),
            to_form=choice_to_form(EnterpriseSize.choices),
            from_object=choice_label("size"),
            example=EnterpriseSize.SMALL.label,
        ),
        ImportColumn(
            "ownership",
            _("Ownership"),
            to_form=choice_to_form(Ownership.choices),
            from_object=choice_label("ownership"),
            example=Ownership.DOMESTIC.label,
        ),
        ImportColumn(
            "country", _("Country"), to_form=lambda v, i: imports.text(v).upper(), example="VN"
        ),
        ImportColumn(
            "address",
            _("Address"),
            to_form=imports.text_cell,
            example="Số 12 đường Lê Lợi",
        ),
        ImportColumn("employees", _("Employees"), to_form=imports.text_cell, example=120),
        ImportColumn("notes", _("Notes"), to_form=imports.text_cell, example=""),
        ImportColumn(
            "contact_name", _("Main contact"), ignored=True, from_object=_contact_value("name")
        ),
        ImportColumn(
            "contact_phone", _("Contact phone"), ignored=True, from_object=_contact_value("phone")
        ),
        ImportColumn(
            "contact_email", _("Contact email"), ignored=True, from_object=_contact_value("email")
        ),
    ]

    def __init__(self, user):
        super().__init__(user)
        self.cache["unmasked"] = access.can(user, "contacts.export")

    def prepare(self, rows):
        self.cache["localities"] = {
            loc.code.upper(): loc for loc in Locality.objects.visible_to(self.user)
        }
        self.cache["placeable"] = set(placeable_localities(self.user).values_list("pk", flat=True))
        self.cache["industries"] = {
            ind.code.upper(): ind for ind in Industry.objects.visible_to(self.user)
        }
        nodes = defaultdict(list)
        for node in ChainNode.objects.visible_to(self.user).select_related("industry"):
            nodes[node.code.upper()].append(node)
        self.cache["nodes"] = nodes

    def normalise_key(self, value):
        return _tax_code(value, self) if value not in (None, "") else ""

    def out_of_scope_message(self):
        return str(
            _(
                "an enterprise with this tax code is registered outside the area you are "
                "responsible for; it cannot be changed from here."
            )
        )

    def export_queryset(self, params):
        params = dict(params)
        code = str(params.get("locality") or "").strip()
        if code and not code.isdigit():
            locality = Locality.objects.visible_to(self.user).filter(code=code.upper()).first()
            if locality is None:
                raise imports.ImportFileError(
                    [str(_("no locality has the code “%(code)s”.") % {"code": code})]
                )
            params["locality"] = str(locality.pk)
        qs = Enterprise.objects.visible_to(self.user)
        return filtered_enterprises(qs, params, self.user)

    def export_columns(self):
        counts = defaultdict(int)
        for code in ChainNode.objects.visible_to(self.user).values_list("code", flat=True):
            counts[code] += 1
        self.cache["node_code_counts"] = counts
        return self.columns


def filtered_enterprises(qs, params: dict, user):
    """The list's filters and search applied to `qs`, with what an export row needs loaded."""
    from vanco.core.text import fold

    filterset = EnterpriseFilter(
        {key: value for key, value in params.items() if key != "q"} or None,
        queryset=qs,
        user=user,
    )
    if filterset.is_bound:
        qs = filterset.qs if filterset.is_valid() else qs.none()
    term = fold(params.get("q") or "")
    if term:
        qs = qs.filter(search_text__contains=term)
    return export_related(qs.order_by("name", "pk"))


def export_related(qs):
    return qs.select_related("locality", "industry").prefetch_related(
        Prefetch("chain_nodes", queryset=ChainNode.objects.select_related("industry")),
        Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "name", "pk")),
    )


imports.register("enterprises", EnterpriseImporter)
