"""Targets per year × locality × metric, competition campaigns with their weights, and the
published ranking snapshots (which never change once written)."""

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
from vanco.targets.enums import Metric

TARGET_VALUE = {"max_digits": 18, "decimal_places": 3}
YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


def validate_weights(value) -> None:
    """{metric: weight}: known metrics, weights from 0 to 100, at least one above 0."""
    if not isinstance(value, dict):
        raise ValidationError(_("The weights must be a table of metric → weight."))
    known = set(Metric.values)
    for key, weight in value.items():
        if key not in known:
            raise ValidationError(_("Unknown metric: %(metric)s.") % {"metric": key})
        try:
            number = Decimal(str(weight))
        except Exception:
            raise ValidationError(_("A weight must be a number.")) from None
        if number < 0 or number > 100:
            raise ValidationError(_("A weight is from 0 to 100."))
    if not any(Decimal(str(weight)) > 0 for weight in value.values()):
        raise ValidationError(_("Give at least one metric a weight above zero."))


class Target(VersionedModel):
    """What one locality (or the whole city, its root) should reach in one year on one metric."""

    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    locality = models.ForeignKey(
        "org.Locality",
        verbose_name=_("locality"),
        on_delete=models.PROTECT,
        related_name="targets",
    )
    metric = models.CharField(_("metric"), max_length=32, choices=Metric.choices)
    value = models.DecimalField(
        _("target value"), validators=[MinValueValidator(Decimal("0"))], **TARGET_VALUE
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["-year", "locality__path", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "locality", "metric"],
                name="target_one_per_year_locality_metric",
                violation_error_message=_(
                    "This locality already has a target for this metric in this year."
                ),
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="target_value_not_negative",
                violation_error_message=_("A target cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.locality} · {self.get_metric_display()}"

    def get_absolute_url(self) -> str:
        return reverse("targets:target-edit", args=[self.pk])


class Campaign(SearchableModel, VersionedModel):
    """A competition over one year or several: which metrics count and how much."""

    name = models.CharField(_("name"), max_length=200)
    first_year = models.PositiveSmallIntegerField(_("first year"), validators=YEAR_VALIDATORS)
    last_year = models.PositiveSmallIntegerField(_("last year"), validators=YEAR_VALIDATORS)
    weights = models.JSONField(
        _("weights"),
        default=dict,
        validators=[validate_weights],
        help_text=_("How much each metric counts in the score (0 leaves it out)."),
    )
    completion_cap = models.DecimalField(
        _("cap on completion (%)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("120"),
        validators=[MinValueValidator(Decimal("100")), MaxValueValidator(Decimal("1000"))],
        help_text=_("A completion above this counts as this much (e.g. 120 %)."),
    )
    description = models.TextField(_("description"), blank=True)

    search_fields = ("name",)
    objects = ScopedManager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-last_year", "-first_year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__gte=models.F("first_year")),
                name="campaign_years_in_order",
                violation_error_message=_("The last year cannot come before the first year."),
            ),
            models.CheckConstraint(
                condition=Q(completion_cap__gte=100),
                name="campaign_cap_at_least_100",
                violation_error_message=_("The cap on completion is at least 100 %."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("targets:campaign-edit", args=[self.pk])

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    def clean(self) -> None:
        super().clean()
        if self.first_year and self.last_year and self.last_year < self.first_year:
            raise ValidationError(
                {"last_year": _("The last year cannot come before the first year.")}
            )


class RankingSnapshot(VersionedModel):
    """A ranking as the coordinator published it: the weights, formula and figures of that day.

    Written once by `targets.ranking.publish_ranking`; nobody may edit it afterwards."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="snapshots"
    )
    title = models.CharField(_("title"), max_length=255)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"))
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    weights = models.JSONField(_("weights"), default=dict)
    completion_cap = models.DecimalField(_("cap on completion (%)"), max_digits=6, decimal_places=2)
    formula = models.TextField(_("formula"))
    data_date = models.DateField(_("data as of"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("ranking snapshot")
        verbose_name_plural = _("ranking snapshots")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("targets:snapshot-detail", args=[self.pk])


class RankingEntry(VersionedModel):
    """One locality's line in a published ranking, with the per-metric breakdown behind it.
    Written with its snapshot and never changed (its version stays 1)."""

    snapshot = models.ForeignKey(
        RankingSnapshot,
        verbose_name=_("ranking snapshot"),
        on_delete=models.CASCADE,
        related_name="entries",
    )
    locality = models.ForeignKey(
        "org.Locality",
        verbose_name=_("locality"),
        on_delete=models.PROTECT,
        related_name="ranking_entries",
    )
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=2, null=True, blank=True)
    breakdown = models.JSONField(_("breakdown"), default=list)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("ranking entry")
        verbose_name_plural = _("ranking entries")
        ordering = ["snapshot", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "locality"],
                name="rankingentry_one_per_locality",
                violation_error_message=_("This locality is already in this ranking."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank or '–'}. {self.locality}"
