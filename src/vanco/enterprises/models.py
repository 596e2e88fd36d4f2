from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vanco.core.access import ScopedManager
from vanco.core.identifiers import normalise_enterprise_key, validate_enterprise_key
from vanco.core.models import SearchableModel, VersionedModel
from vanco.enterprises.enums import EnterpriseSize, EnterpriseStatus, Ownership

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
