"""Bulk inserts that still leave what save() would: search text, tree paths and an audit trail.

bulk_create skips save() and the audit signals, so this module does their work itself. It relies
on bulk_create setting primary keys, which SQLite (3.35+) and PostgreSQL both do.
"""

import datetime
from collections import defaultdict

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from vanco.core.models import SearchableModel
from vanco.core.tree import TreeModel, child_path

BATCH_SIZE = 2000
_PRIMITIVES = (type(None), bool, int, float, str)


class BulkWriter:
    """Inserts rows in batches and remembers them, so that one audit entry per row follows."""

    def __init__(self, batch_size: int = BATCH_SIZE):
        self.batch_size = batch_size
        self.created: dict[type[models.Model], list[models.Model]] = defaultdict(list)

    def insert(self, objs: list[models.Model]) -> list[models.Model]:
        if not objs:
            return objs
        model = type(objs[0])
        if issubclass(model, SearchableModel):
            for obj in objs:
                obj.refresh_search_text()
        model._default_manager.bulk_create(objs, batch_size=self.batch_size)
        self.created[model].extend(objs)
        return objs

    def insert_tree(self, objs: list[TreeModel]) -> list[TreeModel]:
        """Insert parents before children, then write every path and depth in one bulk update.

        `parent` must be set to the parent object itself (which may be unsaved, but must be in
        `objs`): its primary key only exists once the level above has been inserted.
        """
        levels: dict[int, list[TreeModel]] = defaultdict(list)
        for obj in objs:
            levels[_depth(obj)].append(obj)
        for depth in sorted(levels):
            level = levels[depth]
            self.insert(level)
            for obj in level:
                obj.depth = depth
                obj.path = child_path(obj.parent.path if obj.parent is not None else None, obj.pk)
        if objs:
            type(objs[0])._default_manager.bulk_update(
                objs, ["path", "depth"], batch_size=self.batch_size
            )
        return objs

    def count(self) -> dict[str, int]:
        return {model._meta.label: len(objs) for model, objs in self.created.items()}

    def write_audit(self, actor) -> int:
        """One CREATE entry per inserted row, shaped like the ones auditlog's signals write."""
        written = 0
        batch: list[LogEntry] = []
        for model, objs in self.created.items():
            if not auditlog.contains(model):
                continue
            content_type = ContentType.objects.get_for_model(model)
            excluded = set(auditlog.get_model_fields(model)["exclude_fields"])
            fields = [f for f in model._meta.concrete_fields if f.name not in excluded]
            for obj in objs:
                batch.append(
                    LogEntry(
                        content_type=content_type,
                        object_pk=str(obj.pk),
                        object_id=obj.pk,
                        object_repr=str(obj)[:200],
                        action=LogEntry.Action.CREATE,
                        changes=_created_changes(obj, fields),
                        changes_text="",
                        actor=actor,
                        actor_email=actor.email or None,
                    )
                )
                if len(batch) >= self.batch_size:
                    written += len(LogEntry.objects.bulk_create(batch))
                    batch = []
        if batch:
            written += len(LogEntry.objects.bulk_create(batch))
        return written


def _depth(obj: TreeModel) -> int:
    depth, node = 0, obj.parent
    while node is not None:
        depth, node = depth + 1, node.parent
    return depth


def _created_changes(obj: models.Model, fields) -> dict:
    """auditlog's JSON diff for a new row: {field: [None, value]} for every non-null field."""
    changes = {}
    for field in fields:
        value = field.value_from_object(obj)
        if value is None:
            continue
        if isinstance(value, datetime.datetime):
            if timezone.is_aware(value):
                value = timezone.make_naive(value, datetime.UTC)
            value = str(value)
        elif not isinstance(value, _PRIMITIVES):
            value = str(value)
        changes[field.name] = [None, value]
    return changes
