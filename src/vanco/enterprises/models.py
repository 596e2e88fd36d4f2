import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vanco.core.access import ScopedManager
from vanco.core.identifiers import normalise_enterprise_key, validate_enterprise_key
from vanco.core.models import SearchableModel, VersionedModel
from vanco.enterprises.enums import (
    VISIT_INTERVAL_DAYS,
    EnterpriseSize,
    EnterpriseStatus,
    Ownership,
    VisitForm,
    VisitFrequency,
)

country_validator = RegexValidator(
    r"^[A-Z]{2}$", _("Use the two-letter country code, e.g. VN, CN, KR.")
)


class Enterprise(SearchableModel, VersionedModel):
    """A company: an investor, a prospect on a chain gap, or an enterprise the city serves."""

    name = models.CharField(_("name"), max_length=255)
    tax_code = models.CharField(
        _("tax code"),
        max_length=20,
        unique=True,
        validators=[validate_enterprise_key],
        help_text=_("Vietnamese tax code, or Chinese unified social credit code."),
    )
    locality = models.ForeignKey(
        "org.Locality",
        verbose_name=_("locality"),
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    industry = models.ForeignKey(
        "industries.Industry",
        verbose_name=_("leading industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    chain_nodes = models.ManyToManyField(
        "industries.ChainNode",
        verbose_name=_("chain nodes"),
        blank=True,
        related_name="enterprises",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=EnterpriseStatus.choices,
        default=EnterpriseStatus.OPERATING,
    )
    size = models.CharField(_("size"), max_length=8, choices=EnterpriseSize.choices, blank=True)
    ownership = models.CharField(
        _("ownership"), max_length=10, choices=Ownership.choices, default=Ownership.DOMESTIC
    )
    country = models.CharField(
        _("country of origin"), max_length=2, default="VN", validators=[country_validator]
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    search_fields = ("name", "tax_code")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name"]
        indexes = [
            # The enterprise list filtered by status within a locality subtree.
            models.Index(fields=["status", "locality"], name="enterprise_status_locality"),
            # The data version of cached figures (coverage): the latest change.
            models.Index(fields=["updated_at"], name="enterprise_updated"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("enterprises:enterprise-detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.tax_code:
            self.tax_code = normalise_enterprise_key(self.tax_code)
        if self.ownership == Ownership.FOREIGN and not self.country:
            raise ValidationError(
                {
                    "country": _(
                        "Give the investor's country: it is required for a "
                        "foreign-invested enterprise."
                    )
                }
            )


class Contact(VersionedModel):
    """A person at an enterprise. Personal data: masked in exports for most readers."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("full name"), max_length=150)
    position = models.CharField(_("position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_primary = models.BooleanField(_("main contact"), default=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name"]

    def __str__(self) -> str:
        return self.name


class Pairing(VersionedModel):
    """An official paired with an enterprise ("thousand cadres into thousand enterprises"):
    they visit it at the agreed frequency and carry its problems back."""

    official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paired official"),
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="pairings"
    )
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    frequency = models.CharField(
        _("visit frequency"),
        max_length=12,
        choices=VisitFrequency.choices,
        default=VisitFrequency.QUARTERLY,
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    # Derived by the visit services, never typed: the date of the latest visit and the date
    # the next one is due, so "behind on visits" is one indexed comparison.
    last_visit_on = models.DateField(_("last visit"), null=True, blank=True, editable=False)
    next_visit_due = models.DateField(_("next visit due"), editable=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["next_visit_due", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["official", "enterprise"],
                condition=models.Q(ends_on__isnull=True),
                name="pairing_one_open_per_official_enterprise",
                violation_error_message=_("This official is already paired with this enterprise."),
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="pairing_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]
        indexes = [
            # The cadre scope: "enterprises paired with me now".
            models.Index(fields=["official", "ends_on"], name="pairing_official_open"),
            # Pairings behind on visits: open ones whose next visit is past due.
            models.Index(fields=["ends_on", "next_visit_due"], name="pairing_due"),
            # Coverage and enterprise pages: an enterprise's open (or behind) pairings.
            models.Index(
                fields=["enterprise", "ends_on", "next_visit_due"], name="pairing_enterprise"
            ),
            # The data version of cached figures (coverage): the latest change.
            models.Index(fields=["updated_at"], name="pairing_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.official} — {self.enterprise}"

    def get_absolute_url(self) -> str:
        return reverse("enterprises:pairing-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.ends_on is None

    def interval_days(self) -> int:
        return VISIT_INTERVAL_DAYS[VisitFrequency(self.frequency)]

    def compute_next_visit_due(self) -> datetime.date:
        base = self.last_visit_on or self.starts_on
        return base + datetime.timedelta(days=self.interval_days())


class Visit(VersionedModel):
    """A logged contact between officials and an enterprise."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="visits"
    )
    pairing = models.ForeignKey(
        Pairing,
        verbose_name=_("pairing"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    visited_on = models.DateField(_("visit date"))
    form = models.CharField(
        _("form of contact"), max_length=10, choices=VisitForm.choices, default=VisitForm.ON_SITE
    )
    officials = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officials present"),
        related_name="visits",
        blank=True,
    )
    people_met = models.CharField(_("people met"), max_length=255, blank=True)
    summary = models.TextField(_("summary"))
    demands = models.TextField(_("demands raised"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-pk"]
        indexes = [
            # An enterprise's visits, newest first (detail page, coverage "visited this quarter").
            models.Index(fields=["enterprise", "-visited_on"], name="visit_enterprise_date"),
            # Visits of a period across the city (coverage, targets), covering the enterprise
            # so that counting them per locality reads no visit rows.
            models.Index(fields=["visited_on", "enterprise"], name="visit_date_enterprise"),
            # The data version of cached figures (coverage): the latest change.
            models.Index(fields=["updated_at"], name="visit_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} — {self.visited_on:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("enterprises:visit-detail", args=[self.pk])
