"""State changes of users, roles and API tokens."""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from vanco.accounts.enums import Role
from vanco.accounts.models import ApiToken, RoleAssignment, User, hash_token
from vanco.core.access import assert_still_editable, forget_scope, require
from vanco.core.identifiers import normalise_enterprise_key

NO_ROLE_MESSAGE = _lazy("Give the user at least one role.")


@dataclass(frozen=True)
class RoleSpec:
    role: str
    locality_id: int | None = None
    department_id: int | None = None
    enterprise_tax_code: str = ""


def _assignment(user: User, spec: RoleSpec) -> RoleAssignment:
    assignment = RoleAssignment(
        user=user,
        role=spec.role,
        locality_id=spec.locality_id if spec.role == Role.LOCALITY else None,
        department_id=spec.department_id if spec.role == Role.DEPARTMENT else None,
        enterprise_tax_code=(
            normalise_enterprise_key(spec.enterprise_tax_code)
            if spec.role == Role.ENTERPRISE
            else ""
        ),
    )
    assignment.full_clean(exclude=["user"])
    return assignment


@transaction.atomic
def create_user(
    *,
    actor: User | None,
    username: str,
    full_name: str,
    password: str | None,
    roles: Iterable[RoleSpec],
    email: str = "",
    title: str = "",
    phone: str = "",
    language: str = "vi",
) -> User:
    """Create a user with their roles. `actor=None` only from the command line (system)."""
    if actor is not None:
        require(actor, "users.manage")
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        title=title,
        phone=phone,
        language=language,
    )
    user.full_clean(exclude=["password"])
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    set_roles(actor=actor, user=user, roles=roles)
    return user


@transaction.atomic
def set_roles(*, actor: User | None, user: User, roles: Iterable[RoleSpec]) -> list[RoleAssignment]:
    """Replace a user's role assignments with exactly `roles`."""
    if actor is not None:
        require(actor, "users.manage")
    wanted = [_assignment(user, spec) for spec in dict.fromkeys(roles)]
    if (
        actor is not None
        and actor.pk == user.pk
        and user.role_assignments.filter(role=Role.COORDINATOR).exists()
        and not any(assignment.role == Role.COORDINATOR for assignment in wanted)
    ):
        # Otherwise the last coordinator could lock everyone out of user management.
        raise ValidationError(_("You cannot remove your own coordinator role."))
    keep = set()
    for assignment in wanted:
        existing = RoleAssignment.objects.filter(
            user=user,
            role=assignment.role,
            locality_id=assignment.locality_id,
            department_id=assignment.department_id,
            enterprise_tax_code=assignment.enterprise_tax_code,
        ).first()
        if existing is None:
            assignment.save()
            existing = assignment
        keep.add(existing.pk)
    for stale in user.role_assignments.exclude(pk__in=keep):
        stale.delete()  # one by one, so each removal is audited
    forget_scope(user)
    if actor is not None:
        assert_still_editable(user, actor)
    return list(user.role_assignments.all())


@transaction.atomic
def set_active(*, actor: User, user: User, active: bool) -> User:
    require(actor, "users.manage")
    if user.pk == actor.pk and not active:
        raise ValidationError(_("You cannot deactivate your own account."))
    user.is_active = active
    user.version += 1
    user.save(update_fields=["is_active", "version", "updated_at"])
    if not active:
        for token in user.api_tokens.filter(revoked_at__isnull=True):
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])  # one by one, so each is audited
    return user


def set_language(*, user: User, language: str) -> None:
    if user.language != language:
        user.language = language
        user.save(update_fields=["language", "updated_at"])


def issue_token(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned once and never stored."""
    raw = ApiToken.PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, key_prefix=raw[:12], key_hash=hash_token(raw)
    )
    return token, raw


def revoke_token(*, actor: User, token: ApiToken) -> ApiToken:
    if not ApiToken.objects.editable_by(actor).filter(pk=token.pk).exists():
        raise Http404
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def user_for_token(raw: str) -> User | None:
    if not raw or not raw.startswith(ApiToken.PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        # Throttled so a busy script does not write on every call.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
