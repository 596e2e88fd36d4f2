"""Bulk inserts that still leave what save() would: search text, tree paths and an audit trail.

bulk_create skips save() and the audit signals, so this module does their work itself. It relies
on bulk_create setting primary keys, which SQLite (3.35+) and PostgreSQL both do.
"""

import contextlib
import datetime
import itertools
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
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
        # Rows already audited and let go of (see flush_audit), by model label.
        self.flushed: dict[str, int] = defaultdict(int)
        self.audit_written = 0

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
        counts = dict(self.flushed)
        for model, objs in self.created.items():
            counts[model._meta.label] = counts.get(model._meta.label, 0) + len(objs)
        return counts

    def flush_audit(self, actor) -> int:
        """Write the audit entries of the rows inserted so far, then forget the rows.

        Large demos call it after each model so that memory does not grow with the data.
        """
        written = self.write_audit(actor)
        for model, objs in self.created.items():
            self.flushed[model._meta.label] += len(objs)
        self.created.clear()
        return written

    def write_audit(self, actor) -> int:
        """One CREATE entry per inserted row, shaped like the ones auditlog's signals write."""

        def entries():
            for model, objs in self.created.items():
                if not auditlog.contains(model):
                    continue
                content_type = ContentType.objects.get_for_model(model)
                excluded = set(auditlog.get_model_fields(model)["exclude_fields"])
                fields = [f for f in model._meta.concrete_fields if f.name not in excluded]
                for obj in objs:
                    yield LogRow(content_type.pk, obj.pk, str(obj), _created_changes(obj, fields))

        written = write_log_entries(entries(), actor, self.batch_size)
        self.audit_written += written
        return written


class LogRow(NamedTuple):
    content_type_id: int
    object_id: int
    object_repr: str
    changes: dict
    additional_data: dict | None = None


_LOG_COLUMNS = [
    "content_type_id",
    "object_pk",
    "object_id",
    "object_repr",
    "action",
    "changes_text",
    "changes",
    "actor_id",
    "timestamp",
    "additional_data",
    "actor_email",
]


def write_log_entries(rows: Iterable[LogRow], actor, batch_size: int = 10_000) -> int:
    """Insert CREATE audit entries as plain rows: the same columns auditlog writes, far faster
    than model instances when there are hundreds of thousands of them."""
    timestamp = connection.ops.adapt_datetimefield_value(timezone.now())
    actor_email = actor.email or None

    def tuples():
        for row in rows:
            yield (
                row.content_type_id,
                str(row.object_id),
                row.object_id,
                row.object_repr[:200],
                int(LogEntry.Action.CREATE),
                "",
                json.dumps(row.changes),
                actor.pk,
                timestamp,
                None if row.additional_data is None else json.dumps(row.additional_data),
                actor_email,
            )

    return insert_rows(LogEntry, _LOG_COLUMNS, tuples(), batch_size)


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


@contextlib.contextmanager
def own_timestamps(*models_: type[models.Model]) -> Iterator[None]:
    """Let bulk_create keep the created_at/updated_at the demo sets (a history, not "now")."""
    saved = []
    for model in models_:
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                saved.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def insert_rows(
    model: type[models.Model], columns: list[str], rows: Iterable[tuple], batch_size: int = 10_000
) -> int:
    """Insert plain tuples (already in database form) without model instances or signals.

    For the millions of demo progress reports: PostgreSQL streams them with COPY, SQLite takes
    them in executemany batches. `columns` are column names; rows are consumed lazily, so
    memory stays flat whatever their number. The caller audits what it inserts.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One COPY per batch: the rows are made (which may query, e.g. a related object's
            # name) before the COPY starts, as no other statement can run during one.
            for batch in itertools.batched(rows, batch_size):
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
                written += len(batch)
            return written
        placeholders = ", ".join(["%s"] * len(columns))
        # Table and column names come from the model's own metadata, quoted; values are params.
        sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_size:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


@contextlib.contextmanager
def fast_sqlite() -> Iterator[None]:
    """A larger page cache for the demo's own connection while it writes, restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (cache_size,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size=-256000")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={int(cache_size)}")
