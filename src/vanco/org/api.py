from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from vanco.api.crud import get_editable, get_visible, save_with_form
from vanco.core.text import fold
from vanco.org.forms import DepartmentForm, LocalityForm
from vanco.org.models import Department, Locality

router = Router(tags=["organisation"])


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
    version: int = Field(
        ...,
        description="The version you loaded; a change based on an older one is refused.",
    )
    code: str | None = None
    name: str | None = None
    kind: str | None = None
    parent_id: int | None = None


class LocalityFilters(FilterSchema):
    q: str | None = Field(None, description="Search in code and name, ignoring diacritics")
    kind: str | None = None
    within: int | None = Field(None, description="Only this locality's subtree (id)")
    active: bool | None = None


def _locality_payload(payload) -> dict:
    data = payload.dict(exclude_unset=True)
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


@router.get("/localities/{int:locality_id}", response=LocalityOut)
def get_locality(request, locality_id: int):
    return get_visible(request, Locality, locality_id)


@router.post("/localities", response={201: LocalityOut})
def create_locality(request, payload: LocalityIn):
    obj = save_with_form(
        request,
        form_class=LocalityForm,
        instance=None,
        payload=_locality_payload(payload),
        action="org.manage",
    )
    return Status(201, obj)


@router.patch("/localities/{int:locality_id}", response=LocalityOut)
def update_locality(request, locality_id: int, payload: LocalityPatch):
    obj = get_editable(request, Locality, locality_id, "org.manage")
    return save_with_form(
        request,
        form_class=LocalityForm,
        instance=obj,
        payload=_locality_payload(payload),
        action="org.manage",
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
    version: int
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


@router.get("/departments/{int:department_id}", response=DepartmentOut)
def get_department(request, department_id: int):
    return get_visible(request, Department, department_id)


@router.post("/departments", response={201: DepartmentOut})
def create_department(request, payload: DepartmentIn):
    obj = save_with_form(
        request,
        form_class=DepartmentForm,
        instance=None,
        payload=payload.dict(),
        action="org.manage",
    )
    return Status(201, obj)


@router.patch("/departments/{int:department_id}", response=DepartmentOut)
def update_department(request, department_id: int, payload: DepartmentPatch):
    obj = get_editable(request, Department, department_id, "org.manage")
    return save_with_form(
        request,
        form_class=DepartmentForm,
        instance=obj,
        payload=payload.dict(exclude_unset=True),
        action="org.manage",
    )
