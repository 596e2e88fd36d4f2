from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vanco.core.access import ScopedManager
from vanco.core.models import SearchableModel, VersionedModel
from vanco.projects.enums import LeadSource, Light, ProjectType, Stage, TaskForce

MONEY = {"max_digits": 18, "decimal_places": 3}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Project(SearchableModel, VersionedModel):
    """One investment project, from the first lead to operation.

    Amounts are in the deployment's money unit (settings.VANCO_MONEY_UNIT, e.g. tỷ đồng).
    `funds_in_place`, `progress_percent` and the light are derived from progress reports and
    written only by services, never typed.
    """

    code = models.CharField(_("code"), max_length=20, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=255)
    investor = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("investor"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    industry = models.ForeignKey(
        "industries.Industry",
        verbose_name=_("leading industry"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    chain_node = models.ForeignKey(
        "industries.ChainNode",
        verbose_name=_("chain node"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    locality = models.ForeignKey(
        "org.Locality",
        verbose_name=_("host locality"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    task_force = models.CharField(
        _("task force"), max_length=16, choices=TaskForce.choices, default=TaskForce.PROMOTION
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader in charge"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_projects",
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("project officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followed_projects",
    )
    project_type = models.CharField(
        _("type"), max_length=10, choices=ProjectType.choices, default=ProjectType.NEW
    )
    lead_source = models.CharField(
        _("source of the lead"), max_length=20, choices=LeadSource.choices, blank=True
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.LEAD)
    # The stage a paused project resumes to.
    paused_from = models.CharField(max_length=20, choices=Stage.choices, blank=True, editable=False)
    stage_changed_at = models.DateTimeField(_("stage changed at"), null=True, editable=False)

    planned_investment = models.DecimalField(
        _("planned total investment"), validators=NON_NEGATIVE, **MONEY
    )
    signed_amount = models.DecimalField(
        _("signed amount"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    funds_in_place = models.DecimalField(
        _("funds in place"), default=Decimal("0"), editable=False, **MONEY
    )
    progress_percent = models.DecimalField(
        _("physical progress (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        editable=False,
    )

    planned_signing_date = models.DateField(_("planned signing date"), null=True, blank=True)
    planned_start_date = models.DateField(_("planned start date"), null=True, blank=True)
    planned_completion_date = models.DateField(_("planned completion date"), null=True, blank=True)
    planned_operation_date = models.DateField(_("planned operation date"), null=True, blank=True)
    signing_date = models.DateField(_("signing date"), null=True, blank=True, editable=False)
    approval_date = models.DateField(_("licence date"), null=True, blank=True, editable=False)
    start_date = models.DateField(_("actual start date"), null=True, blank=True, editable=False)
    completion_date = models.DateField(
        _("actual completion date"), null=True, blank=True, editable=False
    )
    operation_date = models.DateField(_("operation date"), null=True, blank=True, editable=False)

    land_area = models.DecimalField(
        _("land area (ha)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    jobs_planned = models.PositiveIntegerField(_("jobs planned"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    major_flag = models.BooleanField(
        _("marked as major"),
        default=False,
        help_text=_("Projects above the investment threshold are major anyway."),
    )
    is_major = models.BooleanField(_("major project"), default=False, editable=False)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="projects")
    notes = models.TextField(_("notes"), blank=True)

    light = models.CharField(_("traffic light"), max_length=8, choices=Light.choices, blank=True)
    light_reasons = models.JSONField(_("light reasons"), default=list, blank=True, editable=False)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, editable=False)

    search_fields = ("code", "name")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at"]
        indexes = [
            # Project list filtered by stage (the most common filter) and sorted by newest.
            models.Index(fields=["stage", "-created_at"], name="project_stage_created"),
            # Dashboards and filters by light.
            models.Index(fields=["light", "stage"], name="project_light_stage"),
            # "My projects" of an officer.
            models.Index(fields=["officer", "stage"], name="project_officer_stage"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_investment__gte=0),
                name="project_planned_investment_not_negative",
                violation_error_message=_("The planned investment cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(signed_amount__isnull=True) | Q(signed_amount__gte=0),
                name="project_signed_amount_not_negative",
                violation_error_message=_("The signed amount cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}" if self.code else self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:project-detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        errors = {}
        if (
            self.planned_start_date
            and self.planned_completion_date
            and self.planned_completion_date < self.planned_start_date
        ):
            errors["planned_completion_date"] = _(
                "The planned completion cannot come before the planned start."
            )
        if (
            self.planned_completion_date
            and self.planned_operation_date
            and self.planned_operation_date < self.planned_completion_date
        ):
            errors["planned_operation_date"] = _(
                "The planned operation cannot come before the planned completion."
            )
        if (
            self.chain_node_id
            and self.industry_id
            and self.chain_node.industry_id != self.industry_id
        ):
            errors["chain_node"] = _(
                "The chain node must belong to the project's leading industry."
            )
        if errors:
            raise ValidationError(errors)

    def refresh_major(self) -> None:
        threshold = Decimal(str(settings.VANCO_MAJOR_PROJECT_THRESHOLD))
        self.is_major = self.major_flag or (self.planned_investment or 0) >= threshold

    def save(self, *args, **kwargs):
        self.refresh_major()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "is_major" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "is_major"]
        super().save(*args, **kwargs)


class ProjectStageChange(models.Model):
    """A business event: who moved a project from which stage to which, when and why."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(_("from stage"), max_length=20, choices=Stage.choices)
    to_stage = models.CharField(_("to stage"), max_length=20, choices=Stage.choices)
    effective_date = models.DateField(_("date"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    is_backwards = models.BooleanField(_("moved backwards"), default=False)
    evidence = models.ForeignKey(
        "projects.Attachment",
        verbose_name=_("evidence"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["-created_at"]
        indexes = [
            # A project's timeline, newest first.
            models.Index(fields=["project", "-created_at"], name="stagechange_project_time"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_stage} → {self.to_stage}"
