from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vanco.core.access import ScopedManager
from vanco.core.models import SearchableModel, VersionedModel
from vanco.core.tree import TreeModel
from vanco.industries.enums import ChainSegment
from vanco.org.models import code_validator


class Industry(SearchableModel, VersionedModel):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("display order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

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
