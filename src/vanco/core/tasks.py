"""Excel imports as jobs: an uploaded file is checked (dry run), then imported, with progress.

`start_job` stores the upload under DATA_DIR/imports and creates the `ImportJob`; `run_job`
does the work, either inline (small files: no worker needed) or through the `run_import_job`
django.tasks task (files over `VANCO_IMPORT_INLINE_ROWS` rows, 2,000 by default), which the
db_worker runs. Same code, same job row either way.

Progress and the import's transaction: the engine calls `progress(done, total)` while it
validates rows, before it opens its one write transaction. Each progress write is a single
short UPDATE of the job row, committed at once (autocommit), so another connection (the page
polling the job) sees it, and on SQLite the database write lock is held only for that statement.
If an importer ever called `progress` inside its own write transaction, the write would join
that transaction (invisible until commit; on SQLite it would make the transaction a writer
earlier), so `_Progress` skips writes made deeper than the atomic level the job started at;
the final counts are written after the import's transaction has ended.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vanco.core import access, imports
from vanco.core.audit import acting_as
from vanco.core.models import ImportJob, ImportJobStatus

logger = logging.getLogger("vanco.imports")

#: files with more data rows than this run in the background
DEFAULT_INLINE_ROWS = 2000
#: job files older than this are removed by `vanco expire_import_jobs`
EXPIRE_AFTER_HOURS = 24


def inline_rows() -> int:
    return int(getattr(settings, "VANCO_IMPORT_INLINE_ROWS", DEFAULT_INLINE_ROWS))


def upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _count_rows(path: Path) -> int:
    rows = imports.read_rows(path)
    filled = [row for row in rows if not all(imports._is_blank(cell) for cell in row)]
    return max(0, len(filled) - 1)


# --- services -------------------------------------------------------------------------------


def start_job(*, user, kind: str, upload) -> ImportJob:
    """Check the uploaded file (extension, size, content), store it and create a check job.

    Raises ImportFileError for a file that is not a workbook, PermissionDenied without the
    kind's action, LookupError for an unknown kind."""
    importer = imports.get_importer(kind)
    access.require(user, importer.action)
    imports.check_upload(upload)
    stored_name = f"{secrets.token_hex(16)}.xlsx"
    path = upload_dir() / stored_name
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    try:
        rows_total = _count_rows(path)
    except imports.ImportFileError:
        path.unlink(missing_ok=True)
        raise
    with transaction.atomic():
        job = ImportJob.objects.create(
            user=user,
            kind=kind,
            stored_name=stored_name,
            original_name=str(getattr(upload, "name", "") or "")[:255],
            language=getattr(user, "language", "") or settings.LANGUAGE_CODE,
            dry_run=True,
            status=ImportJobStatus.QUEUED,
            rows_total=rows_total,
            background=rows_total > inline_rows(),
        )
    _launch(job)
    job.refresh_from_db()
    return job


def apply_job(*, job: ImportJob, user) -> ImportJob:
    """Import a checked file for real. Only its owner may, with the kind's action."""
    importer = imports.get_importer(job.kind)
    access.require(user, importer.action)
    with transaction.atomic():
        locked = ImportJob.objects.editable_by(user).select_for_update().filter(pk=job.pk).first()
        if locked is None:
            raise PermissionDenied("not your import job")
        if locked.status != ImportJobStatus.CHECKED or not locked.path.exists():
            raise imports.ImportFileError(
                [_("This file is not ready to import any more; upload it again.")]
            )
        locked.dry_run = False
        locked.status = ImportJobStatus.QUEUED
        locked.rows_done = 0
        locked.started_at = locked.finished_at = None
        locked.save()
    _launch(locked)
    locked.refresh_from_db()
    return locked


def _launch(job: ImportJob) -> None:
    if job.background:
        # Enqueue once the job row is committed, so the worker finds it.
        transaction.on_commit(lambda: run_import_job.enqueue(job.pk))
    else:
        run_job(job.pk)


# --- the work -------------------------------------------------------------------------------


class _Progress:
    """The engine's progress callback: one committed UPDATE per call (see module docstring)."""

    def __init__(self, job_id: int):
        from django.db import connection

        self.job_id = job_id
        self.connection = connection
        self.depth = self._depth()
        self.writes = 0

    def _depth(self) -> tuple[bool, int]:
        return (self.connection.in_atomic_block, len(self.connection.savepoint_ids))

    def __call__(self, done: int, total: int) -> None:
        if self._depth() != self.depth:
            return  # inside the import's own transaction: never hold it open with our writes
        ImportJob.objects.filter(pk=self.job_id).update(
            rows_done=done, rows_total=total, updated_at=timezone.now()
        )
        self.writes += 1


def run_job(job_id: int) -> str:
    """Run a queued job as its user, in its user's language; returns the final status."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJobStatus.QUEUED).update(
        status=ImportJobStatus.RUNNING, started_at=timezone.now(), updated_at=timezone.now()
    )
    if not claimed:
        return ""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    errors: list[str] = []
    result = None
    with translation.override(job.language or settings.LANGUAGE_CODE), acting_as(job.user):
        try:
            if not job.user.is_active:
                raise PermissionDenied("inactive user")
            result = imports.run_import(
                job.kind,
                job.path,
                user=job.user,
                dry_run=job.dry_run,
                progress=_Progress(job.pk),
            )
            errors = result.error_lines()
        except imports.ImportFileError as error:
            errors = [str(message) for message in error.messages]
        except PermissionDenied:
            errors = [_("You are not allowed to import this file (any more).")]
        except FileNotFoundError:
            errors = [_("The uploaded file has expired; upload it again.")]
        except Exception:
            logger.exception("import job %s failed", job_id)
            errors = [_("The import failed unexpectedly; nothing was imported.")]
    if errors:
        status = ImportJobStatus.FAILED
    elif job.dry_run:
        status = ImportJobStatus.CHECKED
    else:
        status = ImportJobStatus.DONE
    fields = {
        "status": status,
        "errors": errors[: ImportJob.MAX_ERRORS],
        "error_count": len(errors),
        "finished_at": timezone.now(),
        "updated_at": timezone.now(),
    }
    if result is not None:
        fields.update(
            rows_total=result.rows,
            rows_done=result.rows,
            created_count=result.created,
            updated_count=result.updated,
            unchanged_count=result.unchanged,
        )
    ImportJob.objects.filter(pk=job_id).update(**fields)
    if status != ImportJobStatus.CHECKED:
        job.path.unlink(missing_ok=True)  # done or failed: the file is not needed any more
    return status


@task
def run_import_job(job_id: int) -> str:
    """The background task (the db_worker runs it)."""
    return run_job(job_id)


def expire_jobs(*, now=None) -> int:
    """Jobs untouched for EXPIRE_AFTER_HOURS: those still waiting (queued, or checked and
    never applied) expire, those still "running" (a worker that died) fail; their files, and
    stray files as old, are removed. Returns the number of jobs closed."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=EXPIRE_AFTER_HOURS)
    waiting = (ImportJobStatus.QUEUED, ImportJobStatus.CHECKED)
    closed = 0
    for statuses, new_status in (
        (waiting, ImportJobStatus.EXPIRED),
        ((ImportJobStatus.RUNNING,), ImportJobStatus.FAILED),
    ):
        stale = ImportJob.objects.filter(updated_at__lt=cutoff, status__in=statuses)
        for job in stale.only("pk", "stored_name").iterator(chunk_size=500):
            # Status first, by a conditional UPDATE: a job the worker has just taken up (its
            # updated_at moved) is left alone, and so is its file.
            changed = ImportJob.objects.filter(
                pk=job.pk, status__in=statuses, updated_at__lt=cutoff
            ).update(status=new_status, finished_at=now, updated_at=now)
            if changed:
                job.path.unlink(missing_ok=True)
                closed += changed
    directory = upload_dir()
    keep = set(
        ImportJob.objects.filter(status__in=(*waiting, ImportJobStatus.RUNNING)).values_list(
            "stored_name", flat=True
        )
    )
    for path in directory.iterdir():
        if path.name in keep or not path.is_file():
            continue
        modified = datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)
        if modified < cutoff:
            path.unlink(missing_ok=True)
    return closed
