"""Who hears of a directive's steps: in-app notifications (and e-mail as each user prefers),
worded in each recipient's language when read. Called after the step's transaction commits."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from vanco.accounts.enums import Role
from vanco.meetings.models import Directive
from vanco.notifications.models import Kind
from vanco.notifications.services import notify


def _users(q: Q):
    return get_user_model().objects.filter(q, is_active=True, is_system=False).distinct()


def assignee_q(directive: Directive) -> Q:
    """Every officer of an assigned department, and every locality officer of an assigned
    locality."""
    department_ids = [d.pk for d in directive.departments.all()]
    locality_ids = [loc.pk for loc in directive.localities.all()]
    return (
        Q(role_assignments__role=Role.DEPARTMENT)
        & Q(role_assignments__department__in=department_ids)
    ) | (Q(role_assignments__role=Role.LOCALITY) & Q(role_assignments__locality__in=locality_ids))


def assignees(directive: Directive):
    return _users(assignee_q(directive))


def _send(users, kind: str, directive: Directive, *, key: str = "", **extra) -> int:
    params = {
        "directive": f"{directive.number} {directive.title}",
        "due_iso": directive.due_on.isoformat(),
        **extra,
    }
    sent = 0
    for user in users:
        created = notify(
            user=user,
            kind=kind,
            params=params,
            url=directive.get_absolute_url(),
            key=key,
            email=True,
        )
        sent += created is not None
    return sent


def issued(directive: Directive) -> int:
    return _send(assignees(directive), Kind.DIRECTIVE_ISSUED, directive)


def overdue(directive: Directive) -> int:
    users = _users(assignee_q(directive) | Q(pk=directive.issued_by_id))
    return _send(
        users,
        Kind.DIRECTIVE_OVERDUE,
        directive,
        key=f"directive_overdue:{directive.pk}:{directive.due_on.isoformat()}",
    )


def done(directive: Directive) -> int:
    return _send(_users(Q(pk=directive.issued_by_id)), Kind.DIRECTIVE_DONE, directive)


def reopened(directive: Directive, *, reason: str, event_pk: int) -> int:
    """The assigned units hear that the issuer reopened the directive, and why; keyed by the
    REOPENED update, so one reopening is announced once."""
    return _send(
        assignees(directive),
        Kind.DIRECTIVE_REOPENED,
        directive,
        key=f"directive_reopened:{directive.pk}:{event_pk}",
        comment=reason,
    )
