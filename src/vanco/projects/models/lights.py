from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from vanco.core.access import ScopedManager
from vanco.core.models import VersionedModel
from vanco.projects.enums import Light

DAYS = [MinValueValidator(1), MaxValueValidator(3650)]
POINTS = [MinValueValidator(1), MaxValueValidator(100)]


class LightRules(VersionedModel):
    """The thresholds of the traffic-light rules; one row, tuned by the coordinator, audited."""

    yellow_behind_points = models.PositiveSmallIntegerField(
        _("yellow when behind the planned pace by (points)"), default=10, validators=POINTS
    )
    red_behind_points = models.PositiveSmallIntegerField(
        _("red when behind the planned pace by more than (points)"), default=30, validators=POINTS
    )
    not_started_days = models.PositiveSmallIntegerField(
        _("red when not started this many days after the planned start"),
        default=90,
        validators=DAYS,
    )
    idle_lead_days = models.PositiveSmallIntegerField(
        _("yellow when a lead or negotiation has no activity for (days)"),
        default=60,
        validators=DAYS,
    )
    missing_reports_red = models.PositiveSmallIntegerField(
        _("red after this many missing reports in a row"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    yellow_periods_red = models.PositiveSmallIntegerField(
        _("red after this many yellow periods in a row"),
        default=2,
        validators=[MinValueValidator(2), MaxValueValidator(12)],
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("traffic-light rules")
        verbose_name_plural = _("traffic-light rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(red_behind_points__gt=F("yellow_behind_points")),
                name="lightrules_red_beyond_yellow",
                violation_error_message=_(
                    "The red threshold must be larger than the yellow threshold."
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class ProjectLight(models.Model):
    """A project's light in one period, with the reasons that made it (history)."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="lights",
    )
    period = models.ForeignKey(
        "projects.DispatchPeriod",
        verbose_name=_("period"),
        on_delete=models.PROTECT,
        related_name="lights",
    )
    light = models.CharField(_("traffic light"), max_length=8, choices=Light.choices)
    # [{"code": "behind_pace", "params": {"points": 35}}, …]: rendered in the reader's language.
    reasons = models.JSONField(_("reasons"), default=list)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("project light")
        verbose_name_plural = _("project lights")
        ordering = ["-period__starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "period"], name="projectlight_one_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} · {self.period_id}: {self.light}"
