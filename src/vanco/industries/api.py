import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from vanco.api.crud import add_reference_operations, get_editable, get_visible, ordering
from vanco.api.errors import FormInvalid, form_errors
from vanco.api.pagination import LimitOffsetPagination, paginate
from vanco.core import access
from vanco.core.text import fold
from vanco.industries import queries, services
from vanco.industries.enums import OPEN_PROSPECT_STATUSES
from vanco.industries.forms import ChainNodeForm, IndustryForm, OutreachForm, ProspectForm
from vanco.industries.models import ChainNode, Industry, OutreachActivity, Prospect
from vanco.projects.forms import editable_localities

router = Router(tags=["industries"])


class IndustryOut(Schema):
    id: int
    code: str
    name: str
    description: str
    sort_order: int
    is_active: bool
    chief_id: int | None
    version: int


class IndustryIn(Schema):
    code: str
    name: str
    description: str = ""
    sort_order: int = 0
    chief_id: int | None = None


class IndustryPatch(Schema):
    version: int
    code: str | None = None
    name: str | None = None
    description: str | None = None
    sort_order: int | None = None
    chief_id: int | None = None


def _industry_payload(data: dict) -> dict:
    if "chief_id" in data:
        data["chief"] = data.pop("chief_id")
    return data


@router.get("/industries", response=list[IndustryOut])
@paginate(LimitOffsetPagination)
def list_industries(request, q: str | None = None, active: bool | None = None):
    qs = Industry.objects.visible_to(request.user).order_by("sort_order", "name")
    if q:
        qs = qs.filter(search_text__contains=fold(q))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


add_reference_operations(
    router,
    model=Industry,
    noun="industry",
    path="industries",
    out=IndustryOut,
    create_schema=IndustryIn,
    patch_schema=IndustryPatch,
    form_class=IndustryForm,
    action="industries.manage",
    to_form=_industry_payload,
)


class ChainNodeOut(Schema):
    id: int
    industry_id: int
    parent_id: int | None
    code: str
    name: str
    segment: str
    is_key: bool
    depth: int
    is_active: bool
    version: int


class ChainNodeIn(Schema):
    industry_id: int
    parent_id: int | None = None
    code: str
    name: str
    segment: str
    is_key: bool = False
    description: str = ""


class ChainNodePatch(Schema):
    version: int
    parent_id: int | None = None
    code: str | None = None
    name: str | None = None
    segment: str | None = None
    is_key: bool | None = None
    description: str | None = None


def _node_payload(data: dict) -> dict:
    for key in ("industry", "parent"):
        if f"{key}_id" in data:
            data[key] = data.pop(f"{key}_id")
    return data


@router.get("/chain-nodes", response=list[ChainNodeOut])
@paginate(LimitOffsetPagination)
def list_chain_nodes(
    request,
    industry: int | None = Query(None, description="Leading industry id"),
    segment: str | None = None,
    is_key: bool | None = None,
    q: str | None = None,
):
    qs = ChainNode.objects.visible_to(request.user).order_by("industry__sort_order", "path")
    if industry:
        qs = qs.filter(industry_id=industry)
    if segment:
        qs = qs.filter(segment=segment)
    if is_key is not None:
        qs = qs.filter(is_key=is_key)
    if q:
        qs = qs.filter(search_text__contains=fold(q))
    return qs


add_reference_operations(
    router,
    model=ChainNode,
    noun="chain_node",
    path="chain-nodes",
    out=ChainNodeOut,
    create_schema=ChainNodeIn,
    patch_schema=ChainNodePatch,
    form_class=ChainNodeForm,
    action="industries.manage",
    to_form=_node_payload,
)


# --- chain map and coverage -----------------------------------------------------------------


class NodeFiguresOut(Schema):
    id: int
    parent_id: int | None
    code: str
    name: str
    segment: str
    is_key: bool
    depth: int
    enterprises: int
    enterprises_in_subtree: int
    stages: dict[str, int]
    projects: int
    prospects_open: int
    is_gap: bool
    is_key_gap: bool
    url: str


class ChainMapOut(Schema):
    industry_id: int
    name: str
    chief_id: int | None
    signed_total: Decimal
    funds_total: Decimal
    open_obstacles: int
    nodes: list[NodeFiguresOut]


class CoverageOut(Schema):
    industry_id: int
    code: str
    name: str
    nodes: int
    covered: int
    gaps: int
    key_nodes: int
    key_gaps: int
    prospects_open: int
    url: str
    prospects_url: str


@router.get("/industries/{pk}/chain-map", response=ChainMapOut, url_name="chain_map")
def chain_map(request, pk: int):
    """Per node of the chain: operating enterprises, projects by stage, open prospects, gap
    and key gap — counted over what the caller may see."""
    industry = get_visible(request, Industry, pk)
    figures = (
        queries.with_chain_figures(Industry.objects.filter(pk=industry.pk), request.user)
        .values("signed_total", "funds_total", "open_obstacles")
        .get()
    )
    nodes = queries.chain_nodes(request.user, industry)
    return {
        "industry_id": industry.pk,
        "name": industry.name,
        "chief_id": industry.chief_id,
        **figures,
        "nodes": [
            {
                **{name: getattr(node, name) for name in NodeFiguresOut.model_fields},
            }
            for node in nodes
        ],
    }


@router.get("/chain-coverage", response=list[CoverageOut], url_name="chain_coverage")
def chain_coverage(request, industry: int | None = None):
    """Per leading industry: nodes, covered, gaps, key gaps and open prospects."""
    return queries.chain_coverage(request.user, industry)


# --- prospects and outreach -----------------------------------------------------------------

VERSION_HELP = "The version you loaded; a change based on an older one is refused (409)."
PROSPECT_SORTS = {"company_name", "status", "updated_at", "estimated_investment", "country"}


class ProspectOut(Schema):
    id: int
    industry_id: int
    node_id: int
    company_name: str
    country: str
    tax_code: str
    contact_name: str
    contact_phone: str
    contact_email: str
    estimated_investment: Decimal | None
    status: str
    owner_id: int | None
    notes: str
    project_id: int | None
    converted_at: datetime.datetime | None
    last_contact_on: datetime.date | None
    version: int


class ProspectIn(Schema):
    industry_id: int
    node_id: int
    company_name: str
    country: str = "VN"
    tax_code: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    estimated_investment: Decimal | None = None
    status: str = "identified"
    owner_id: int | None = None
    notes: str = ""


class ProspectPatch(Schema):
    version: int = Field(..., description=VERSION_HELP)
    industry_id: int | None = None
    node_id: int | None = None
    company_name: str | None = None
    country: str | None = None
    tax_code: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    estimated_investment: Decimal | None = None
    status: str | None = None
    owner_id: int | None = None
    notes: str | None = None


class ActivityOut(Schema):
    id: int
    prospect_id: int
    occurred_on: datetime.date
    channel: str
    official_ids: list[int]
    participants: str
    outcome: str
    next_step: str
    recorded_by_id: int
    created_at: datetime.datetime

    @staticmethod
    def resolve_official_ids(obj):
        return [user.pk for user in obj.officials.all()]


class ActivityIn(Schema):
    occurred_on: datetime.date
    channel: str
    outcome: str
    official_ids: list[int] = []
    participants: str = ""
    next_step: str = ""


class DeclineIn(Schema):
    version: int = Field(..., description=VERSION_HELP)
    reason: str


class ConvertIn(Schema):
    version: int = Field(..., description=VERSION_HELP)
    locality_id: int
    tax_code: str = ""
    project_name: str = ""
    planned_investment: Decimal | None = None


def _prospect_form_data(data: dict) -> dict:
    for key in ("industry", "node", "owner"):
        if f"{key}_id" in data:
            data[key] = data.pop(f"{key}_id")
    return {key: ("" if value is None else value) for key, value in data.items()}


@router.get("/prospects", response=list[ProspectOut], url_name="list_prospects")
@paginate(LimitOffsetPagination)
def list_prospects(
    request,
    industry: int | None = None,
    node: int | None = None,
    status: str | None = None,
    owner: int | None = None,
    open: bool | None = None,
    q: str | None = None,
    sort: str | None = None,
):
    qs = Prospect.objects.visible_to(request.user)
    if industry:
        qs = qs.filter(industry_id=industry)
    if node:
        qs = qs.filter(node_id=node)
    if status:
        qs = qs.filter(status=status)
    if owner:
        qs = qs.filter(owner_id=owner)
    if open is not None:
        qs = (qs.filter if open else qs.exclude)(status__in=OPEN_PROSPECT_STATUSES)
    if q:
        qs = qs.filter(search_text__contains=fold(q))
    return qs.order_by(*ordering(sort, PROSPECT_SORTS, ("-updated_at", "pk")))


@router.get("/prospects/{pk}", response=ProspectOut, url_name="get_prospect")
def get_prospect(request, pk: int):
    return get_visible(request, Prospect, pk)


@router.post("/prospects", response={201: ProspectOut}, url_name="create_prospect")
def create_prospect(request, payload: ProspectIn):
    access.require(request.user, services.ACTION)
    form = ProspectForm(data=_prospect_form_data(payload.dict()), user=request.user)
    if not form.is_valid():
        raise FormInvalid(form_errors(form))
    return Status(201, services.create_prospect(actor=request.user, data=form.cleaned_data))


@router.patch("/prospects/{pk}", response=ProspectOut, url_name="update_prospect")
def update_prospect(request, pk: int, payload: ProspectPatch):
    prospect = get_editable(request, Prospect, pk, services.ACTION)
    unbound = ProspectForm(instance=prospect, user=request.user)
    data = {name: unbound[name].value() for name in unbound.fields}
    data = {key: ("" if value is None else value) for key, value in data.items()}
    data.update(_prospect_form_data(payload.dict(exclude_unset=True)))
    form = ProspectForm(data=data, instance=prospect, user=request.user)
    if not form.is_valid():
        raise FormInvalid(form_errors(form))
    return services.update_prospect(
        actor=request.user,
        prospect=prospect,
        data=form.cleaned_data,
        expected_version=payload.version,
    )


@router.get(
    "/prospects/{pk}/activities", response=list[ActivityOut], url_name="list_prospect_activities"
)
@paginate(LimitOffsetPagination)
def list_activities(request, pk: int):
    prospect = get_visible(request, Prospect, pk)
    return (
        OutreachActivity.objects.visible_to(request.user)
        .filter(prospect=prospect)
        .prefetch_related("officials")
        .order_by("-occurred_on", "-pk")
    )


@router.post(
    "/prospects/{pk}/activities", response={201: ActivityOut}, url_name="log_prospect_activity"
)
def log_activity(request, pk: int, payload: ActivityIn):
    """Record a contact; an identified prospect becomes contacted."""
    prospect = get_visible(request, Prospect, pk)
    data = payload.dict()
    data["officials"] = data.pop("official_ids")
    form = OutreachForm(data=data, user=request.user)
    if not form.is_valid():
        raise FormInvalid(form_errors(form))
    cleaned = form.cleaned_data
    activity = services.log_outreach(
        actor=request.user,
        prospect=prospect,
        occurred_on=cleaned["occurred_on"],
        channel=cleaned["channel"],
        officials=list(cleaned["officials"]),
        participants=cleaned["participants"],
        outcome=cleaned["outcome"],
        next_step=cleaned["next_step"],
    )
    return Status(201, activity)


@router.post("/prospects/{pk}/decline", response=ProspectOut, url_name="decline_prospect")
def decline_prospect(request, pk: int, payload: DeclineIn):
    prospect = get_visible(request, Prospect, pk)
    return services.decline_prospect(
        actor=request.user,
        prospect=prospect,
        reason=payload.reason,
        expected_version=payload.version,
    )


@router.post("/prospects/{pk}/convert", response=ProspectOut, url_name="convert_prospect")
def convert_prospect(request, pk: int, payload: ConvertIn):
    """Turn the prospect into a `lead` project (and its enterprise, found by tax code or
    registered) in one step; the answer carries the new project's id."""
    prospect = get_visible(request, Prospect, pk)
    access.require(request.user, services.ACTION)
    access.require(request.user, "projects.manage")
    locality = editable_localities(request.user).filter(pk=payload.locality_id).first()
    if locality is None:
        raise FormInvalid({"locality_id": [_("Choose a locality you may host a project in.")]})
    return services.convert_prospect_to_lead(
        actor=request.user,
        prospect=prospect,
        locality=locality,
        tax_code=payload.tax_code,
        project_name=payload.project_name,
        planned_investment=payload.planned_investment,
        expected_version=payload.version,
    )
