"""Generic writes shared by every simple edit: optimistic locking, scope re-check, audit."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from vanco.core.access import assert_still_editable

STALE_EDIT_MESSAGE = _(
    "Someone else changed this record while you were editing it. Your changes were not saved: "
    "reload the page to see the current version, then make your changes again."
)


class StaleEditError(ValidationError):
    def __init__(self):
        super().__init__(STALE_EDIT_MESSAGE, code="stale_edit")


def save_versioned(*, instance: models.Model, expected_version: int | None, actor) -> models.Model:
    """Save an edit only if nobody saved the row since `expected_version` was read.

    The version bump is a conditional UPDATE, so two concurrent editors cannot both win, on
    SQLite (whose IMMEDIATE transactions serialise writers) as on PostgreSQL (row lock).
    """
    model = type(instance)
    with transaction.atomic():
        if instance.pk is None:
            instance.version = 1
            instance.save()
        else:
            if expected_version is None:
                raise StaleEditError()
            bumped = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
                version=F("version") + 1
            )
            if not bumped:
                raise StaleEditError()
            instance.version = expected_version + 1
            instance.save()
        assert_still_editable(instance, actor)
    return instance


def set_active_flag(*, instance: models.Model, active: bool, actor) -> models.Model:
    with transaction.atomic():
        instance.is_active = active
        instance.version += 1
        instance.save()
        assert_still_editable(instance, actor)
    return instance
