from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vanco.core.access import ScopedManager
from vanco.core.models import VersionedModel
from vanco.projects.enums import CycleFrequency, PeriodStatus, ReportStatus
from vanco.projects.models.project import MONEY, NON_NEGATIVE


class DispatchCycle(VersionedModel):
    """The rhythm of the roll-call: weekly, twice a month or monthly, with a reporting deadline."""

    name = models.CharField(_("name"), max_length=150)
    frequency = models.CharField(
        _("frequency"),
        max_length=12,
        choices=CycleFrequency.choices,
        default=CycleFrequency.MONTHLY,
    )
    starts_on = models.DateField(_("first period starts on"))
    due_days = models.PositiveSmallIntegerField(
        _("days to report"),
        default=5,
        validators=[MaxValueValidator(60)],
        help_text=_("Reports are due this many days after the period ends."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("dispatch cycle")
        verbose_name_plural = _("dispatch cycles")
        ordering = ["-is_active", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:cycle-edit", args=[self.pk])


class DispatchPeriod(models.Model):
    """One explicit period of a cycle; its report slots are created when it opens."""

    cycle = models.ForeignKey(
        DispatchCycle,
        verbose_name=_("dispatch cycle"),
        on_delete=models.PROTECT,
        related_name="periods",
    )
    label = models.CharField(_("period"), max_length=40)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    due_on = models.DateField(_("reports due"))
    status = models.CharField(
        _("status"), max_length=8, choices=PeriodStatus.choices, default=PeriodStatus.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("dispatch period")
        verbose_name_plural = _("dispatch periods")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "starts_on"],
                name="period_unique_start_in_cycle",
                violation_error_message=_("This cycle already has a period starting that day."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on"))
                & Q(due_on__gte=models.F("ends_on")),
                name="period_dates_in_order",
                violation_error_message=_(
                    "A period ends after it starts, and is due after it ends."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("projects:period-board", args=[self.pk])


class ProgressReport(VersionedModel):
    """One project's entry in one dispatch period (created as an empty slot when it opens)."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    period = models.ForeignKey(
        DispatchPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="reports"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DUE
    )
    narrative = models.TextField(_("progress this period"), blank=True)
    progress_percent = models.DecimalField(
        _("physical progress (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    progress_drop_reason = models.TextField(
        _("why progress went down"),
        blank=True,
        help_text=_("Needed only when the progress is lower than in the previous report."),
    )
    funds_this_period = models.DecimalField(
        _("funds in place this period"),
        default=Decimal("0"),
        validators=NON_NEGATIVE,
        **MONEY,
    )
    jobs_created = models.PositiveIntegerField(_("jobs created this period"), default=0)
    milestones = models.TextField(_("milestones reached"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    obstacles_text = models.TextField(_("obstacles"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    review_comment = models.TextField(_("review comment"), blank=True, editable=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-period__starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "period"],
                name="report_one_per_project_period",
                violation_error_message=_("This project already has a report for this period."),
            ),
        ]
        indexes = [
            # The dispatch board: a period's reports by status; with the project and the funds
            # it also covers the dashboard's and the targets' funds sums (no table reads).
            models.Index(
                fields=["period", "status", "project", "funds_this_period"],
                name="report_period_status_funds",
            ),
            # The dashboard's cached funds figures: their data version (latest report change).
            models.Index(fields=["updated_at"], name="report_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} · {self.period_id}"

    def get_absolute_url(self) -> str:
        return reverse("projects:report-detail", args=[self.pk])
