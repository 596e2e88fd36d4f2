import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.responses import Status

from vanco.api.crud import add_reference_operations, get_visible
from vanco.api.errors import FormInvalid, form_errors
from vanco.api.pagination import LimitOffsetPagination, paginate
from vanco.core import access
from vanco.core.text import fold
from vanco.enterprises import pairings
from vanco.enterprises.forms import EnterpriseForm
from vanco.enterprises.models import Contact, Enterprise, Pairing, Visit
from vanco.enterprises.pairing_filters import PairingFilter, VisitFilter
from vanco.enterprises.pairing_forms import DemandForm, VisitEntryForm
from vanco.enterprises.pairing_tables import days_late
from vanco.enterprises.pairings import officials_for_pairing
from vanco.obstacles.models import Obstacle
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


# --- pairings, visits, coverage -------------------------------------------------------------
# Reads start at visible_to (out of scope: 404); changes go through enterprises.pairings, which
# checks the action (403), the version the client loaded (409) and the rules (422).


class PairingOut(Schema):
    id: int
    official_id: int
    official_name: str
    enterprise_id: int
    enterprise_name: str = Field(..., alias="enterprise.name")
    starts_on: datetime.date
    ends_on: datetime.date | None
    frequency: str
    note: str
    last_visit_on: datetime.date | None
    next_visit_due: datetime.date
    days_late: int
    version: int

    @staticmethod
    def resolve_official_name(obj) -> str:
        return obj.official.full_name or obj.official.username

    @staticmethod
    def resolve_days_late(obj) -> int:
        return days_late(obj)


class PairingIn(Schema):
    official_id: int
    enterprise_id: int
    starts_on: datetime.date
    frequency: str = "quarterly"
    note: str = ""


class PairingPatch(Schema):
    version: int = Field(..., description=VERSION_HELP)
    frequency: str | None = None
    note: str | None = None


class PairingEndIn(Schema):
    version: int = Field(..., description=VERSION_HELP)
    ends_on: datetime.date | None = Field(None, description="Defaults to today.")


class VisitRow(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str = Field(..., alias="enterprise.name")
    pairing_id: int | None
    visited_on: datetime.date
    form: str
    official_ids: list[int]
    people_met: str
    summary: str
    demands: str
    recorded_by_id: int
    version: int

    @staticmethod
    def resolve_official_ids(obj) -> list[int]:
        return [official.pk for official in obj.officials.all()]


class VisitOut(VisitRow):
    obstacle_ids: list[int]

    @staticmethod
    def resolve_obstacle_ids(obj, context) -> list[int]:
        obstacles = Obstacle.objects.visible_to(context["request"].user).filter(visit=obj)
        return list(obstacles.order_by("pk").values_list("pk", flat=True))


class DemandIn(Schema):
    title: str
    category: str
    severity: str = "medium"
    description: str


class VisitIn(Schema):
    enterprise_id: int
    visited_on: datetime.date
    form: str = "on_site"
    official_ids: list[int] = Field([], description="Other officials present (you always are).")
    people_met: str = ""
    summary: str
    demands: str = ""
    obstacles: list[DemandIn] = Field(
        [], description="Demands that become obstacles (raised from this visit)."
    )


class CoverageRow(Schema):
    locality_id: int | None
    locality_name: str
    enterprises: int
    paired: int
    paired_share: int
    visited: int
    visited_share: int
    behind: int


class CoverageOut(Schema):
    quarter_start: datetime.date
    rows: list[CoverageRow]


def _pairing_queryset(user):
    return Pairing.objects.visible_to(user).select_related("official", "enterprise")


def _filtered(filterset_class, request, qs):
    filterset = filterset_class(request.GET, queryset=qs, request=request)
    if not filterset.is_valid():
        raise FormInvalid(form_errors(filterset.form))
    return filterset.qs


@router.get("/pairings", response=list[PairingOut], url_name="list_pairings")
@paginate(LimitOffsetPagination)
def list_pairings(
    request,
    official: int | None = None,
    enterprise: int | None = None,
    locality: int | None = Query(None, description="A locality id; includes its sub-localities"),
    frequency: str | None = None,
    state: str | None = Query(None, description="open or ended"),
    behind: str | None = Query(
        None, description="true: only pairings behind on visits; false: on time"
    ),
    q: str | None = Query(None, description="Search in the enterprise's name and tax code"),
):
    """Pairings you can see, with the filters of the web list; the most urgent visit first."""
    qs = _filtered(PairingFilter, request, _pairing_queryset(request.user))
    if q:
        qs = qs.filter(enterprise__search_text__contains=fold(q[:100]))
    return qs.order_by("next_visit_due", "pk")


@router.get("/pairings/{pk}", response=PairingOut, url_name="get_pairing")
def get_pairing(request, pk: int):
    return get_object_or_404(_pairing_queryset(request.user), pk=pk)


@router.post("/pairings", response={201: PairingOut}, url_name="create_pairing")
def create_pairing(request, payload: PairingIn):
    access.require(request.user, "pairings.manage")
    official = officials_for_pairing(request.user).filter(pk=payload.official_id).first()
    if official is None:
        raise FormInvalid({"official_id": [_("Choose an active official.")]})
    enterprise = get_visible(request, Enterprise, payload.enterprise_id)
    pairing = pairings.create_pairing(
        actor=request.user,
        official=official,
        enterprise=enterprise,
        starts_on=payload.starts_on,
        frequency=payload.frequency,
        note=payload.note,
    )
    return Status(201, get_object_or_404(_pairing_queryset(request.user), pk=pairing.pk))


@router.patch("/pairings/{pk}", response=PairingOut, url_name="update_pairing")
def update_pairing(request, pk: int, payload: PairingPatch):
    pairing = get_visible(request, Pairing, pk)
    pairings.update_pairing(
        actor=request.user,
        pairing=pairing,
        frequency=payload.frequency if payload.frequency is not None else pairing.frequency,
        note=payload.note if payload.note is not None else pairing.note,
        expected_version=payload.version,
    )
    return get_object_or_404(_pairing_queryset(request.user), pk=pk)


@router.post("/pairings/{pk}/end", response=PairingOut, url_name="end_pairing")
def end_pairing(request, pk: int, payload: PairingEndIn):
    pairing = get_visible(request, Pairing, pk)
    pairings.end_pairing(
        actor=request.user,
        pairing=pairing,
        ends_on=payload.ends_on,
        expected_version=payload.version,
    )
    return get_object_or_404(_pairing_queryset(request.user), pk=pk)


def _visit_queryset(user):
    return Visit.objects.visible_to(user).select_related("enterprise").prefetch_related("officials")


@router.get("/visits", response=list[VisitRow], url_name="list_visits")
@paginate(LimitOffsetPagination)
def list_visits(
    request,
    enterprise: int | None = None,
    official: int | None = None,
    locality: int | None = Query(None, description="A locality id; includes its sub-localities"),
    form: str | None = None,
    visited_from: datetime.date | None = None,
    visited_to: datetime.date | None = None,
):
    """Visits you can see, newest first, with the filters of the web list."""
    qs = _filtered(VisitFilter, request, _visit_queryset(request.user))
    return qs.order_by("-visited_on", "-pk")


@router.get("/visits/{pk}", response=VisitOut, url_name="get_visit")
def get_visit(request, pk: int):
    return get_object_or_404(_visit_queryset(request.user), pk=pk)


@router.post("/visits", response={201: VisitOut}, url_name="create_visit")
def create_visit(request, payload: VisitIn):
    """Log a visit; each item of `obstacles` becomes an obstacle raised from it (one step)."""
    access.require(request.user, "visits.log")
    data = payload.dict()
    data["enterprise"] = data.pop("enterprise_id")
    data["officials"] = data.pop("official_ids")
    demands = data.pop("obstacles")
    form = VisitEntryForm(data=data, user=request.user)
    if not form.is_valid():
        raise FormInvalid(form_errors(form))
    checked = []
    for index, demand in enumerate(demands):
        demand_form = DemandForm(data=demand)
        if not demand_form.is_valid():
            raise FormInvalid(
                {
                    f"obstacles.{index}.{name}": errors
                    for name, errors in form_errors(demand_form).items()
                }
            )
        checked.append(demand_form.cleaned_data)
    cleaned = form.cleaned_data
    visit, _obstacles = pairings.log_visit(
        actor=request.user, data=cleaned, officials=list(cleaned["officials"]), demands=checked
    )
    return Status(201, get_object_or_404(_visit_queryset(request.user), pk=visit.pk))


@router.get("/coverage", response=CoverageOut, url_name="get_coverage")
def get_coverage(request):
    """Per top-level locality you see: operating enterprises, paired, visited this quarter,
    with a pairing behind on visits."""
    since, rows = pairings.coverage_by_locality(request.user)
    return {
        "quarter_start": since,
        "rows": [
            {
                **{key: row[key] for key in CoverageRow.model_fields if key in row},
                "locality_id": row["locality"].pk if row["locality"] else None,
                "locality_name": str(row["locality"] or ""),
            }
            for row in rows
        ],
    }
