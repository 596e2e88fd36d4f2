from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vanco.core.access import ScopedManager
from vanco.core.models import VersionedModel

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class Milestone(VersionedModel):
    """A point of a project's milestone plan: by `planned_date`, `planned_progress` % done.

    When a project has milestones its planned pace (traffic lights) is the broken line through
    (planned start, 0 %), the milestones by date, and (planned completion, 100 %)."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="milestones",
    )
    name = models.CharField(_("milestone"), max_length=150)
    planned_date = models.DateField(_("planned date"))
    planned_progress = models.DecimalField(
        _("planned progress (%)"),
        max_digits=5,
        decimal_places=2,
        validators=PERCENT,
        help_text=_("Physical progress planned by that date, counted from the start (0–100)."),
    )
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project", "planned_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_progress__gte=0) & Q(planned_progress__lte=100),
                name="milestone_progress_0_100",
                violation_error_message=_("The planned progress must be between 0 and 100 %."),
            ),
            models.UniqueConstraint(
                fields=["project", "planned_date"],
                name="milestone_one_per_date",
                violation_error_message=_("This project already has a milestone on that date."),
            ),
            models.UniqueConstraint(
                fields=["project", "name"],
                name="milestone_unique_name",
                violation_error_message=_("This project already has a milestone of that name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:milestone-list", args=[self.project_id])
