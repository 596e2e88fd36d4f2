"""Audit: django-auditlog on every domain model, an actor on every write, an append-only log.

Web requests get their actor from AuditlogMiddleware; API requests from `bind_actor` once the
token is checked; commands and tasks run inside `acting_as(user)` or `acting_as_system()`.
"""

import contextlib
import logging

from auditlog.context import auditlog_value, set_extra_data
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver

logger = logging.getLogger("vanco.security")

SYSTEM_USERNAME = "system"

# Derived columns say nothing a person changed; secrets never enter the log.
_DERIVED_FIELDS = ["search_text", "updated_at", "path", "depth"]
_SECRET_FIELDS = {"accounts.user": ["password", "last_login"]}
_AUDITED_APPS = (
    "accounts",
    "org",
    "industries",
    "enterprises",
    "projects",
    "obstacles",
    "meetings",
    "targets",
    "reports",
)


def register_domain_models() -> None:
    for app_label in _AUDITED_APPS:
        for model in apps.get_app_config(app_label).get_models():
            if auditlog.contains(model):
                continue
            reverse_relations = [
                field.name
                for field in model._meta.get_fields()
                if field.auto_created and not field.concrete
            ]
            excluded = [
                *_DERIVED_FIELDS,
                *_SECRET_FIELDS.get(model._meta.label_lower, []),
                *reverse_relations,
            ]
            auditlog.register(model, exclude_fields=excluded)


def system_user():
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    user, _created = user_model.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"full_name": "Vanco", "is_active": False, "is_system": True},
    )
    return user


@contextlib.contextmanager
def acting_as(user, remote_addr: str | None = None):
    """Make `user` the actor of the audited writes inside, then restore the surrounding audit
    context (auditlog's own set_actor drops it, which would lose a request's actor)."""
    try:
        previous = auditlog_value.get()
    except LookupError:
        previous = None
    context = {key: value for key, value in (previous or {}).items() if key != "signal_duid"}
    context["actor"] = user
    if remote_addr is not None or "remote_addr" not in context:
        context["remote_addr"] = remote_addr
    try:
        with set_extra_data(context_data=context):
            yield user
    finally:
        if previous is not None:
            auditlog_value.set(previous)


@contextlib.contextmanager
def acting_as_system():
    with acting_as(system_user()) as user:
        yield user


def bind_actor(user) -> None:
    """Attach the actor to the request's audit context once an API token has been verified."""
    try:
        context = auditlog_value.get()
    except LookupError:
        return
    context["actor"] = user


@receiver(pre_save, sender=LogEntry, dispatch_uid="vanco_logentry_append_only")
def _refuse_log_update(sender, instance, **kwargs):
    if instance.pk is not None and LogEntry.objects.filter(pk=instance.pk).exists():
        raise PermissionDenied("The audit log is append-only.")


@receiver(pre_delete, sender=LogEntry, dispatch_uid="vanco_logentry_no_delete")
def _refuse_log_delete(sender, instance, **kwargs):
    raise PermissionDenied("The audit log is append-only.")
