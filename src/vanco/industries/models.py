from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vanco.core.access import ScopedManager
from vanco.core.models import SearchableModel, VersionedModel
from vanco.core.tree import TreeModel
from vanco.industries.enums import ChainSegment, OutreachChannel, ProspectStatus
from vanco.org.models import code_validator


class Industry(SearchableModel, VersionedModel):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("display order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    chief = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chain chief"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chief_of_industries",
        help_text=_("The city leader who answers for this industrial chain."),
    )

    search_fields = ("code", "name")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("leading industry")
        verbose_name_plural = _("leading industries")
        ordering = ["sort_order", "name"]

    def get_absolute_url(self) -> str:
        return reverse("industries:industry-detail", args=[self.pk])

    def __str__(self) -> str:
        return self.name


class ChainNode(TreeModel, SearchableModel, VersionedModel):
    industry = models.ForeignKey(
        Industry,
        verbose_name=_("leading industry"),
        on_delete=models.PROTECT,
        related_name="chain_nodes",
    )
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    segment = models.CharField(_("segment"), max_length=12, choices=ChainSegment.choices)
    is_key = models.BooleanField(
        _("key node"),
        default=False,
        help_text=_("Key nodes are the priority targets of chain-based investment promotion."),
    )
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("display order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    search_fields = ("code", "name")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("chain node")
        verbose_name_plural = _("chain nodes")
        ordering = ["industry__sort_order", "path"]
        constraints = [
            models.UniqueConstraint(
                fields=["industry", "code"],
                name="chainnode_code_unique_in_industry",
                violation_error_message=_("This code is already used in this industry's chain."),
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("industries:node-detail", args=[self.pk])

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.parent_id and self.industry_id and self.parent.industry_id != self.industry_id:
            raise ValidationError(
                {"parent": _("The parent node must belong to the same leading industry.")}
            )


class Prospect(SearchableModel, VersionedModel):
    """A target investor for a gap of a chain, worked on by outreach until it becomes a `lead`
    project or declines. Changed only through industries.services."""

    industry = models.ForeignKey(
        Industry,
        verbose_name=_("leading industry"),
        on_delete=models.PROTECT,
        related_name="prospects",
    )
    node = models.ForeignKey(
        ChainNode,
        verbose_name=_("chain node"),
        on_delete=models.PROTECT,
        related_name="prospects",
    )
    company_name = models.CharField(_("company name"), max_length=255)
    country = models.CharField(
        _("country"),
        max_length=2,
        default="VN",
        help_text=_("Two-letter country code, e.g. VN, KR, JP, CN."),
    )
    tax_code = models.CharField(
        _("tax or registration code"),
        max_length=20,
        blank=True,
        help_text=_("Used to find the enterprise when the prospect becomes a project."),
    )
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    estimated_investment = models.DecimalField(
        _("estimated investment"),
        max_digits=18,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ProspectStatus.choices,
        default=ProspectStatus.IDENTIFIED,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("official in charge"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="prospects_owned",
    )
    notes = models.TextField(_("notes"), blank=True)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="prospects",
        editable=False,
    )
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True, editable=False)
    last_contact_on = models.DateField(_("last contact"), null=True, blank=True, editable=False)

    search_fields = ("company_name", "tax_code", "contact_name")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("prospect")
        verbose_name_plural = _("prospects")
        ordering = ["-updated_at"]
        indexes = [
            # Chain coverage and the map: open prospects per industry and per node.
            models.Index(fields=["industry", "status"], name="prospect_industry_status"),
            # The prospects of one gap node (node page, "prospects per gap").
            models.Index(fields=["node", "status"], name="prospect_node_status"),
            # The data version of cached chain figures: the latest change.
            models.Index(fields=["updated_at"], name="prospect_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_investment__isnull=True) | Q(estimated_investment__gte=0),
                name="prospect_estimate_not_negative",
                violation_error_message=_("The estimated investment cannot be negative."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ProspectStatus.CONVERTED) | Q(project__isnull=False),
                name="prospect_converted_has_project",
                violation_error_message=_("A converted prospect must be linked to its project."),
            ),
        ]

    def __str__(self) -> str:
        return self.company_name

    def get_absolute_url(self) -> str:
        return reverse("industries:prospect-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status not in (ProspectStatus.CONVERTED, ProspectStatus.DECLINED)

    def clean(self) -> None:
        super().clean()
        if self.country:
            self.country = self.country.strip().upper()
        if self.node_id and self.industry_id and self.node.industry_id != self.industry_id:
            raise ValidationError(
                {"node": _("The chain node must belong to the prospect's leading industry.")}
            )


class OutreachActivity(VersionedModel):
    """One contact with a prospect: a visit, a meeting, a call, a fair..."""

    prospect = models.ForeignKey(
        Prospect,
        verbose_name=_("prospect"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    occurred_on = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=10, choices=OutreachChannel.choices)
    officials = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officials"),
        blank=True,
        related_name="outreach_activities",
    )
    participants = models.CharField(
        _("other participants"),
        max_length=255,
        blank=True,
        help_text=_("People who took part and have no account, e.g. the trade office."),
    )
    outcome = models.TextField(_("outcome"))
    next_step = models.CharField(_("next step"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("outreach activity")
        verbose_name_plural = _("outreach activities")
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            # A prospect's timeline, newest first.
            models.Index(fields=["prospect", "-occurred_on"], name="outreach_prospect_date"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on}: {self.get_channel_display()}"
