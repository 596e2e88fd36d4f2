from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vanco.core.access import ScopedManager
from vanco.core.models import StoredFile


class Attachment(StoredFile):
    """A contract, photo or minutes attached to a project or a progress report; downloaded only
    by those who may see the project."""

    storage_folder = "attachments"

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
    description = models.CharField(_("description"), max_length=255, blank=True)

    objects = ScopedManager()

    class Meta(StoredFile.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def get_absolute_url(self) -> str:
        return reverse("projects:attachment-download", args=[self.pk])
