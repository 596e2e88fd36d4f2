"""Writes through the API use the same forms as the web, so the same rules hold everywhere."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from ninja.responses import Status

from vanco.api.errors import FormInvalid, form_errors
from vanco.core import access
from vanco.core.services import save_versioned


def get_visible(request, model, pk):
    return access.visible_or_404(model, request.user, pk)


def get_editable(request, model, pk, action: str):
    obj = get_visible(request, model, pk)
    access.require(request.user, action)
    if not access.editable(model, request.user).filter(pk=obj.pk).exists():
        raise PermissionDenied(action)
    return obj


def _current_data(form_class, instance, user) -> dict:
    unbound = form_class(instance=instance, user=user)
    return {name: unbound[name].value() for name in unbound.fields}


def save_with_form(request, *, form_class, instance, payload: dict, action: str):
    access.require(request.user, action)
    data = _current_data(form_class, instance, request.user) if instance is not None else {}
    # The payload holds only the fields the client sent; an explicit null empties a field.
    data.update({key: "" if value is None else value for key, value in payload.items()})
    data = {key: value for key, value in data.items() if value is not None}
    form = form_class(data=data, instance=instance, user=request.user)
    if not form.is_valid():
        raise FormInvalid(form_errors(form))
    with transaction.atomic():
        obj = form.save(commit=False)
        save_versioned(
            instance=obj, expected_version=form.cleaned_data.get("version"), actor=request.user
        )
        form.save_m2m()
    return obj


def add_reference_operations(
    router,
    *,
    model,
    noun: str,
    path: str,
    out,
    create_schema,
    patch_schema,
    form_class,
    action: str,
    to_form=None,
) -> None:
    """Register detail, create and partial update of one model: the same shape everywhere.

    `to_form` maps the API's field names (``parent_id``) to the form's (``parent``).
    """
    to_form = to_form or (lambda data: data)

    def detail(request, pk: int):
        return get_visible(request, model, pk)

    def create(request, payload):
        data = to_form(payload.dict())
        obj = save_with_form(
            request, form_class=form_class, instance=None, payload=data, action=action
        )
        return Status(201, obj)

    def update(request, pk: int, payload):
        obj = get_editable(request, model, pk, action)
        data = to_form(payload.dict(exclude_unset=True))
        return save_with_form(
            request, form_class=form_class, instance=obj, payload=data, action=action
        )

    create.__annotations__["payload"] = create_schema
    update.__annotations__["payload"] = patch_schema
    for verb, function, route, response, name in (
        ("get", detail, f"/{path}/{{pk}}", out, f"get_{noun}"),
        ("post", create, f"/{path}", {201: out}, f"create_{noun}"),
        ("patch", update, f"/{path}/{{pk}}", out, f"update_{noun}"),
    ):
        function.__name__ = name
        # Named like ninja names the hand-written operations: vanco_<app>_api_<function>.
        operation_id = f"vanco_{model._meta.app_label}_api_{name}"
        getattr(router, verb)(route, response=response, operation_id=operation_id, url_name=name)(
            function
        )


def ordering(sort: str | None, allowed, default: tuple[str, ...]) -> tuple[str, ...]:
    """The `order_by` of a list operation's `sort` parameter (`field` or `-field`, one of
    `allowed`), or `default` for anything else — never an expression the database refuses."""
    sort = sort or ""
    key = sort[1:] if sort.startswith("-") else sort
    if key in allowed:
        return (sort, "pk")
    return default
