"""Meetings of the leading group (and dispatch, task forces), their agendas and minutes, and the
directives issued by leaders to departments and localities, followed up to their completion."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanco.core.access import ScopedManager
from vanco.core.models import SearchableModel, StoredFile, VersionedModel, stored_file_path
from vanco.meetings.enums import (
    OPEN_STATUSES,
    AgendaSource,
    DirectiveStatus,
    MeetingKind,
    MeetingStatus,
    UpdateKind,
)


class Meeting(SearchableModel, VersionedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=255)
    starts_at = models.DateTimeField(_("date and time"))
    location = models.CharField(_("location"), max_length=255, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings_chaired",
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attendees"),
        blank=True,
        related_name="meetings_attended",
    )
    minutes = models.TextField(_("minutes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )

    search_fields = ("title", "location")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            # The meeting list, newest first, filtered by kind.
            models.Index(fields=["kind", "starts_at"], name="meeting_kind_date"),
            # The meeting list's default order and date filters.
            models.Index(fields=["starts_at"], name="meeting_date"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({timezone.localtime(self.starts_at):%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting-detail", args=[self.pk])


class AgendaItem(VersionedModel):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    title = models.CharField(_("title"), max_length=500)
    source = models.CharField(
        _("source"), max_length=20, choices=AgendaSource.choices, default=AgendaSource.OTHER
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    obstacle = models.ForeignKey(
        "obstacles.Obstacle",
        verbose_name=_("obstacle"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    directive = models.ForeignKey(
        "meetings.Directive",
        verbose_name=_("directive"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agenda_items",
    )
    notes = models.TextField(_("notes"), blank=True)
    decision = models.TextField(_("decision"), blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "pk"]
        indexes = [
            # A meeting's agenda in order.
            models.Index(fields=["meeting", "position"], name="agenda_meeting_position"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class MeetingAttachment(StoredFile):
    """Minutes, slides or reports of a meeting; downloaded only by those who see the meeting."""

    storage_folder = "meetings"

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attachments"
    )

    objects = ScopedManager()

    class Meta(StoredFile.Meta):
        verbose_name = _("meeting attachment")
        verbose_name_plural = _("meeting attachments")

    def get_absolute_url(self) -> str:
        return reverse("meetings:attachment-download", args=[self.pk])


class Directive(SearchableModel, VersionedModel):
    """A leader's instruction to departments and/or localities, with a due date. Changed only
    through meetings.services."""

    title = models.CharField(_("title"), max_length=255)
    text = models.TextField(_("text"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="directives_issued",
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directives",
    )
    departments = models.ManyToManyField(
        "org.Department", verbose_name=_("departments"), blank=True, related_name="directives"
    )
    localities = models.ManyToManyField(
        "org.Locality", verbose_name=_("localities"), blank=True, related_name="directives"
    )
    due_on = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=DirectiveStatus.choices, default=DirectiveStatus.ISSUED
    )
    projects = models.ManyToManyField(
        "projects.Project", verbose_name=_("projects"), blank=True, related_name="directives"
    )
    obstacles = models.ManyToManyField(
        "obstacles.Obstacle", verbose_name=_("obstacles"), blank=True, related_name="directives"
    )
    evidence = models.TextField(_("evidence of completion"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    #: Set by the daily run once the due date passed without completion; cleared when done or
    #: given a later due date.
    is_overdue = models.BooleanField(_("overdue"), default=False)

    search_fields = ("title",)
    objects = ScopedManager()

    class Meta:
        verbose_name = _("directive")
        verbose_name_plural = _("directives")
        ordering = ["-issued_at", "-pk"]
        indexes = [
            # The daily overdue run and the agenda's carry-over: open directives by due date.
            models.Index(fields=["status", "due_on"], name="directive_status_due"),
            # The overdue filter and counts.
            models.Index(fields=["is_overdue", "status"], name="directive_overdue"),
            # The directive list's default order.
            models.Index(fields=["-issued_at"], name="directive_issued"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return f"CD-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def get_absolute_url(self) -> str:
        return reverse("meetings:directive-detail", args=[self.pk])


class DirectiveUpdate(models.Model):
    """One step in a directive's life: who, when, from which status to which, a note and
    optionally a file (evidence, report)."""

    storage_folder = "directives"

    directive = models.ForeignKey(
        Directive, verbose_name=_("directive"), on_delete=models.CASCADE, related_name="updates"
    )
    kind = models.CharField(_("event"), max_length=12, choices=UpdateKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(
        _("from status"), max_length=12, choices=DirectiveStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("to status"), max_length=12, choices=DirectiveStatus.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=stored_file_path, max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("file type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("directive update")
        verbose_name_plural = _("directive updates")
        ordering = ["at", "pk"]
        indexes = [
            # A directive's timeline.
            models.Index(fields=["directive", "at"], name="directive_update_timeline"),
        ]

    def __str__(self) -> str:
        return f"{self.directive_id} {self.kind}"

    def get_file_url(self) -> str:
        return reverse("meetings:update-file", args=[self.pk]) if self.file else ""
