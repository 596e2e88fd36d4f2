from ninja import Field, FilterSchema, Query, Router, Schema

from vanco.api.crud import add_reference_operations, get_visible
from vanco.api.pagination import LimitOffsetPagination, paginate
from vanco.core.text import fold
from vanco.org.forms import DepartmentForm, LocalityForm
from vanco.org.models import Department, Locality

router = Router(tags=["organisation"])

VERSION_HELP = "The version you loaded; a change based on an older one is refused."


class LocalityOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    depth: int
    is_active: bool
    version: int


class LocalityIn(Schema):
    code: str
    name: str
    kind: str
    parent_id: int | None = None


class LocalityPatch(Schema):
    version: int = Field(..., description=VERSION_HELP)
    code: str | None = None
    name: str | None = None
    kind: str | None = None
    parent_id: int | None = None


class LocalityFilters(FilterSchema):
    q: str | None = Field(None, description="Search in code and name, ignoring diacritics")
    kind: str | None = None
    within: int | None = Field(None, description="Only this locality's subtree (id)")
    active: bool | None = None


def _locality_form_data(data: dict) -> dict:
    if "parent_id" in data:
        data["parent"] = data.pop("parent_id")
    return data


@router.get("/localities", response=list[LocalityOut])
@paginate(LimitOffsetPagination)
def list_localities(request, filters: Query[LocalityFilters]):
    qs = Locality.objects.visible_to(request.user).order_by("path")
    if filters.q:
        qs = qs.filter(search_text__contains=fold(filters.q))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.within:
        root = get_visible(request, Locality, filters.within)
        qs = qs.filter(path__startswith=root.path)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    return qs


add_reference_operations(
    router,
    model=Locality,
    noun="locality",
    path="localities",
    out=LocalityOut,
    create_schema=LocalityIn,
    patch_schema=LocalityPatch,
    form_class=LocalityForm,
    action="org.manage",
    to_form=_locality_form_data,
)


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    email: str
    phone: str
    is_active: bool
    version: int


class DepartmentIn(Schema):
    code: str
    name: str
    short_name: str = ""
    email: str = ""
    phone: str = ""


class DepartmentPatch(Schema):
    version: int = Field(..., description=VERSION_HELP)
    code: str | None = None
    name: str | None = None
    short_name: str | None = None
    email: str | None = None
    phone: str | None = None


@router.get("/departments", response=list[DepartmentOut])
@paginate(LimitOffsetPagination)
def list_departments(request, q: str | None = None, active: bool | None = None):
    qs = Department.objects.visible_to(request.user).order_by("name")
    if q:
        qs = qs.filter(search_text__contains=fold(q))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


add_reference_operations(
    router,
    model=Department,
    noun="department",
    path="departments",
    out=DepartmentOut,
    create_schema=DepartmentIn,
    patch_schema=DepartmentPatch,
    form_class=DepartmentForm,
    action="org.manage",
)
