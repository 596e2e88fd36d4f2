from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vanco.core.access import ScopedManager
from vanco.core.models import SearchableModel, VersionedModel
from vanco.core.tree import TreeModel
from vanco.org.enums import ALLOWED_PARENT_KINDS, LocalityKind

code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9_.-]*$",
    _("Use capital letters, digits, dot, dash or underscore, e.g. HN-BD."),
)


class Locality(TreeModel, SearchableModel, VersionedModel):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=LocalityKind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    # A GeoJSON geometry (Polygon or MultiPolygon, WGS 84), uploaded by the coordinator
    # (org.boundaries) and drawn on the dashboard's offline map.
    boundary = models.JSONField(_("boundary"), null=True, blank=True, editable=False)

    search_fields = ("code", "name")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("locality")
        verbose_name_plural = _("localities")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True, kind=LocalityKind.CITY)
                | models.Q(parent__isnull=False) & ~models.Q(kind=LocalityKind.CITY),
                name="locality_city_is_root",
                violation_error_message=_(
                    "Only the city (province) is at the top; every other locality has a parent."
                ),
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("org:locality-detail", args=[self.pk])

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        self._check_children_still_fit()
        if self.kind == LocalityKind.CITY and self.parent_id:
            raise ValidationError({"parent": _("The city (province) has no parent.")})
        if self.kind and self.kind != LocalityKind.CITY:
            if not self.parent_id:
                raise ValidationError({"parent": _("Choose the locality this one belongs to.")})
            allowed = ALLOWED_PARENT_KINDS[LocalityKind(self.kind)]
            if self.parent.kind not in allowed:
                raise ValidationError(
                    {
                        "parent": _(
                            "A locality of kind “%(kind)s” cannot belong to one of kind "
                            "“%(parent_kind)s”."
                        )
                        % {
                            "kind": LocalityKind(self.kind).label,
                            "parent_kind": LocalityKind(self.parent.kind).label,
                        }
                    }
                )

    def _check_children_still_fit(self) -> None:
        if not self.pk or not self.kind:
            return
        misfits = (
            Locality.objects.filter(parent_id=self.pk)
            .exclude(
                kind__in=[
                    kind
                    for kind, parents in ALLOWED_PARENT_KINDS.items()
                    if LocalityKind(self.kind) in parents
                ]
            )
            .values_list("kind", flat=True)
            .distinct()
        )
        kinds = sorted(str(LocalityKind(kind).label) for kind in misfits)
        if kinds:
            raise ValidationError(
                {
                    "kind": _(
                        "A locality of kind “%(kind)s” cannot hold its current sub-localities "
                        "(%(children)s). Move them first."
                    )
                    % {"kind": LocalityKind(self.kind).label, "children": ", ".join(kinds)}
                }
            )


class Department(SearchableModel, VersionedModel):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    search_fields = ("code", "name", "short_name")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def get_absolute_url(self) -> str:
        return reverse("org:department-detail", args=[self.pk])

    def __str__(self) -> str:
        return self.short_name or self.name
