import hashlib

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vanco.accounts.enums import Language, Role
from vanco.core.access import ScopedQuerySet
from vanco.core.identifiers import validate_enterprise_key
from vanco.core.models import SearchableModel


class UserQuerySet(ScopedQuerySet):
    pass


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass


class User(SearchableModel, AbstractUser):
    """An official or an enterprise user. One name field: Vietnamese names read surname first."""

    full_name = models.CharField(_("full name"), max_length=150)
    title = models.CharField(_("position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.VI
    )
    is_system = models.BooleanField(
        _("system account"),
        default=False,
        editable=False,
        help_text=_("Used by commands and background jobs; cannot log in."),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    search_fields = ("username", "full_name", "email", "title")
    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_absolute_url(self) -> str:
        return reverse("accounts:user-detail", args=[self.pk])

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.full_name.split()[-1] if self.full_name else self.username


class RoleAssignment(models.Model):
    """One role of a user with its scope. A user may hold several (e.g. locality + cadre)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    locality = models.ForeignKey(
        "org.Locality",
        verbose_name=_("locality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    # The enterprise registry arrives with the enterprises app; until then the scope is keyed by
    # the enterprise's tax code, which is also that registry's natural key.
    enterprise_tax_code = models.CharField(
        _("enterprise tax code"), max_length=20, blank=True, validators=[validate_enterprise_key]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["user_id", "role"]
        constraints = [
            models.CheckConstraint(
                name="roleassignment_scope_matches_role",
                condition=(
                    models.Q(
                        role__in=[Role.LEADER, Role.COORDINATOR, Role.AUDITOR, Role.CADRE],
                        locality__isnull=True,
                        department__isnull=True,
                        enterprise_tax_code="",
                    )
                    | models.Q(
                        role=Role.LOCALITY,
                        locality__isnull=False,
                        department__isnull=True,
                        enterprise_tax_code="",
                    )
                    | models.Q(
                        role=Role.DEPARTMENT,
                        locality__isnull=True,
                        department__isnull=False,
                        enterprise_tax_code="",
                    )
                    | models.Q(
                        role=Role.ENTERPRISE,
                        locality__isnull=True,
                        department__isnull=True,
                    )
                    & ~models.Q(enterprise_tax_code="")
                ),
                violation_error_message=_(
                    "A locality officer needs a locality, a department officer a department, an "
                    "enterprise user an enterprise; other roles cover the whole city."
                ),
            ),
            # Coalesce: NULL scopes must compare equal, on SQLite as on PostgreSQL.
            models.UniqueConstraint(
                "user",
                "role",
                Coalesce("locality", 0),
                Coalesce("department", 0),
                "enterprise_tax_code",
                name="roleassignment_unique",
                violation_error_message=_("This user already has this role with this scope."),
            ),
        ]

    def __str__(self) -> str:
        scope = self.locality or self.department or self.enterprise_tax_code
        label = Role(self.role).label
        return f"{label} — {scope}" if scope else str(label)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API. Only its hash is stored; the token is shown once."""

    PREFIX = "vnc_"

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_prefix = models.CharField(_("token prefix"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
