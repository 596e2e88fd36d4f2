from django.db import transaction
from django.db.models import Prefetch
from ninja import Router, Schema
from ninja.responses import Status

from vanco.accounts import services
from vanco.accounts.forms import RoleRowForm, UserForm
from vanco.accounts.models import RoleAssignment, User
from vanco.api.crud import get_editable, get_visible
from vanco.api.errors import FormInvalid, form_errors
from vanco.api.pagination import LimitOffsetPagination, paginate
from vanco.core import access
from vanco.core.services import save_versioned
from vanco.core.text import fold

router = Router(tags=["users"])


class RoleOut(Schema):
    role: str
    locality_id: int | None
    department_id: int | None
    enterprise_tax_code: str


class RoleIn(Schema):
    role: str
    locality_id: int | None = None
    department_id: int | None = None
    enterprise_tax_code: str = ""


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    title: str
    email: str
    phone: str
    language: str
    is_active: bool
    version: int
    roles: list[RoleOut]

    @staticmethod
    def resolve_roles(obj):
        return list(obj.role_assignments.all())


class UserIn(Schema):
    username: str
    full_name: str
    password: str
    title: str = ""
    email: str = ""
    phone: str = ""
    language: str = "vi"
    roles: list[RoleIn]


class UserPatch(Schema):
    version: int
    full_name: str | None = None
    title: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str | None = None
    password: str | None = None
    roles: list[RoleIn] | None = None


def _role_specs(request, roles: list[RoleIn]):
    specs, errors = [], {}
    for index, role in enumerate(roles):
        form = RoleRowForm(
            data={
                "role": role.role,
                "locality": role.locality_id or "",
                "department": role.department_id or "",
                "enterprise_tax_code": role.enterprise_tax_code,
            },
            user=request.user,
        )
        if form.is_valid():
            specs.append(form.spec())
        else:
            for field, messages in form_errors(form).items():
                errors[f"roles.{index}.{field}"] = messages
    if not roles:
        errors["roles"] = [str(services.NO_ROLE_MESSAGE)]
    if errors:
        raise FormInvalid(errors)
    return specs


def _save_user(request, *, instance, data: dict, roles):
    form = UserForm(data=data, instance=instance, user=request.user)
    if not form.is_valid():
        raise FormInvalid(form_errors(form))
    specs = _role_specs(request, roles) if roles is not None else None
    with transaction.atomic():
        user = form.save(commit=False)
        save_versioned(
            instance=user, expected_version=form.cleaned_data.get("version"), actor=request.user
        )
        if specs is not None:
            services.set_roles(actor=request.user, user=user, roles=specs)
    return user


def _users(request):
    assignments = RoleAssignment.objects.order_by("pk")
    return (
        User.objects.visible_to(request.user)
        .filter(is_system=False)
        .prefetch_related(Prefetch("role_assignments", queryset=assignments))
    )


@router.get("/me", response=UserOut)
def me(request):
    return _users(request).get(pk=request.user.pk)


@router.get("/users", response=list[UserOut])
@paginate(LimitOffsetPagination)
def list_users(request, q: str | None = None, role: str | None = None, active: bool | None = None):
    qs = _users(request).order_by("full_name", "pk")
    if q:
        qs = qs.filter(search_text__contains=fold(q))
    if role:
        qs = qs.filter(pk__in=RoleAssignment.objects.filter(role=role).values("user_id"))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


@router.get("/users/{int:user_id}", response=UserOut)
def get_user(request, user_id: int):
    get_visible(request, User, user_id)
    return _users(request).get(pk=user_id)


@router.post("/users", response={201: UserOut})
def create_user(request, payload: UserIn):
    access.require(request.user, "users.manage")
    data = payload.dict(exclude={"roles", "password"})
    data["new_password"] = payload.password
    user = _save_user(request, instance=None, data=data, roles=payload.roles)
    return Status(201, _users(request).get(pk=user.pk))


@router.patch("/users/{int:user_id}", response=UserOut)
def update_user(request, user_id: int, payload: UserPatch):
    user = get_editable(request, User, user_id, "users.manage")
    unbound = UserForm(instance=user, user=request.user)
    data = {name: unbound[name].value() for name in unbound.fields}
    changes = payload.dict(exclude_unset=True, exclude={"roles", "password"})
    data.update({key: value for key, value in changes.items() if value is not None})
    data["new_password"] = payload.password or ""
    _save_user(request, instance=user, data=data, roles=payload.roles)
    return _users(request).get(pk=user.pk)
