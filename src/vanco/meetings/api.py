"""The meetings and directives API.

Reads start at ``visible_to`` (out of scope: 404); every change goes through
``meetings.services``, which checks who may act (403), the state (422) and the version the
client loaded (409 when stale).
"""

import datetime

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from vanco.api.crud import get_visible, ordering
from vanco.api.errors import FormInvalid, form_errors
from vanco.api.pagination import LimitOffsetPagination, paginate
from vanco.core import access
from vanco.core.text import fold
from vanco.meetings import services
from vanco.meetings.enums import MeetingKind
from vanco.meetings.filters import DirectiveFilter, MeetingFilter
from vanco.meetings.models import AgendaItem, Directive, DirectiveUpdate, Meeting
from vanco.obstacles.models import Obstacle
from vanco.org.models import Department, Locality
from vanco.projects.models import Project

router = Router(tags=["meetings"])

VERSION_HELP = "The version you loaded; a change based on an older one is refused (409)."
MEETING_SORTS = {"starts_at", "title", "kind", "status"}
DIRECTIVE_SORTS = {"issued_at", "due_on", "status", "title"}


# --- schemas --------------------------------------------------------------------------------


class AgendaItemOut(Schema):
    id: int
    position: int
    title: str
    source: str
    project_id: int | None
    obstacle_id: int | None
    directive_id: int | None
    notes: str
    decision: str
    version: int


class MeetingOut(Schema):
    id: int
    kind: str
    title: str
    starts_at: datetime.datetime
    location: str
    chair_id: int | None
    status: str
    version: int


class MeetingDetailOut(MeetingOut):
    minutes: str
    attendee_ids: list[int]
    agenda: list[AgendaItemOut]

    @staticmethod
    def resolve_attendee_ids(obj) -> list[int]:
        return [user.pk for user in obj.attendees.all()]

    @staticmethod
    def resolve_agenda(obj) -> list:
        # Only the reader's visible items, prefetched by _meeting_detail (no fallback to
        # obj.agenda.all(): an item copies the title of the record it is about).
        return obj.visible_agenda


class MeetingIn(Schema):
    kind: str = MeetingKind.LEADING_GROUP
    title: str
    starts_at: datetime.datetime
    location: str = ""
    chair_id: int | None = None
    attendee_ids: list[int] = []
    proposals: list[str] = Field(
        [],
        description="Keys of the proposed agenda items to include (GET /meetings/proposed-agenda)",
    )


class ProposalOut(Schema):
    key: str
    source: str
    title: str
    notes: str


class AgendaItemIn(Schema):
    title: str
    notes: str = ""


class DecisionIn(Schema):
    decision: str = ""
    notes: str | None = None
    version: int | None = Field(None, description=VERSION_HELP)


class DirectiveOut(Schema):
    id: int
    number: str
    title: str
    issued_by_id: int
    issued_at: datetime.datetime
    meeting_id: int | None
    due_on: datetime.date
    status: str
    is_overdue: bool
    done_at: datetime.datetime | None
    department_ids: list[int]
    locality_ids: list[int]
    version: int

    @staticmethod
    def resolve_department_ids(obj) -> list[int]:
        return [d.pk for d in obj.departments.all()]

    @staticmethod
    def resolve_locality_ids(obj) -> list[int]:
        return [loc.pk for loc in obj.localities.all()]


class UpdateOut(Schema):
    id: int
    kind: str
    actor_id: int
    from_status: str
    to_status: str
    note: str
    at: datetime.datetime
    due_on: datetime.date | None
    file_name: str = Field("", alias="original_name")


class DirectiveDetailOut(DirectiveOut):
    text: str
    evidence: str
    project_ids: list[int]
    obstacle_ids: list[int]
    updates: list[UpdateOut]
    allowed_actions: list[str]

    @staticmethod
    def resolve_project_ids(obj, context) -> list[int]:
        user = context["request"].user
        return list(
            Project.objects.visible_to(user).filter(directives=obj).values_list("pk", flat=True)
        )

    @staticmethod
    def resolve_obstacle_ids(obj, context) -> list[int]:
        user = context["request"].user
        return list(
            Obstacle.objects.visible_to(user).filter(directives=obj).values_list("pk", flat=True)
        )

    @staticmethod
    def resolve_updates(obj) -> list:
        return list(obj.updates.all())

    @staticmethod
    def resolve_allowed_actions(obj, context) -> list[str]:
        return services.allowed_actions(actor=context["request"].user, directive=obj)


class DirectiveIn(Schema):
    title: str
    text: str
    due_on: datetime.date
    department_ids: list[int] = []
    locality_ids: list[int] = []
    project_ids: list[int] = []
    obstacle_ids: list[int] = []
    meeting_id: int | None = None
    issued_by_id: int | None = Field(None, description="A leader; yourself when left out")


class NoteIn(Schema):
    note: str = ""
    version: int | None = Field(None, description=VERSION_HELP)


class CompleteIn(Schema):
    evidence: str
    version: int | None = Field(None, description=VERSION_HELP)


class ReasonIn(Schema):
    reason: str
    version: int | None = Field(None, description=VERSION_HELP)


class DueDateIn(Schema):
    due_on: datetime.date
    reason: str
    version: int | None = Field(None, description=VERSION_HELP)


# --- meetings -------------------------------------------------------------------------------


def _meeting_detail(request, pk: int) -> Meeting:
    qs = Meeting.objects.visible_to(request.user).prefetch_related(
        "attendees",
        Prefetch(
            "agenda",
            queryset=AgendaItem.objects.visible_to(request.user).order_by("position", "pk"),
            to_attr="visible_agenda",
        ),
    )
    return get_object_or_404(qs, pk=pk)


@router.get("/meetings", response=list[MeetingOut], url_name="list_meetings")
@paginate(LimitOffsetPagination)
def list_meetings(
    request,
    kind: str | None = None,
    status: str | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    q: str | None = None,
    sort: str | None = None,
):
    """Meetings you can see, with the filters of the web list."""
    qs = Meeting.objects.visible_to(request.user)
    filterset = MeetingFilter(request.GET, queryset=qs, request=request)
    if not filterset.is_valid():
        raise FormInvalid(form_errors(filterset.form))
    qs = filterset.qs
    if q:
        qs = qs.filter(search_text__contains=fold(q[:100]))
    return qs.order_by(*ordering(sort, MEETING_SORTS, ("-starts_at", "-pk")))


@router.get("/meetings/proposed-agenda", response=list[ProposalOut], url_name="proposed_agenda")
def proposed_agenda(request, today: datetime.date | None = None):
    """What the next meeting should discuss: red projects, escalated obstacles, overdue
    directives (carried over until done)."""
    access.require(request.user, "meetings.manage")
    return [
        {"key": p.key, "source": p.source, "title": p.title, "notes": p.notes}
        for p in services.propose_agenda(actor=request.user, today=today)
    ]


@router.get("/meetings/{pk}", response=MeetingDetailOut, url_name="get_meeting")
def get_meeting(request, pk: int):
    """One meeting with its agenda."""
    return _meeting_detail(request, pk)


@router.post("/meetings", response={201: MeetingDetailOut}, url_name="create_meeting")
def create_meeting(request, payload: MeetingIn):
    """Prepare a meeting with the chosen proposed items as its agenda."""
    access.require(request.user, "meetings.manage")
    from vanco.meetings.forms import people

    if payload.kind not in MeetingKind.values:
        raise FormInvalid({"kind": [_("Choose a valid kind.")]})
    visible_people = people(request.user)
    chair = None
    if payload.chair_id is not None:
        chair = visible_people.filter(pk=payload.chair_id).first()
        if chair is None:
            raise FormInvalid({"chair_id": [_("Unknown person.")]})
    attendees = list(visible_people.filter(pk__in=set(payload.attendee_ids)))
    if len(attendees) != len(set(payload.attendee_ids)):
        raise FormInvalid({"attendee_ids": [_("Unknown person.")]})
    wanted = set(payload.proposals)
    proposals = [p for p in services.propose_agenda(actor=request.user) if p.key in wanted]
    meeting = services.create_meeting(
        actor=request.user,
        data={
            "kind": payload.kind,
            "title": payload.title,
            "starts_at": payload.starts_at,
            "location": payload.location,
            "chair": chair,
        },
        proposals=proposals,
        attendees=attendees,
    )
    return Status(201, _meeting_detail(request, meeting.pk))


@router.post("/meetings/{pk}/agenda", response={201: MeetingDetailOut}, url_name="add_agenda_item")
def add_agenda_item(request, pk: int, payload: AgendaItemIn):
    """Add an item at the end of the agenda."""
    meeting = get_visible(request, Meeting, pk)
    services.add_agenda_item(
        actor=request.user, meeting=meeting, title=payload.title, notes=payload.notes
    )
    return Status(201, _meeting_detail(request, pk))


@router.post(
    "/agenda-items/{pk}/decision", response=MeetingDetailOut, url_name="decide_agenda_item"
)
def decide_agenda_item(request, pk: int, payload: DecisionIn):
    """Record the meeting's decision on an agenda item."""
    item = get_visible(request, AgendaItem, pk)
    services.record_decision(
        actor=request.user,
        item=item,
        decision=payload.decision,
        notes=payload.notes,
        expected_version=payload.version,
    )
    return _meeting_detail(request, item.meeting_id)


# --- directives -----------------------------------------------------------------------------


def _directive_queryset(user):
    return Directive.objects.visible_to(user).prefetch_related(
        "departments",
        "localities",
        Prefetch("updates", queryset=DirectiveUpdate.objects.order_by("at", "pk")),
    )


def _directive_detail(request, pk: int) -> Directive:
    return get_object_or_404(_directive_queryset(request.user), pk=pk)


@router.get("/directives", response=list[DirectiveOut], url_name="list_directives")
@paginate(LimitOffsetPagination)
def list_directives(
    request,
    status: str | None = None,
    overdue: str | None = None,
    department: int | None = None,
    locality: int | None = None,
    issued_by: int | None = None,
    meeting: int | None = None,
    due_from: datetime.date | None = None,
    due_to: datetime.date | None = None,
    q: str | None = None,
    sort: str | None = None,
):
    """Directives you can see (overdue: yes/no), with the filters of the web list."""
    qs = Directive.objects.visible_to(request.user).prefetch_related("departments", "localities")
    filterset = DirectiveFilter(request.GET, queryset=qs, request=request)
    if not filterset.is_valid():
        raise FormInvalid(form_errors(filterset.form))
    qs = filterset.qs
    if q:
        qs = qs.filter(search_text__contains=fold(q[:100]))
    return qs.order_by(*ordering(sort, DIRECTIVE_SORTS, ("-issued_at", "-pk")))


@router.get("/directives/{pk}", response=DirectiveDetailOut, url_name="get_directive")
def get_directive(request, pk: int):
    """One directive with its timeline and the steps you may take now."""
    return _directive_detail(request, pk)


def _all_visible(model, user, ids, field: str) -> list:
    found = list(model.objects.visible_to(user).filter(pk__in=set(ids)))
    if len(found) != len(set(ids)):
        raise FormInvalid({field: [_("Unknown or not visible to you.")]})
    return found


@router.post("/directives", response={201: DirectiveDetailOut}, url_name="issue_directive")
def issue_directive(request, payload: DirectiveIn):
    """A leader (or the coordinator for a leader) issues a directive; the assignees are
    notified."""
    access.require(request.user, "directives.issue")
    from vanco.meetings.forms import people

    user = request.user
    meeting = get_visible(request, Meeting, payload.meeting_id) if payload.meeting_id else None
    issuer = None
    if payload.issued_by_id is not None:
        issuer = people(user).filter(pk=payload.issued_by_id).first()
        if issuer is None:
            raise FormInvalid({"issued_by_id": [_("Unknown person.")]})
    directive = services.issue_directive(
        actor=user,
        data={"title": payload.title, "text": payload.text, "due_on": payload.due_on},
        departments=_all_visible(Department, user, payload.department_ids, "department_ids"),
        localities=_all_visible(Locality, user, payload.locality_ids, "locality_ids"),
        projects=_all_visible(Project, user, payload.project_ids, "project_ids"),
        obstacles=_all_visible(Obstacle, user, payload.obstacle_ids, "obstacle_ids"),
        meeting=meeting,
        issued_by=issuer,
    )
    return Status(201, _directive_detail(request, directive.pk))


def _step(name, service, schema, arguments, doc):
    def operation(request, pk: int, payload):
        directive = get_visible(request, Directive, pk)
        service(actor=request.user, directive=directive, **arguments(payload))
        return _directive_detail(request, pk)

    operation.__annotations__["payload"] = schema
    operation.__name__ = f"{name.replace('-', '_')}_directive"
    operation.__doc__ = doc
    router.post(
        f"/directives/{{pk}}/{name}",
        response=DirectiveDetailOut,
        url_name=operation.__name__,
        operation_id=f"vanco_meetings_api_{operation.__name__}",
    )(operation)


_step(
    "acknowledge",
    services.acknowledge_directive,
    NoteIn,
    lambda p: {"note": p.note, "expected_version": p.version},
    "An assigned unit acknowledges the directive.",
)
_step(
    "start",
    services.start_directive,
    NoteIn,
    lambda p: {"note": p.note, "expected_version": p.version},
    "An assigned unit starts work.",
)
_step(
    "progress",
    services.report_progress,
    NoteIn,
    lambda p: {"note": p.note, "expected_version": p.version},
    "An assigned unit reports progress (a note; the status stays).",
)
_step(
    "complete",
    services.complete_directive,
    CompleteIn,
    lambda p: {"evidence": p.evidence, "expected_version": p.version},
    "An assigned unit reports the directive done, with the evidence.",
)
_step(
    "reopen",
    services.reopen_directive,
    ReasonIn,
    lambda p: {"reason": p.reason, "expected_version": p.version},
    "The issuer (or the coordinator) reopens a done directive, with a reason.",
)
_step(
    "due-date",
    services.change_due_date,
    DueDateIn,
    lambda p: {"due_on": p.due_on, "reason": p.reason, "expected_version": p.version},
    "The issuer (or the coordinator) moves the due date, with a reason.",
)
