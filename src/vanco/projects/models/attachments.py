import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanco.core.access import ScopedManager


def _storage_name(instance, filename: str) -> str:
    # Stored under a random name; the person's file name is kept (sanitised) in original_name.
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A contract, photo or minutes attached to a project or a progress report.

    Stored outside static files under MEDIA_ROOT and served only through a view that checks
    the user may see the project.
    """

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    report = models.ForeignKey(
        "projects.ProgressReport",
        verbose_name=_("progress report"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=_storage_name, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    description = models.CharField(_("description"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("projects:attachment-download", args=[self.pk])
