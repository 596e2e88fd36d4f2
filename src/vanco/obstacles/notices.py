"""Who hears of an obstacle's steps: in-app notifications (and e-mail as each user prefers),
worded in each recipient's language when read. Called after the step's transaction commits."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from vanco.accounts.enums import Role
from vanco.notifications.models import Kind
from vanco.notifications.services import notify
from vanco.obstacles.enums import OPEN_STATUSES, Level, Source
from vanco.obstacles.models import Obstacle


def _users(q: Q):
    return get_user_model().objects.filter(q, is_active=True, is_system=False).distinct()


def _role(role: str):
    return _users(Q(role_assignments__role=role))


def _department_officers(department_ids):
    return _users(
        Q(role_assignments__role=Role.DEPARTMENT)
        & Q(role_assignments__department__in=list(department_ids))
    )


def _raisers(obstacle: Obstacle):
    """The raiser, and for an enterprise's own obstacle every user of that enterprise."""
    q = Q(pk=obstacle.raised_by_id)
    if obstacle.source == Source.ENTERPRISE and obstacle.enterprise_id:
        q |= Q(role_assignments__role=Role.ENTERPRISE) & Q(
            role_assignments__enterprise_tax_code=obstacle.enterprise.tax_code
        )
    return _users(q)


def _params(obstacle: Obstacle, **extra) -> dict:
    params = {"obstacle": f"{obstacle.number} {obstacle.title}"}
    if obstacle.due_on:
        params["due_iso"] = obstacle.due_on.isoformat()
    if obstacle.lead_department_id:
        params["department"] = obstacle.lead_department.name
    return {**params, **extra}


def _send(users, kind: str, obstacle: Obstacle, *, key: str = "", **extra) -> int:
    params = _params(obstacle, **extra)
    sent = 0
    for user in users:
        created = notify(
            user=user,
            kind=kind,
            params=params,
            url=obstacle.get_absolute_url(),
            key=key,
            email=True,
        )
        sent += created is not None
    return sent


def submitted(obstacle: Obstacle) -> int:
    return _send(_role(Role.COORDINATOR), Kind.OBSTACLE_SUBMITTED, obstacle)


def assigned(obstacle: Obstacle, department_ids, reassigned: bool) -> int:
    return _send(_department_officers(department_ids), Kind.OBSTACLE_ASSIGNED, obstacle)


def handed_back(obstacle: Obstacle, reason: str) -> int:
    department = obstacle.events.filter(kind="handed_back").order_by("-at").first()
    name = department.department.name if department and department.department else ""
    return _send(
        _role(Role.COORDINATOR),
        Kind.OBSTACLE_HANDED_BACK,
        obstacle,
        department=name,
        comment=reason,
    )


def accepted(obstacle: Obstacle) -> int:
    return _send(_raisers(obstacle), Kind.OBSTACLE_ACCEPTED, obstacle)


def resolved(obstacle: Obstacle) -> int:
    return _send(_raisers(obstacle), Kind.OBSTACLE_RESOLVED, obstacle)


def reopened(obstacle: Obstacle, reason: str) -> int:
    return _send(
        _department_officers([obstacle.lead_department_id]),
        Kind.OBSTACLE_REOPENED,
        obstacle,
        comment=reason,
    )


def escalation_recipients(obstacle: Obstacle):
    level = obstacle.escalation_level
    if level == Level.DEPARTMENT:
        return _department_officers(
            [obstacle.lead_department_id] if obstacle.lead_department_id else []
        )
    if level == Level.LEADER:
        leader_id = obstacle.project.leader_id if obstacle.project_id else None
        return _users(Q(pk=leader_id)) if leader_id else _role(Role.LEADER)
    return _users(Q(role_assignments__role__in=[Role.COORDINATOR, Role.LEADER]))


def escalated(obstacle: Obstacle) -> int:
    return _send(
        escalation_recipients(obstacle),
        Kind.OBSTACLE_ESCALATED,
        obstacle,
        level_code=obstacle.escalation_level,
        key=f"escalated:{obstacle.pk}:{obstacle.escalation_level}",
    )


def remind_due(*, today: datetime.date | None = None) -> int:
    """Daily: the lead department hears of obstacles due in a few days and of overdue ones
    (overdue reminders weekly, not daily). Returns how many notifications were created."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=settings.VANCO_OBSTACLE_DUE_SOON_DAYS)
    week = settings.VANCO_ESCALATION_STEP_DAYS
    pending = (
        Obstacle.objects.filter(
            status__in=OPEN_STATUSES, due_on__lte=soon, lead_department__isnull=False
        )
        .select_related("lead_department")
        .order_by("lead_department_id", "due_on")
    )
    officers: dict[int, list] = {}
    sent = 0
    for obstacle in pending.iterator(chunk_size=2000):
        if obstacle.due_on >= today:
            if obstacle.due_on not in (soon, today):
                continue
            kind = Kind.OBSTACLE_DUE_SOON
        elif (today - obstacle.due_on).days % week == 1:
            kind = Kind.OBSTACLE_OVERDUE
        else:
            continue
        department = obstacle.lead_department_id
        if department not in officers:
            officers[department] = list(_department_officers([department]))
        sent += _send(
            officers[department],
            kind,
            obstacle,
            key=f"{kind}:{obstacle.pk}:{today.isoformat()}",
        )
    return sent
