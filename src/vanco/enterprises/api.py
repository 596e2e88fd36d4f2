from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from vanco.api.crud import add_reference_operations, get_visible
from vanco.core.text import fold
from vanco.enterprises.forms import EnterpriseForm
from vanco.enterprises.models import Contact, Enterprise
from vanco.org.models import Locality

router = Router(tags=["enterprises"])

CONTACTS_ON_DETAIL = 50
VERSION_HELP = "The version you loaded; a change based on an older one is refused."


class EnterpriseRow(Schema):
    id: int
    name: str
    tax_code: str
    locality_id: int
    industry_id: int | None
    status: str
    size: str
    ownership: str
    country: str
    employees: int | None
    version: int


class ContactOut(Schema):
    id: int
    name: str
    position: str
    phone: str
    email: str
    is_primary: bool
    version: int


class EnterpriseOut(EnterpriseRow):
    address: str
    notes: str
    chain_node_ids: list[int]
    contacts: list[ContactOut]

    @staticmethod
    def resolve_chain_node_ids(obj):
        return [node.pk for node in obj.chain_nodes.all()]

    @staticmethod
    def resolve_contacts(obj, context):
        # The same contacts the web detail page shows this user.
        contacts = Contact.objects.visible_to(context["request"].user).filter(enterprise=obj)
        return list(contacts[:CONTACTS_ON_DETAIL])


class EnterpriseIn(Schema):
    name: str
    tax_code: str
    locality_id: int
    industry_id: int | None = None
    chain_node_ids: list[int] = []
    status: str = "operating"
    size: str = ""
    ownership: str = "domestic"
    country: str = "VN"
    address: str = ""
    employees: int | None = None
    notes: str = ""


class EnterprisePatch(Schema):
    version: int = Field(..., description=VERSION_HELP)
    name: str | None = None
    tax_code: str | None = None
    locality_id: int | None = None
    industry_id: int | None = None
    chain_node_ids: list[int] | None = None
    status: str | None = None
    size: str | None = None
    ownership: str | None = None
    country: str | None = None
    address: str | None = None
    employees: int | None = None
    notes: str | None = None


class EnterpriseFilters(FilterSchema):
    q: str | None = Field(None, description="Search in name and tax code, ignoring diacritics")
    status: str | None = None
    locality: int | None = Field(None, description="Only this locality and its sub-localities (id)")
    industry: int | None = None
    ownership: str | None = None
    country: str | None = None
    size: str | None = None


def _form_data(data: dict) -> dict:
    for api_name, form_name in (
        ("locality_id", "locality"),
        ("industry_id", "industry"),
        ("chain_node_ids", "chain_nodes"),
    ):
        if api_name in data:
            data[form_name] = data.pop(api_name)
    if data.get("chain_nodes") is None and "chain_nodes" in data:
        data["chain_nodes"] = []
    return data


@router.get("/enterprises", response=list[EnterpriseRow])
@paginate(LimitOffsetPagination)
def list_enterprises(request, filters: Query[EnterpriseFilters]):
    qs = Enterprise.objects.visible_to(request.user).order_by("name", "pk")
    if filters.q:
        qs = qs.filter(search_text__contains=fold(filters.q))
    for name in ("status", "ownership", "size"):
        value = getattr(filters, name)
        if value:
            qs = qs.filter(**{name: value})
    if filters.country:
        qs = qs.filter(country=filters.country.strip().upper())
    if filters.industry:
        qs = qs.filter(industry_id=filters.industry)
    if filters.locality:
        root = get_visible(request, Locality, filters.locality)
        qs = qs.filter(locality__path__startswith=root.path)
    return qs


add_reference_operations(
    router,
    model=Enterprise,
    noun="enterprise",
    path="enterprises",
    out=EnterpriseOut,
    create_schema=EnterpriseIn,
    patch_schema=EnterprisePatch,
    form_class=EnterpriseForm,
    action="enterprises.manage",
    to_form=_form_data,
)
