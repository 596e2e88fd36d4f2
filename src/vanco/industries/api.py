from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from vanco.api.crud import add_reference_operations
from vanco.core.text import fold
from vanco.industries.forms import ChainNodeForm, IndustryForm
from vanco.industries.models import ChainNode, Industry

router = Router(tags=["industries"])


class IndustryOut(Schema):
    id: int
    code: str
    name: str
    description: str
    sort_order: int
    is_active: bool
    version: int


class IndustryIn(Schema):
    code: str
    name: str
    description: str = ""
    sort_order: int = 0


class IndustryPatch(Schema):
    version: int
    code: str | None = None
    name: str | None = None
    description: str | None = None
    sort_order: int | None = None


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
