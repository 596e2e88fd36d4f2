"""Abstract bases every domain model builds on (versioned, searchable, stored files), and the
import jobs."""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanco.core.access import ScopedManager
from vanco.core.text import search_document


class VersionedModel(models.Model):
    """A row that users edit: optimistic locking through `version`, timestamps."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class SearchableModel(models.Model):
    """Keeps a folded copy of the searchable fields so `contains` works alike on every database."""

    search_fields: tuple[str, ...] = ()
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_text" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)

    def refresh_search_text(self) -> None:
        self.search_text = search_document(*(getattr(self, name) for name in self.search_fields))


def stored_file_path(instance, filename: str) -> str:
    # A random name under the model's folder; the person's file name is kept, sanitised, in
    # original_name and used only in the download's Content-Disposition.
    return f"{instance.storage_folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class StoredFile(models.Model):
    """An uploaded file kept outside static files under MEDIA_ROOT, checked on the way in by
    `core.uploads.check_upload` and served only through a view that checks the user may see
    what it belongs to (`core.uploads.download_response`)."""

    storage_folder = "files"

    file = models.FileField(_("file"), upload_to=stored_file_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    CHECKED = "checked", _("checked, ready to import")
    FAILED = "failed", _("failed")
    DONE = "done", _("done")
    EXPIRED = "expired", _("expired")


class ImportJob(models.Model):
    """One uploaded Excel file going through check (dry run) → import, inline or in the
    background. The file lives under DATA_DIR/imports (never in served static/media files) and
    is removed once the import is done, failed or a day old (`vanco expire_import_jobs`)."""

    #: errors kept per job (the count of all of them is kept too)
    MAX_ERRORS = 500

    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    kind = models.CharField(_("kind"), max_length=32)
    stored_name = models.CharField(_("stored file"), max_length=64, editable=False)
    original_name = models.CharField(_("file name"), max_length=255)
    language = models.CharField(_("language"), max_length=8)
    dry_run = models.BooleanField(_("check only"), default=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED
    )
    background = models.BooleanField(_("in the background"), default=False)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("error list"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=("status", "created_at"))]

    def __str__(self) -> str:
        return f"{self.kind}: {self.original_name}"

    @property
    def finished(self) -> bool:
        return self.status in (
            ImportJobStatus.CHECKED,
            ImportJobStatus.FAILED,
            ImportJobStatus.DONE,
            ImportJobStatus.EXPIRED,
        )

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)

    @property
    def path(self) -> Path:
        return Path(settings.DATA_DIR) / "imports" / self.stored_name
