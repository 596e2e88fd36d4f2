"""Every state change of an obstacle, one function per step of its life.

submitted → assigned (lead + cooperating departments, due date from the category's time limit)
→ accepted → in_progress → resolved → closed (the raiser confirms and rates 1–5), or resolved →
reopened → in_progress again. A department may hand an obstacle back as not theirs; the
coordinator reassigns. Overdue obstacles escalate one level at a time (department head → leader
in charge → leading group), by the scheduler or by hand with a reason.

Each function takes keyword arguments, runs in one transaction, checks who may act (out of
scope: Http404; visible but not theirs to do: PermissionDenied; wrong state or bad input:
ValidationError with a message for the user), records an `ObstacleEvent`, and notifies the
people who must act next once the transaction commits.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanco.accounts.enums import Role
from vanco.core import uploads as files
from vanco.core.access import assert_still_editable, can, scope_for, visible_or_404
from vanco.core.audit import acting_as
from vanco.core.services import StaleEditError
from vanco.obstacles import notices
from vanco.obstacles.enums import (
    OPEN_STATUSES,
    UNRESOLVED_STATUSES,
    EventKind,
    Level,
    Source,
    Status,
)
from vanco.obstacles.models import CategoryLimit, Obstacle, ObstacleAttachment, ObstacleEvent

#: Statuses from which the lead department may mark the obstacle resolved.
RESOLVABLE = frozenset({Status.ACCEPTED, Status.IN_PROGRESS, Status.REOPENED})
#: Statuses from which the coordinator may assign again (a reassignment).
REASSIGNABLE = frozenset({Status.SUBMITTED, *OPEN_STATUSES})


def escalation_step_days() -> int:
    return int(getattr(settings, "VANCO_ESCALATION_STEP_DAYS", 7))


# --- loading and checks ---------------------------------------------------------------------


def _load(actor, obstacle: Obstacle | int, *, lock: bool = True) -> Obstacle:
    """The obstacle as the actor sees it, locked for the change: 404 when out of scope."""
    pk = obstacle.pk if isinstance(obstacle, Obstacle) else obstacle
    qs = Obstacle.objects.visible_to(actor).filter(pk=pk)
    if lock:
        qs = qs.select_for_update(of=("self",))
    current = qs.first()
    if current is None:
        raise Http404("Obstacle")
    return current


def _check_version(obstacle: Obstacle, expected_version) -> None:
    if expected_version is not None and int(expected_version) != obstacle.version:
        raise StaleEditError()


def _refuse_state(obstacle: Obstacle, action) -> None:
    raise ValidationError(
        _("This obstacle is %(status)s: it cannot be %(action)s now.")
        % {"status": Status(obstacle.status).label.lower(), "action": action},
        code="wrong_status",
    )


def _require_reason(text: str, field: str = "comment") -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: _("Give the reason.")}, code="reason_required")
    return text


def _is_lead_department_officer(actor, obstacle: Obstacle) -> bool:
    scope = scope_for(actor)
    return obstacle.lead_department_id is not None and (
        obstacle.lead_department_id in scope.department_ids
    )


def _require_lead_department(actor, obstacle: Obstacle) -> None:
    if not (can(actor, "obstacles.work") and _is_lead_department_officer(actor, obstacle)):
        raise PermissionDenied("only the lead department")


def is_raiser(actor, obstacle: Obstacle) -> bool:
    """The raiser confirms or reopens: the official who raised it, or, for an obstacle filed by
    an enterprise, any user of that enterprise."""
    if obstacle.raised_by_id == actor.pk:
        return True
    if obstacle.source != Source.ENTERPRISE or obstacle.enterprise_id is None:
        return False
    return obstacle.enterprise.tax_code in scope_for(actor).enterprise_keys


def _event(obstacle: Obstacle, *, actor, kind, from_status="", comment="", **extra):
    return ObstacleEvent.objects.create(
        obstacle=obstacle,
        kind=kind,
        from_status=from_status,
        to_status=obstacle.status,
        actor=actor,
        at=timezone.now(),
        comment=comment,
        **extra,
    )


def _save(obstacle: Obstacle, fields: list[str]) -> None:
    obstacle.version += 1
    obstacle.save(update_fields=[*fields, "version", "updated_at"])


# --- raising --------------------------------------------------------------------------------


def raise_obstacle(
    *,
    actor,
    data: dict,
    uploaded_files=(),
    report=None,
    visit=None,
    raised_at: datetime.datetime | None = None,
) -> Obstacle:
    """Record a new obstacle (status submitted) from cleaned form data: title, description,
    category, severity, project and/or enterprise. An enterprise user always raises for their
    own enterprise; a report or a visit links the obstacle to where it came from."""
    if not can(actor, "obstacles.raise"):
        raise PermissionDenied("obstacles.raise")
    project = data.get("project") or (report.project if report is not None else None)
    enterprise = data.get("enterprise") or (visit.enterprise if visit is not None else None)
    scope = scope_for(actor)
    only_enterprise_user = scope.roles == frozenset({Role.ENTERPRISE})
    if only_enterprise_user and project is None and enterprise is None:
        # A company account files for its own company without having to pick it.
        enterprise = _own_enterprise(actor, scope)
    if (
        report is not None
        and data.get("project") is not None
        and data["project"].pk != report.project_id
    ):
        raise ValidationError(
            {"project": _("The project must be the one of the progress report.")},
            code="foreign_report",
        )
    if project is not None:
        project = visible_or_404(type(project), actor, project.pk)
        if enterprise is None:
            enterprise = project.investor
        elif enterprise.pk != project.investor_id:
            # The company's users would see an obstacle about a project they cannot see.
            raise ValidationError(
                {"enterprise": _("The enterprise must be the project's investor.")},
                code="not_the_investor",
            )
    if enterprise is not None:
        enterprise = visible_or_404(type(enterprise), actor, enterprise.pk)
    if project is None and enterprise is None:
        raise ValidationError(
            {"project": _("Choose the project or the enterprise concerned.")},
            code="nothing_concerned",
        )
    if only_enterprise_user and (
        enterprise is None or enterprise.tax_code not in scope.enterprise_keys
    ):
        raise PermissionDenied("not the user's enterprise")
    if report is not None:
        source = Source.REPORT
    elif visit is not None:
        source = Source.VISIT
    elif only_enterprise_user:
        source = Source.ENTERPRISE
    else:
        source = data.get("source") or Source.OFFICIAL
    checked = [files.check_upload(upload) for upload in uploaded_files]
    stored: list[ObstacleAttachment] = []
    try:
        with transaction.atomic(), acting_as(actor):
            obstacle = Obstacle(
                title=data["title"].strip(),
                description=data["description"].strip(),
                category=data["category"],
                severity=data.get("severity") or Obstacle._meta.get_field("severity").default,
                source=source,
                project=project,
                enterprise=enterprise,
                report=report,
                visit=visit,
                locality_id=project.locality_id if project is not None else enterprise.locality_id,
                industry_id=(project.industry_id if project is not None else None)
                or (enterprise.industry_id if enterprise is not None else None),
                raised_by=actor,
                raised_at=raised_at or timezone.now(),
                status=Status.SUBMITTED,
            )
            obstacle.full_clean(exclude=["locality", "industry", "raised_by"])
            obstacle.save()
            _event(obstacle, actor=actor, kind=EventKind.CREATED)
            for upload, check in zip(uploaded_files, checked, strict=True):
                stored.append(_store_attachment(obstacle, upload, check, actor))
            assert_still_editable(obstacle, actor)
            transaction.on_commit(lambda: notices.submitted(obstacle))
    except BaseException:
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return obstacle


def _own_enterprise(actor, scope):
    from vanco.enterprises.models import Enterprise

    own = Enterprise.objects.visible_to(actor).filter(tax_code__in=scope.enterprise_keys)
    return own.order_by("pk").first()


def _store_attachment(obstacle, upload, check, actor) -> ObstacleAttachment:
    attachment = ObstacleAttachment(
        obstacle=obstacle,
        original_name=check.name,
        content_type=check.content_type,
        size=check.size,
        uploaded_by=actor,
    )
    attachment.file.save(check.name, upload, save=False)
    attachment.save()
    return attachment


def add_attachment(*, actor, obstacle: Obstacle | int, uploaded_file) -> ObstacleAttachment:
    """Attach a checked file to an obstacle the actor may act on."""
    current = _load(actor, obstacle, lock=False)
    if not Obstacle.objects.editable_by(actor).filter(pk=current.pk).exists():
        raise PermissionDenied("not editable")
    check = files.check_upload(uploaded_file)
    attachment = None
    try:
        with transaction.atomic(), acting_as(actor):
            attachment = _store_attachment(current, uploaded_file, check, actor)
    except BaseException:
        if attachment is not None and attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def attachment_response(*, actor, attachment_id: int):
    attachment = ObstacleAttachment.objects.visible_to(actor).filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("ObstacleAttachment")
    return files.download_response(attachment)


# --- assignment -----------------------------------------------------------------------------


def default_due_date(category: str, start: datetime.date | None = None) -> datetime.date:
    start = start or timezone.localdate()
    return start + datetime.timedelta(days=CategoryLimit.days_for(category))


def assign_obstacle(
    *,
    actor,
    obstacle: Obstacle | int,
    lead_department,
    cooperating=(),
    due_on: datetime.date | None = None,
    reason: str = "",
    expected_version=None,
) -> Obstacle:
    """The coordinator hands the obstacle to a lead department (and cooperating ones). The due
    date comes from the category's time limit; another date needs a reason."""
    with transaction.atomic(), acting_as(actor):
        current = _load(actor, obstacle)
        if not can(actor, "obstacles.assign"):
            raise PermissionDenied("obstacles.assign")
        _check_version(current, expected_version)
        if current.status not in REASSIGNABLE:
            _refuse_state(current, _("assigned"))
        cooperating = [d for d in cooperating if d.pk != lead_department.pk]
        if not lead_department.is_active or any(not d.is_active for d in cooperating):
            raise ValidationError(
                {"lead_department": _("Choose active departments.")}, code="inactive_department"
            )
        today = timezone.localdate()
        standard = default_due_date(current.category, today)
        due = due_on or standard
        reason = (reason or "").strip()
        if due != standard and not reason:
            raise ValidationError(
                {"reason": _("Give the reason for a due date other than the time limit.")},
                code="reason_required",
            )
        if due < today:
            raise ValidationError(
                {"due_on": _("The due date cannot be in the past.")}, code="due_in_past"
            )
        previous = current.status
        reassigned = previous != Status.SUBMITTED
        current.status = Status.ASSIGNED
        current.lead_department = lead_department
        current.assigned_at = timezone.now()
        current.due_on = due
        # A new assignment starts a new time limit: escalation starts again from the bottom
        # (its history stays in the events).
        current.escalation_level = Level.NONE
        current.escalated_at = None
        _save(
            current,
            [
                "status",
                "lead_department",
                "assigned_at",
                "due_on",
                "escalation_level",
                "escalated_at",
            ],
        )
        current.cooperating_departments.set(cooperating)
        _event(
            current,
            actor=actor,
            kind=EventKind.ASSIGNED,
            from_status=previous,
            comment=reason,
            department=lead_department,
            due_on=due,
        )
        departments = [lead_department.pk, *(d.pk for d in cooperating)]
        transaction.on_commit(lambda: notices.assigned(current, departments, reassigned))
    return current


def hand_back(*, actor, obstacle: Obstacle | int, reason: str, expected_version=None) -> Obstacle:
    """The lead department says the obstacle is not theirs; it returns to the coordinator."""
    with transaction.atomic(), acting_as(actor):
        current = _load(actor, obstacle)
        _require_lead_department(actor, current)
        _check_version(current, expected_version)
        if current.status not in {Status.ASSIGNED, Status.ACCEPTED}:
            _refuse_state(current, _("handed back"))
        reason = _require_reason(reason)
        department = current.lead_department
        previous = current.status
        current.status = Status.SUBMITTED
        current.lead_department = None
        current.due_on = None
        current.assigned_at = None
        current.escalation_level = Level.NONE
        current.escalated_at = None
        _save(
            current,
            [
                "status",
                "lead_department",
                "due_on",
                "assigned_at",
                "escalation_level",
                "escalated_at",
            ],
        )
        current.cooperating_departments.clear()
        _event(
            current,
            actor=actor,
            kind=EventKind.HANDED_BACK,
            from_status=previous,
            comment=reason,
            department=department,
        )
        transaction.on_commit(lambda: notices.handed_back(current, reason))
    return current


# --- the department's work ------------------------------------------------------------------


def _department_step(
    *, actor, obstacle, allowed_from, to_status, kind, action, comment="", expected_version=None
):
    with transaction.atomic(), acting_as(actor):
        current = _load(actor, obstacle)
        _require_lead_department(actor, current)
        _check_version(current, expected_version)
        if current.status not in allowed_from:
            _refuse_state(current, action)
        previous = current.status
        current.status = to_status
        _save(current, ["status"])
        _event(current, actor=actor, kind=kind, from_status=previous, comment=comment.strip())
    return current


def accept_obstacle(*, actor, obstacle, comment: str = "", expected_version=None) -> Obstacle:
    current = _department_step(
        actor=actor,
        obstacle=obstacle,
        allowed_from={Status.ASSIGNED},
        to_status=Status.ACCEPTED,
        kind=EventKind.ACCEPTED,
        action=_("accepted"),
        comment=comment,
        expected_version=expected_version,
    )
    transaction.on_commit(lambda: notices.accepted(current))
    return current


def start_work(*, actor, obstacle, comment: str = "", expected_version=None) -> Obstacle:
    return _department_step(
        actor=actor,
        obstacle=obstacle,
        allowed_from={Status.ACCEPTED, Status.REOPENED},
        to_status=Status.IN_PROGRESS,
        kind=EventKind.STARTED,
        action=_("started"),
        comment=comment,
        expected_version=expected_version,
    )


def resolve_obstacle(
    *, actor, obstacle, resolution: str, expected_version=None, now=None
) -> Obstacle:
    """The lead department reports the obstacle solved; the raiser is asked to confirm."""
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError(
            {"resolution": _("Say what was done to resolve it.")}, code="resolution_required"
        )
    with transaction.atomic(), acting_as(actor):
        current = _load(actor, obstacle)
        _require_lead_department(actor, current)
        _check_version(current, expected_version)
        if current.status not in RESOLVABLE:
            _refuse_state(current, _("resolved"))
        now = now or timezone.now()
        resolved_day = timezone.localdate(now)
        previous = current.status
        current.status = Status.RESOLVED
        current.resolution = resolution
        current.resolved_at = now
        current.resolved_on_time = current.due_on is None or resolved_day <= current.due_on
        current.days_to_resolve = max(
            0, (resolved_day - timezone.localdate(current.raised_at)).days
        )
        _save(
            current,
            ["status", "resolution", "resolved_at", "resolved_on_time", "days_to_resolve"],
        )
        _event(
            current, actor=actor, kind=EventKind.RESOLVED, from_status=previous, comment=resolution
        )
        transaction.on_commit(lambda: notices.resolved(current))
    return current


# --- the raiser's answer --------------------------------------------------------------------


def confirm_obstacle(
    *, actor, obstacle, rating, comment: str = "", expected_version=None
) -> Obstacle:
    """The raiser confirms the resolution and rates it from 1 to 5; the obstacle closes."""
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Choose a rating from 1 to 5.")}, code="bad_rating")
    with transaction.atomic(), acting_as(actor):
        current = _load(actor, obstacle)
        if not is_raiser(actor, current):
            raise PermissionDenied("only the raiser confirms")
        _check_version(current, expected_version)
        if current.status != Status.RESOLVED:
            _refuse_state(current, _("confirmed"))
        current.status = Status.CLOSED
        current.rating = rating
        current.rating_comment = (comment or "").strip()
        current.closed_at = timezone.now()
        _save(current, ["status", "rating", "rating_comment", "closed_at"])
        _event(
            current,
            actor=actor,
            kind=EventKind.CLOSED,
            from_status=Status.RESOLVED,
            comment=current.rating_comment,
        )
    return current


def reopen_obstacle(*, actor, obstacle, reason: str, expected_version=None) -> Obstacle:
    """The raiser is not satisfied: the obstacle goes back to the lead department."""
    reason = _require_reason(reason)
    with transaction.atomic(), acting_as(actor):
        current = _load(actor, obstacle)
        if not is_raiser(actor, current):
            raise PermissionDenied("only the raiser reopens")
        _check_version(current, expected_version)
        if current.status != Status.RESOLVED:
            _refuse_state(current, _("reopened"))
        current.status = Status.REOPENED
        current.resolved_at = None
        current.resolved_on_time = None
        current.days_to_resolve = None
        _save(current, ["status", "resolved_at", "resolved_on_time", "days_to_resolve"])
        _event(
            current,
            actor=actor,
            kind=EventKind.REOPENED,
            from_status=Status.RESOLVED,
            comment=reason,
        )
        transaction.on_commit(lambda: notices.reopened(current, reason))
    return current


# --- coordination ---------------------------------------------------------------------------


def change_due_date(
    *, actor, obstacle, due_on: datetime.date, reason: str, expected_version=None
) -> Obstacle:
    """The coordinator moves the due date, always with a reason."""
    reason = _require_reason(reason, "reason")
    with transaction.atomic(), acting_as(actor):
        current = _load(actor, obstacle)
        if not can(actor, "obstacles.assign"):
            raise PermissionDenied("obstacles.assign")
        _check_version(current, expected_version)
        if current.status not in OPEN_STATUSES:
            _refuse_state(current, _("given a new due date"))
        if due_on < timezone.localdate():
            raise ValidationError(
                {"due_on": _("The due date cannot be in the past.")}, code="due_in_past"
            )
        current.due_on = due_on
        _save(current, ["due_on"])
        _event(
            current,
            actor=actor,
            kind=EventKind.DUE_CHANGED,
            from_status=current.status,
            comment=reason,
            due_on=due_on,
        )
    return current


def escalate_obstacle(*, actor, obstacle, reason: str, expected_version=None) -> Obstacle:
    """Raise the obstacle one level by hand (with a reason)."""
    reason = _require_reason(reason)
    with transaction.atomic(), acting_as(actor):
        current = _load(actor, obstacle)
        if not can(actor, "obstacles.escalate"):
            raise PermissionDenied("obstacles.escalate")
        _check_version(current, expected_version)
        if current.status not in UNRESOLVED_STATUSES:
            _refuse_state(current, _("escalated"))
        if current.escalation_level >= Level.GROUP:
            raise ValidationError(
                _("This obstacle is already before the leading group."), code="top_level"
            )
        _escalate(current, actor=actor, comment=reason)
    return current


def _escalate(obstacle: Obstacle, *, actor, comment: str, now=None) -> None:
    now = now or timezone.now()
    obstacle.escalation_level += 1
    obstacle.escalated_at = now
    _save(obstacle, ["escalation_level", "escalated_at"])
    ObstacleEvent.objects.create(
        obstacle=obstacle,
        kind=EventKind.ESCALATED,
        from_status=obstacle.status,
        to_status=obstacle.status,
        actor=actor,
        at=now,
        comment=comment,
        level=obstacle.escalation_level,
    )
    transaction.on_commit(lambda: notices.escalated(obstacle))


def overdue_target_level(due_on: datetime.date, today: datetime.date) -> int:
    """The level an obstacle past `due_on` should have reached by `today`: the department head
    the day after the due date, then one level more every escalation step."""
    if today <= due_on:
        return Level.NONE
    late_days = (today - due_on).days
    return min(Level.GROUP, 1 + (late_days - 1) // escalation_step_days())


def escalate_overdue(*, today: datetime.date | None = None, actor=None) -> int:
    """The scheduled run: every open obstacle whose lateness calls for a higher level goes up
    exactly one level (a long-forgotten obstacle climbs over several runs, each recorded).
    Returns how many obstacles were escalated."""
    from vanco.core.audit import system_user

    today = today or timezone.localdate()
    actor = actor or system_user()
    step = escalation_step_days()
    escalated = 0
    # An obstacle at level L goes up once it is more than L * step days late (the department
    # head the day after the due date); candidates are read first so each moves one level.
    candidates = []
    for level in (Level.NONE, Level.DEPARTMENT, Level.LEADER):
        late_since = today - datetime.timedelta(days=1 + level * step)
        candidates += list(
            Obstacle.objects.filter(
                status__in=OPEN_STATUSES,
                escalation_level=level,
                due_on__lte=late_since,
            ).values_list("pk", flat=True)
        )
    for pk in candidates:
        with transaction.atomic(), acting_as(actor):
            current = Obstacle.objects.select_for_update().filter(pk=pk).first()
            if current is None or current.status not in OPEN_STATUSES or current.due_on is None:
                continue
            if overdue_target_level(current.due_on, today) <= current.escalation_level:
                continue
            late_days = (today - current.due_on).days
            _escalate(
                current,
                actor=actor,
                comment=str(
                    _("Automatically: %(days)s days past the due date.") % {"days": late_days}
                ),
            )
            escalated += 1
    return escalated


def may_comment(actor, obstacle: Obstacle) -> bool:
    """City leaders and coordinators, and whoever may act on the obstacle; not auditors."""
    scope = scope_for(actor)
    if scope.whole_city and scope.roles - {Role.AUDITOR}:
        return True
    return Obstacle.objects.editable_by(actor).filter(pk=obstacle.pk).exists()


def comment_obstacle(*, actor, obstacle, comment: str) -> ObstacleEvent:
    """Anyone who works on or raised the obstacle may add a note to its timeline."""
    comment = _require_reason(comment)
    with transaction.atomic(), acting_as(actor):
        current = _load(actor, obstacle, lock=False)
        if not may_comment(actor, current):
            raise PermissionDenied("read only")
        return _event(
            current,
            actor=actor,
            kind=EventKind.COMMENTED,
            from_status=current.status,
            comment=comment,
        )


def allowed_actions(*, actor, obstacle: Obstacle) -> list[str]:
    """The buttons the actor sees on the obstacle: the steps they may take now."""
    status = obstacle.status
    actions = []
    if can(actor, "obstacles.assign"):
        if status in REASSIGNABLE:
            actions.append("assign")
        if status in OPEN_STATUSES:
            actions.append("due")
    if can(actor, "obstacles.work") and _is_lead_department_officer(actor, obstacle):
        if status == Status.ASSIGNED:
            actions += ["accept", "hand_back"]
        if status == Status.ACCEPTED:
            actions += ["start", "hand_back"]
        if status == Status.REOPENED:
            actions.append("start")
        if status in RESOLVABLE:
            actions.append("resolve")
    if status == Status.RESOLVED and is_raiser(actor, obstacle):
        actions += ["confirm", "reopen"]
    if (
        can(actor, "obstacles.escalate")
        and status in UNRESOLVED_STATUSES
        and obstacle.escalation_level < Level.GROUP
    ):
        actions.append("escalate")
    return actions
