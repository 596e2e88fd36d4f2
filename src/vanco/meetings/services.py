"""Every change of a meeting or a directive, one function per step.

Meetings: propose an agenda (red projects, escalated obstacles, overdue directives carried
over until done), create a meeting with the ticked items, edit the agenda, record the minutes,
attach files, mark it held.

Directives: issued → acknowledged → in_progress → done (evidence required), reopened by the
issuer, due date moved by the issuer with a reason, flagged overdue once by the daily run.

Each function takes keyword arguments, runs in one transaction, checks who may act (out of
scope: Http404; visible but not theirs: PermissionDenied; wrong state or input: ValidationError),
writes a DirectiveUpdate for every directive step, and notifies after the commit.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanco.core import uploads as files
from vanco.core.access import assert_still_editable, can, scope_for
from vanco.core.audit import acting_as
from vanco.core.services import StaleEditError
from vanco.meetings import notices
from vanco.meetings.enums import (
    OPEN_STATUSES,
    AgendaSource,
    DirectiveStatus,
    MeetingStatus,
    UpdateKind,
)
from vanco.meetings.models import (
    AgendaItem,
    Directive,
    DirectiveUpdate,
    Meeting,
    MeetingAttachment,
)
from vanco.obstacles.enums import UNRESOLVED_STATUSES, Level
from vanco.obstacles.models import Obstacle
from vanco.projects.enums import Light
from vanco.projects.models import Project

#: At most this many items of each source are proposed (the oldest first for directives).
PROPOSAL_LIMIT = 50
#: The most important red projects first: major ones, then the largest planned investment.
RED_ORDER = ("-is_major", F("planned_investment").desc(nulls_last=True), "name", "pk")


def _check_version(obj, expected_version) -> None:
    if expected_version is not None and int(expected_version) != obj.version:
        raise StaleEditError()


def _bump(obj, fields: list[str]) -> None:
    obj.version += 1
    obj.save(update_fields=[*fields, "version", "updated_at"])


def _require_text(text: str, field: str, message) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: message}, code="required")
    return text


# --- the proposed agenda --------------------------------------------------------------------


@dataclass
class Proposal:
    source: str
    title: str
    notes: str = ""
    project: Project | None = None
    obstacle: Obstacle | None = None
    directive: Directive | None = None

    @property
    def key(self) -> str:
        target = self.project or self.obstacle or self.directive
        return f"{self.source}:{target.pk if target else ''}"


def propose_agenda(*, actor, today: datetime.date | None = None) -> list[Proposal]:
    """What the next meeting should discuss, from what the actor may see: red projects with
    their light reasons, obstacles escalated to the leader or the leading group and not yet
    resolved, and every directive past its due date and not done (carried over to each next
    agenda until done)."""
    from vanco.projects.lights import reasons_text

    today = today or timezone.localdate()
    proposals: list[Proposal] = []
    red = (
        Project.objects.visible_to(actor)
        .filter(light=Light.RED)
        .select_related("locality")
        .order_by(*RED_ORDER)[:PROPOSAL_LIMIT]
    )
    for project in red:
        proposals.append(
            Proposal(
                source=AgendaSource.RED_PROJECT,
                title=str(project.name),
                notes="; ".join(reasons_text(project.light_reasons)),
                project=project,
            )
        )
    escalated = (
        Obstacle.objects.visible_to(actor)
        .filter(escalation_level__gte=Level.LEADER, status__in=UNRESOLVED_STATUSES)
        .order_by("-escalation_level", "due_on", "pk")[:PROPOSAL_LIMIT]
    )
    for obstacle in escalated:
        proposals.append(
            Proposal(
                source=AgendaSource.ESCALATED_OBSTACLE,
                title=str(obstacle),
                notes=str(Level(obstacle.escalation_level).label),
                obstacle=obstacle,
            )
        )
    for directive in overdue_directives(actor=actor, today=today)[:PROPOSAL_LIMIT]:
        proposals.append(
            Proposal(
                source=AgendaSource.OVERDUE_DIRECTIVE,
                title=str(directive),
                notes=str(_("Due on %(due)s") % {"due": directive.due_on.strftime("%d/%m/%Y")}),
                directive=directive,
            )
        )
    return proposals


def red_projects_left_out(*, actor) -> int:
    """How many of the actor's red projects the proposed agenda leaves out (past the limit)."""
    red = Project.objects.visible_to(actor).filter(light=Light.RED).count()
    return max(0, red - PROPOSAL_LIMIT)


def overdue_directives(*, actor, today: datetime.date | None = None):
    today = today or timezone.localdate()
    return (
        Directive.objects.visible_to(actor)
        .filter(status__in=OPEN_STATUSES, due_on__lt=today)
        .order_by("due_on", "pk")
    )


# --- meetings -------------------------------------------------------------------------------


def _require_manage(actor) -> None:
    if not can(actor, "meetings.manage"):
        raise PermissionDenied("meetings.manage")


def _load_meeting(actor, meeting, *, lock=True) -> Meeting:
    pk = meeting.pk if isinstance(meeting, Meeting) else meeting
    qs = Meeting.objects.visible_to(actor).filter(pk=pk)
    if lock:
        qs = qs.select_for_update(of=("self",))
    found = qs.first()
    if found is None:
        raise Http404("Meeting")
    _require_manage(actor)
    return found


def create_meeting(*, actor, data: dict, proposals=(), attendees=()) -> Meeting:
    """A new planned meeting (kind, title, starts_at, location, chair) with the ticked
    proposals as its agenda, in their order."""
    _require_manage(actor)
    with transaction.atomic(), acting_as(actor):
        meeting = Meeting(
            kind=data["kind"],
            title=_require_text(data.get("title"), "title", _("Give the meeting a title.")),
            starts_at=data["starts_at"],
            location=(data.get("location") or "").strip(),
            chair=data.get("chair"),
            status=MeetingStatus.PLANNED,
        )
        meeting.full_clean()
        meeting.save()
        if attendees:
            meeting.attendees.set(attendees)
        # One save per item (at most 3 × PROPOSAL_LIMIT), so each is in the audit log.
        for position, proposal in enumerate(proposals, start=1):
            AgendaItem.objects.create(
                meeting=meeting,
                position=position,
                title=proposal.title[:500],
                source=proposal.source,
                project=proposal.project,
                obstacle=proposal.obstacle,
                directive=proposal.directive,
                notes=proposal.notes,
            )
        assert_still_editable(meeting, actor)
    return meeting


def add_agenda_item(*, actor, meeting, title: str, notes: str = "") -> AgendaItem:
    with transaction.atomic(), acting_as(actor):
        current = _load_meeting(actor, meeting)
        title = _require_text(title, "title", _("Give the item a title."))
        last = current.agenda.aggregate(last=Max("position"))["last"] or 0
        item = AgendaItem.objects.create(
            meeting=current,
            position=last + 1,
            title=title[:500],
            source=AgendaSource.OTHER,
            notes=(notes or "").strip(),
        )
        _bump(current, [])
    return item


def _load_item(actor, item) -> AgendaItem:
    pk = item.pk if isinstance(item, AgendaItem) else item
    found = (
        AgendaItem.objects.visible_to(actor).select_for_update(of=("self",)).filter(pk=pk).first()
    )
    if found is None:
        raise Http404("AgendaItem")
    _require_manage(actor)
    return found


def remove_agenda_item(*, actor, item) -> None:
    with transaction.atomic(), acting_as(actor):
        current = _load_item(actor, item)
        meeting = current.meeting
        current.delete()
        _renumber(meeting)


def _renumber(meeting: Meeting, order: list[int] | None = None) -> None:
    items = list(meeting.agenda.order_by("position", "pk"))
    if order is not None:
        rank = {pk: index for index, pk in enumerate(order)}
        items.sort(key=lambda item: rank.get(item.pk, len(rank)))
    # One save per moved item (not bulk_update), so each move is in the audit log.
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position", "updated_at"])
    _bump(meeting, [])


def move_agenda_item(*, actor, item, offset: int) -> AgendaItem:
    """Move an item up (offset -1) or down (+1) the agenda."""
    with transaction.atomic(), acting_as(actor):
        current = _load_item(actor, item)
        order = list(current.meeting.agenda.order_by("position", "pk").values_list("pk", flat=True))
        index = order.index(current.pk)
        target = max(0, min(len(order) - 1, index + offset))
        order.insert(target, order.pop(index))
        _renumber(current.meeting, order)
    return current


def record_decision(
    *, actor, item, decision: str, notes: str | None = None, expected_version=None
) -> AgendaItem:
    with transaction.atomic(), acting_as(actor):
        current = _load_item(actor, item)
        _check_version(current, expected_version)
        current.decision = (decision or "").strip()
        fields = ["decision"]
        if notes is not None:
            current.notes = notes.strip()
            fields.append("notes")
        _bump(current, fields)
    return current


def record_minutes(*, actor, meeting, minutes: str, expected_version=None) -> Meeting:
    with transaction.atomic(), acting_as(actor):
        current = _load_meeting(actor, meeting)
        _check_version(current, expected_version)
        current.minutes = (minutes or "").strip()
        _bump(current, ["minutes"])
    return current


def mark_held(*, actor, meeting, expected_version=None) -> Meeting:
    with transaction.atomic(), acting_as(actor):
        current = _load_meeting(actor, meeting)
        _check_version(current, expected_version)
        if current.status == MeetingStatus.HELD:
            raise ValidationError(_("This meeting is already marked held."), code="wrong_status")
        current.status = MeetingStatus.HELD
        _bump(current, ["status"])
    return current


def add_meeting_attachment(*, actor, meeting, uploaded_file) -> MeetingAttachment:
    check = files.check_upload(uploaded_file)
    attachment = None
    try:
        with transaction.atomic(), acting_as(actor):
            current = _load_meeting(actor, meeting)
            attachment = MeetingAttachment(
                meeting=current,
                original_name=check.name,
                content_type=check.content_type,
                size=check.size,
                uploaded_by=actor,
            )
            attachment.file.save(check.name, uploaded_file, save=False)
            attachment.save()
    except BaseException:
        if attachment is not None and attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


# --- directives -----------------------------------------------------------------------------


def _load(actor, directive, *, lock: bool = True) -> Directive:
    pk = directive.pk if isinstance(directive, Directive) else directive
    qs = Directive.objects.visible_to(actor).filter(pk=pk)
    if lock:
        qs = qs.select_for_update(of=("self",))
    found = qs.first()
    if found is None:
        raise Http404("Directive")
    return found


def is_assignee(actor, directive: Directive) -> bool:
    """The actor is an officer of an assigned department, or a locality officer whose area
    contains an assigned locality (the same test as the access rule's)."""
    if not can(actor, "directives.work"):
        return False
    scope = scope_for(actor)
    if scope.department_ids and directive.departments.filter(pk__in=scope.department_ids).exists():
        return True
    if scope.locality_paths:
        return directive.localities.filter(scope.locality_q("path")).exists()
    return False


def is_issuer(actor, directive: Directive) -> bool:
    return can(actor, "directives.issue") and (
        directive.issued_by_id == actor.pk or can(actor, "meetings.manage")
    )


def overdue_now(directive: Directive, today: datetime.date | None = None) -> bool:
    """The one meaning of overdue: open (not done) and past its due date. Set at once by every
    step that changes the status or the due date; the daily run catches the days passing."""
    today = today or timezone.localdate()
    return directive.status in OPEN_STATUSES and directive.due_on < today


def _require_assignee(actor, directive) -> None:
    if not is_assignee(actor, directive):
        raise PermissionDenied("only an assigned unit")


def _require_issuer(actor, directive) -> None:
    if not is_issuer(actor, directive):
        raise PermissionDenied("only the issuer or the coordinator")


def _refuse_state(directive: Directive, action) -> None:
    raise ValidationError(
        _("This directive is %(status)s: it cannot be %(action)s now.")
        % {"status": DirectiveStatus(directive.status).label.lower(), "action": action},
        code="wrong_status",
    )


def _update(directive, *, actor, kind, from_status="", note="", checked=None, upload=None, **extra):
    update = DirectiveUpdate(
        directive=directive,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=directive.status,
        note=note,
        at=timezone.now(),
        **extra,
    )
    if checked is not None:
        update.original_name = checked.name
        update.content_type = checked.content_type
        update.size = checked.size
        update.file.save(checked.name, upload, save=False)
    update.save()
    return update


def issue_directive(
    *,
    actor,
    data: dict,
    departments=(),
    localities=(),
    projects=(),
    obstacles=(),
    meeting=None,
    issued_by=None,
) -> Directive:
    """A leader (or the coordinator on a leader's behalf) issues a directive to departments
    and/or localities; every officer of those units is notified."""
    if not can(actor, "directives.issue"):
        raise PermissionDenied("directives.issue")
    issuer = issued_by or actor
    if issuer.pk != actor.pk and not can(actor, "meetings.manage"):
        raise ValidationError(
            {
                "issued_by": ValidationError(
                    _(
                        "Only the coordinator may issue a directive in another person's name; "
                        "you are the issuer of your directives."
                    ),
                    code="not_your_name",
                )
            }
        )
    if not can(issuer, "directives.issue"):
        raise ValidationError(
            {"issued_by": _("The issuer must be a leader or the coordinator.")},
            code="not_an_issuer",
        )
    if not departments and not localities:
        raise ValidationError(
            {"departments": _("Assign the directive to at least one department or locality.")},
            code="no_assignee",
        )
    today = timezone.localdate()
    if data["due_on"] < today:
        raise ValidationError(
            {"due_on": _("The due date cannot be in the past.")}, code="due_in_past"
        )
    if meeting is not None:
        meeting = Meeting.objects.visible_to(actor).filter(pk=meeting.pk).first()
        if meeting is None:
            raise Http404("Meeting")
    project_ids = {p.pk for p in projects}
    obstacle_ids = {o.pk for o in obstacles}
    if Project.objects.visible_to(actor).filter(pk__in=project_ids).count() != len(project_ids):
        raise Http404("Project")
    if Obstacle.objects.visible_to(actor).filter(pk__in=obstacle_ids).count() != len(obstacle_ids):
        raise Http404("Obstacle")
    with transaction.atomic(), acting_as(actor):
        directive = Directive(
            title=_require_text(data.get("title"), "title", _("Give the directive a title.")),
            text=_require_text(data.get("text"), "text", _("Write what is to be done.")),
            issued_by=issuer,
            issued_at=timezone.now(),
            meeting=meeting,
            due_on=data["due_on"],
            status=DirectiveStatus.ISSUED,
        )
        directive.full_clean(exclude=["issued_by"])
        directive.save()
        directive.departments.set(departments)
        directive.localities.set(localities)
        directive.projects.set(project_ids)
        directive.obstacles.set(obstacle_ids)
        _update(directive, actor=actor, kind=UpdateKind.ISSUED, due_on=directive.due_on)
        assert_still_editable(directive, actor)
        transaction.on_commit(lambda: notices.issued(directive))
    return directive


def _assignee_step(
    *, actor, directive, allowed_from, to_status, kind, action, note="", expected_version=None
) -> Directive:
    with transaction.atomic(), acting_as(actor):
        current = _load(actor, directive)
        _require_assignee(actor, current)
        _check_version(current, expected_version)
        if current.status not in allowed_from:
            _refuse_state(current, action)
        previous = current.status
        current.status = to_status
        _bump(current, ["status"])
        _update(current, actor=actor, kind=kind, from_status=previous, note=(note or "").strip())
    return current


def acknowledge_directive(*, actor, directive, note: str = "", expected_version=None):
    return _assignee_step(
        actor=actor,
        directive=directive,
        allowed_from={DirectiveStatus.ISSUED},
        to_status=DirectiveStatus.ACKNOWLEDGED,
        kind=UpdateKind.ACKNOWLEDGED,
        action=_("acknowledged"),
        note=note,
        expected_version=expected_version,
    )


def start_directive(*, actor, directive, note: str = "", expected_version=None):
    return _assignee_step(
        actor=actor,
        directive=directive,
        allowed_from={DirectiveStatus.ISSUED, DirectiveStatus.ACKNOWLEDGED},
        to_status=DirectiveStatus.IN_PROGRESS,
        kind=UpdateKind.STARTED,
        action=_("started"),
        note=note,
        expected_version=expected_version,
    )


def report_progress(
    *, actor, directive, note: str, uploaded_file=None, expected_version=None
) -> DirectiveUpdate:
    """An assigned unit reports how far it got (a note, optionally a file); the status stays."""
    note = _require_text(note, "note", _("Say what was done."))
    checked = files.check_upload(uploaded_file) if uploaded_file else None
    update = None
    try:
        with transaction.atomic(), acting_as(actor):
            current = _load(actor, directive)
            _require_assignee(actor, current)
            _check_version(current, expected_version)
            if current.status not in {DirectiveStatus.ACKNOWLEDGED, DirectiveStatus.IN_PROGRESS}:
                _refuse_state(current, _("updated"))
            _bump(current, [])
            update = _update(
                current,
                actor=actor,
                kind=UpdateKind.PROGRESS,
                from_status=current.status,
                note=note,
                checked=checked,
                upload=uploaded_file,
            )
    except BaseException:
        if update is not None and update.file.name:
            update.file.storage.delete(update.file.name)
        raise
    return update


def complete_directive(
    *, actor, directive, evidence: str = "", uploaded_file=None, expected_version=None, now=None
) -> Directive:
    """An assigned unit reports the directive done, with evidence: a text, a file or both."""
    evidence = (evidence or "").strip()
    if not evidence and not uploaded_file:
        raise ValidationError(
            {"evidence": _("Give the evidence: describe the result or attach a document.")},
            code="evidence_required",
        )
    checked = files.check_upload(uploaded_file) if uploaded_file else None
    update = None
    try:
        with transaction.atomic(), acting_as(actor):
            current = _load(actor, directive)
            _require_assignee(actor, current)
            _check_version(current, expected_version)
            if current.status not in {DirectiveStatus.ACKNOWLEDGED, DirectiveStatus.IN_PROGRESS}:
                _refuse_state(current, _("completed"))
            previous = current.status
            current.status = DirectiveStatus.DONE
            current.evidence = evidence
            current.done_at = now or timezone.now()
            current.is_overdue = False
            _bump(current, ["status", "evidence", "done_at", "is_overdue"])
            update = _update(
                current,
                actor=actor,
                kind=UpdateKind.DONE,
                from_status=previous,
                note=evidence,
                checked=checked,
                upload=uploaded_file,
            )
            transaction.on_commit(lambda: notices.done(current))
    except BaseException:
        if update is not None and update.file.name:
            update.file.storage.delete(update.file.name)
        raise
    return current


def reopen_directive(*, actor, directive, reason: str, expected_version=None) -> Directive:
    """The issuer (or the coordinator) is not satisfied: back to in progress."""
    reason = _require_text(reason, "reason", _("Give the reason."))
    with transaction.atomic(), acting_as(actor):
        current = _load(actor, directive)
        _require_issuer(actor, current)
        _check_version(current, expected_version)
        if current.status != DirectiveStatus.DONE:
            _refuse_state(current, _("reopened"))
        current.status = DirectiveStatus.IN_PROGRESS
        current.done_at = None
        current.is_overdue = overdue_now(current)
        _bump(current, ["status", "done_at", "is_overdue"])
        event = _update(
            current,
            actor=actor,
            kind=UpdateKind.REOPENED,
            from_status=DirectiveStatus.DONE,
            note=reason,
        )
        transaction.on_commit(lambda: notices.reopened(current, reason=reason, event_pk=event.pk))
    return current


def change_due_date(
    *, actor, directive, due_on: datetime.date, reason: str, expected_version=None
) -> Directive:
    """The issuer (or the coordinator) moves the due date of an open directive, with a reason;
    a later date than today lifts the overdue flag."""
    reason = _require_text(reason, "reason", _("Give the reason."))
    today = timezone.localdate()
    if due_on < today:
        raise ValidationError(
            {"due_on": _("The due date cannot be in the past.")}, code="due_in_past"
        )
    with transaction.atomic(), acting_as(actor):
        current = _load(actor, directive)
        _require_issuer(actor, current)
        _check_version(current, expected_version)
        if current.status not in OPEN_STATUSES:
            _refuse_state(current, _("rescheduled"))
        current.due_on = due_on
        current.is_overdue = overdue_now(current)
        _bump(current, ["due_on", "is_overdue"])
        _update(
            current,
            actor=actor,
            kind=UpdateKind.DUE_CHANGED,
            from_status=current.status,
            note=reason,
            due_on=due_on,
        )
    return current


def comment_directive(*, actor, directive, note: str) -> DirectiveUpdate:
    with transaction.atomic(), acting_as(actor):
        current = _load(actor, directive, lock=False)
        if not (is_assignee(actor, current) or is_issuer(actor, current)):
            raise PermissionDenied("comment")
        note = _require_text(note, "note", _("Write the comment first."))
        return _update(
            current, actor=actor, kind=UpdateKind.COMMENT, from_status=current.status, note=note
        )


def mark_overdue(*, today: datetime.date | None = None, actor=None) -> int:
    """Daily: flag the open directives past their due date, once each (one OVERDUE update), and
    tell the assignees and the issuer. Returns how many were flagged."""
    from vanco.core.audit import system_user

    today = today or timezone.localdate()
    actor = actor or system_user()
    flagged = 0
    pending = Directive.objects.filter(
        status__in=OPEN_STATUSES, due_on__lt=today, is_overdue=False
    ).order_by("due_on", "pk")
    for pk in list(pending.values_list("pk", flat=True)):
        with transaction.atomic():
            current = (
                Directive.objects.select_for_update(of=("self",))
                .filter(pk=pk, is_overdue=False, status__in=OPEN_STATUSES)
                .first()
            )
            if current is None:
                continue
            current.is_overdue = True
            current.save(update_fields=["is_overdue", "updated_at"])
            _update(
                current,
                actor=actor,
                kind=UpdateKind.OVERDUE,
                from_status=current.status,
                due_on=current.due_on,
            )
            transaction.on_commit(lambda d=current: notices.overdue(d))
            flagged += 1
    return flagged


def raise_obstacle_from_directive(*, actor, directive, data: dict) -> Obstacle:
    """An assigned unit (or the issuer) hits a problem carrying out the directive: raise it as
    an obstacle (source: directive), linked to the directive."""
    from vanco.obstacles.enums import Source
    from vanco.obstacles.services import raise_obstacle

    current = _load(actor, directive, lock=False)
    if not (is_assignee(actor, current) or is_issuer(actor, current)):
        raise PermissionDenied("raise from directive")
    with transaction.atomic(), acting_as(actor):
        obstacle = raise_obstacle(actor=actor, data={**data, "source": Source.DIRECTIVE})
        current.obstacles.add(obstacle)
        _update(
            current,
            actor=actor,
            kind=UpdateKind.COMMENT,
            from_status=current.status,
            note=str(_("Obstacle raised: %(obstacle)s") % {"obstacle": obstacle}),
        )
    return obstacle


def allowed_actions(*, actor, directive: Directive) -> list[str]:
    """The steps the actor may take on the directive now (buttons and the API)."""
    actions = []
    if is_assignee(actor, directive):
        if directive.status == DirectiveStatus.ISSUED:
            actions += ["acknowledge", "start"]
        elif directive.status == DirectiveStatus.ACKNOWLEDGED:
            actions += ["start", "progress", "complete"]
        elif directive.status == DirectiveStatus.IN_PROGRESS:
            actions += ["progress", "complete"]
    if is_issuer(actor, directive):
        if directive.status == DirectiveStatus.DONE:
            actions.append("reopen")
        elif directive.status in OPEN_STATUSES:
            actions.append("due")
    return actions
