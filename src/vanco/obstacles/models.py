"""Obstacles: problems blocking a project or an enterprise, handed to departments to resolve
within a time limit, escalated when late, closed only when the raiser confirms and rates."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanco.core.access import ScopedManager
from vanco.core.models import SearchableModel, StoredFile, VersionedModel
from vanco.obstacles.enums import (
    DEFAULT_TIME_LIMIT_DAYS,
    OPEN_STATUSES,
    Category,
    EventKind,
    Level,
    ProblemStatus,
    Severity,
    Source,
    Status,
)


class CategoryLimit(VersionedModel):
    """The time limit, in days from assignment, of one obstacle category (configurable)."""

    category = models.CharField(_("category"), max_length=20, choices=Category.choices, unique=True)
    time_limit_days = models.PositiveSmallIntegerField(
        _("time limit (days)"),
        help_text=_("Days a department has, from assignment, to resolve an obstacle of this kind."),
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("category time limit")
        verbose_name_plural = _("category time limits")
        ordering = ["category"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(time_limit_days__gte=1) & models.Q(time_limit_days__lte=365),
                name="category_limit_days_range",
                violation_error_message=_("The time limit must be between 1 and 365 days."),
            ),
        ]

    def __str__(self) -> str:
        return str(Category(self.category).label)

    @classmethod
    def days_for(cls, category: str) -> int:
        row = cls.objects.filter(category=category).values_list("time_limit_days", flat=True)
        return next(iter(row), DEFAULT_TIME_LIMIT_DAYS[Category(category)])


class CommonProblem(SearchableModel, VersionedModel):
    """Obstacles of many enterprises that share one cause, handled as a policy item."""

    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.POLICY
    )
    industry = models.ForeignKey(
        "industries.Industry",
        verbose_name=_("leading industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The person answerable for the policy response."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    note = models.TextField(_("note"), blank=True)

    search_fields = ("title",)
    objects = ScopedManager()

    class Meta:
        verbose_name = _("common problem")
        verbose_name_plural = _("common problems")
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("obstacles:problem-detail", args=[self.pk])


class Obstacle(SearchableModel, VersionedModel):
    """One problem of one project and/or enterprise. Changed only through obstacles.services."""

    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="obstacles",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="obstacles",
    )
    report = models.ForeignKey(
        "projects.ProgressReport",
        verbose_name=_("progress report"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="obstacles",
    )
    visit = models.ForeignKey(
        "enterprises.Visit",
        verbose_name=_("visit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="obstacles",
    )
    # Derived from the project (else the enterprise) when raised: the locality that owns the
    # problem and the industry it belongs to, for scoping and the concentration view.
    locality = models.ForeignKey(
        "org.Locality",
        verbose_name=_("locality"),
        on_delete=models.PROTECT,
        related_name="obstacles",
        editable=False,
    )
    industry = models.ForeignKey(
        "industries.Industry",
        verbose_name=_("leading industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="obstacles",
        editable=False,
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        on_delete=models.PROTECT,
        related_name="obstacles_raised",
    )
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    lead_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("lead department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="obstacles_led",
    )
    cooperating_departments = models.ManyToManyField(
        "org.Department",
        verbose_name=_("cooperating departments"),
        blank=True,
        related_name="obstacles_cooperating",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation level"), choices=Level.choices, default=Level.NONE
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    # Derived on resolution, so the metrics are indexed sums, not date arithmetic per row.
    resolved_on_time = models.BooleanField(_("resolved on time"), null=True, editable=False)
    days_to_resolve = models.PositiveIntegerField(
        _("days to resolve"), null=True, blank=True, editable=False
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    rating_comment = models.TextField(_("comment on the resolution"), blank=True)
    common_problem = models.ForeignKey(
        CommonProblem,
        verbose_name=_("common problem"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="obstacles",
    )

    search_fields = ("title",)
    objects = ScopedManager()

    class Meta:
        verbose_name = _("obstacle")
        verbose_name_plural = _("obstacles")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(project__isnull=False) | models.Q(enterprise__isnull=False),
                name="obstacle_concerns_project_or_enterprise",
                violation_error_message=_("Choose the project or the enterprise concerned."),
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True)
                | (models.Q(rating__gte=1) & models.Q(rating__lte=5)),
                name="obstacle_rating_1_to_5",
                violation_error_message=_("The rating is from 1 to 5."),
            ),
        ]
        indexes = [
            # A department's inbox: its open obstacles by due date.
            models.Index(fields=["lead_department", "status", "due_on"], name="obstacle_inbox"),
            # The escalation run and the overdue lists: unresolved obstacles past due.
            models.Index(fields=["status", "due_on"], name="obstacle_status_due"),
            # A locality's list and metrics.
            models.Index(fields=["locality", "status"], name="obstacle_locality_status"),
            # An enterprise's own obstacles, newest first.
            models.Index(fields=["enterprise", "-raised_at"], name="obstacle_enterprise"),
            # The leader's and coordinator's escalated lists.
            models.Index(fields=["escalation_level", "status"], name="obstacle_escalated"),
            # The metrics cache's data version: the latest change of any obstacle.
            models.Index(fields=["updated_at"], name="obstacle_updated"),
            # The dashboard's satisfaction trend and the targets' satisfaction: closed per month.
            models.Index(fields=["closed_at"], name="obstacle_closed"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return f"VM-{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("obstacles:obstacle-detail", args=[self.pk])

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status in OPEN_STATUSES and self.due_on is not None and self.due_on < today


class ObstacleEvent(models.Model):
    """One step in an obstacle's life: who, when, from which status to which, and why."""

    obstacle = models.ForeignKey(
        Obstacle, verbose_name=_("obstacle"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=12, choices=EventKind.choices)
    from_status = models.CharField(
        _("from status"), max_length=12, choices=Status.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=12, choices=Status.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.PositiveSmallIntegerField(
        _("escalation level"), choices=Level.choices, null=True, blank=True
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("obstacle event")
        verbose_name_plural = _("obstacle events")
        ordering = ["at", "pk"]
        indexes = [
            # An obstacle's timeline.
            models.Index(fields=["obstacle", "at"], name="obstacle_event_timeline"),
        ]

    def __str__(self) -> str:
        return f"{self.obstacle_id} {self.kind}"


class ObstacleAttachment(StoredFile):
    """A photo, letter or document supporting an obstacle; downloaded only by those who may
    see the obstacle."""

    storage_folder = "obstacles"

    obstacle = models.ForeignKey(
        Obstacle, verbose_name=_("obstacle"), on_delete=models.CASCADE, related_name="attachments"
    )

    objects = ScopedManager()

    class Meta(StoredFile.Meta):
        verbose_name = _("obstacle attachment")
        verbose_name_plural = _("obstacle attachments")

    def get_absolute_url(self) -> str:
        return reverse("obstacles:attachment-download", args=[self.pk])
