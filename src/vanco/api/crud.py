"""Writes through the API use the same forms as the web, so the same rules hold everywhere."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404

from vanco.api.errors import FormInvalid, form_errors
from vanco.core import access
from vanco.core.services import save_versioned


def get_visible(request, model, pk):
    return get_object_or_404(access.visible(model, request.user), pk=pk)


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
