"""The obstacle API: obstacles and their transitions, common problems, metrics.

Reads start at ``visible_to`` (out of scope: 404); every change goes through
``obstacles.services`` or ``obstacles.problems``, which check who may act (403), the state
(422) and the version the client loaded (409 when stale).
"""

import datetime

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from vanco.api.crud import add_reference_operations, get_visible, ordering
from vanco.api.errors import FormInvalid, form_errors
from vanco.api.pagination import LimitOffsetPagination, paginate
from vanco.core import access
from vanco.core.text import fold
from vanco.obstacles import problems, queries, services
from vanco.obstacles.filters import ObstacleFilter
from vanco.obstacles.forms import RaiseForm
from vanco.obstacles.models import CommonProblem, Obstacle, ObstacleEvent
from vanco.org.models import Department, Locality

router = Router(tags=["obstacles"])

VERSION_HELP = "The version you loaded; a change based on an older one is refused (409)."
SORTS = {"raised_at", "due_on", "status", "category", "severity", "escalation_level", "title"}


# --- schemas --------------------------------------------------------------------------------


class ObstacleOut(Schema):
    id: int
    number: str
    title: str
    category: str
    severity: str
    source: str
    status: str
    project_id: int | None
    enterprise_id: int | None
    enterprise_name: str | None = Field(None, alias="enterprise.name")
    locality_id: int
    locality_name: str = Field(..., alias="locality.name")
    industry_id: int | None
    lead_department_id: int | None
    raised_by_id: int
    raised_at: datetime.datetime
    assigned_at: datetime.datetime | None
    due_on: datetime.date | None
    escalation_level: int
    resolved_at: datetime.datetime | None
    resolved_on_time: bool | None
    days_to_resolve: int | None
    closed_at: datetime.datetime | None
    rating: int | None
    common_problem_id: int | None
    version: int


class EventOut(Schema):
    id: int
    kind: str
    from_status: str
    to_status: str
    actor_id: int
    actor_name: str
    at: datetime.datetime
    comment: str
    department_id: int | None
    level: int | None
    due_on: datetime.date | None

    @staticmethod
    def resolve_actor_name(obj) -> str:
        return str(obj.actor)


class ObstacleDetailOut(ObstacleOut):
    description: str
    resolution: str
    rating_comment: str
    report_id: int | None
    visit_id: int | None
    cooperating_department_ids: list[int]
    events: list[EventOut]
    allowed_actions: list[str]

    @staticmethod
    def resolve_cooperating_department_ids(obj) -> list[int]:
        return [d.pk for d in obj.cooperating_departments.all()]

    @staticmethod
    def resolve_events(obj) -> list:
        return list(obj.events.all())

    @staticmethod
    def resolve_allowed_actions(obj, context) -> list[str]:
        return services.allowed_actions(actor=context["request"].user, obstacle=obj)


class ObstacleIn(Schema):
    title: str
    description: str
    category: str
    severity: str = "medium"
    project_id: int | None = None
    enterprise_id: int | None = None


class StepIn(Schema):
    comment: str = ""
    version: int | None = Field(None, description=VERSION_HELP)


class ReasonIn(Schema):
    reason: str
    version: int | None = Field(None, description=VERSION_HELP)


class AssignIn(Schema):
    lead_department_id: int
    cooperating_department_ids: list[int] = []
    due_on: datetime.date | None = Field(
        None, description="Defaults to the category's time limit; another date needs a reason."
    )
    reason: str = ""
    version: int | None = Field(None, description=VERSION_HELP)


class ResolveIn(Schema):
    resolution: str
    version: int | None = Field(None, description=VERSION_HELP)


class ConfirmIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    comment: str = ""
    version: int | None = Field(None, description=VERSION_HELP)


class DueDateIn(Schema):
    due_on: datetime.date
    reason: str
    version: int | None = Field(None, description=VERSION_HELP)


class CommentIn(Schema):
    comment: str


class ProblemOut(Schema):
    id: int
    title: str
    description: str
    category: str
    industry_id: int | None
    owner_id: int | None
    status: str
    note: str
    updated_at: datetime.datetime
    version: int


class ProblemIn(Schema):
    title: str
    description: str = ""
    category: str = "policy"
    industry_id: int | None = None
    owner_id: int | None = None
    status: str = "open"
    note: str = ""


class ProblemPatch(Schema):
    version: int = Field(..., description=VERSION_HELP)
    title: str | None = None
    description: str | None = None
    category: str | None = None
    industry_id: int | None = None
    owner_id: int | None = None
    status: str | None = None
    note: str | None = None


class GroupIn(Schema):
    obstacle_ids: list[int] = Field(..., min_length=1, max_length=problems.MAX_GROUP)
    comment: str = ""


class UngroupIn(Schema):
    obstacle_id: int
    comment: str = ""
    version: int | None = Field(None, description=VERSION_HELP)


class GroupOut(Schema):
    changed: list[int]


class MetricsRowOut(Schema):
    key: str | None
    id: int | None = Field(None, description="The department or locality id")
    label: str
    raised: int
    resolved: int
    resolved_on_time: int
    on_time_percent: float | None
    median_days_to_resolve: float | None
    overdue_now: int
    average_rating: float | None


class MetricsOut(Schema):
    by: str
    date_from: datetime.date
    date_to: datetime.date
    rows: list[MetricsRowOut]


class ConcentrationCellOut(Schema):
    category: str
    industry_id: int | None
    count: int


# --- obstacles ------------------------------------------------------------------------------


def _detail_queryset(user):
    return (
        Obstacle.objects.visible_to(user)
        .select_related("enterprise", "locality")
        .prefetch_related(
            "cooperating_departments",
            Prefetch("events", queryset=ObstacleEvent.objects.select_related("actor")),
        )
    )


def _detail(request, pk: int) -> Obstacle:
    return get_object_or_404(_detail_queryset(request.user), pk=pk)


@router.get("/obstacles", response=list[ObstacleOut], url_name="list_obstacles")
@paginate(LimitOffsetPagination)
def list_obstacles(
    request,
    q: str | None = None,
    sort: str | None = None,
    status: str | None = None,
    category: str | None = None,
    severity: str | None = None,
    source: str | None = None,
    lead_department: int | None = None,
    locality: int | None = Query(None, description="A locality id; includes its sub-localities"),
    industry: int | None = None,
    escalation_level: int | None = None,
    deadline: str | None = Query(None, description="overdue or due_soon"),
    raised_from: datetime.date | None = None,
    raised_to: datetime.date | None = None,
    common_problem: int | None = None,
):
    """Obstacles you can see, with the filters of the web list (the same FilterSet)."""
    qs = Obstacle.objects.visible_to(request.user).select_related("enterprise", "locality")
    filterset = ObstacleFilter(request.GET, queryset=qs, request=request)
    if not filterset.is_valid():
        raise FormInvalid(form_errors(filterset.form))
    qs = filterset.qs
    if common_problem is not None:
        qs = qs.filter(common_problem_id=common_problem)
    if q:
        qs = qs.filter(search_text__contains=fold(q[:100]))
    return qs.order_by(*ordering(sort, SORTS, ("-raised_at", "-pk")))


@router.get("/obstacles/{pk}", response=ObstacleDetailOut, url_name="get_obstacle")
def get_obstacle(request, pk: int):
    """One obstacle with its timeline and the steps you may take now."""
    return _detail(request, pk)


@router.post("/obstacles", response={201: ObstacleDetailOut}, url_name="create_obstacle")
def create_obstacle(request, payload: ObstacleIn):
    access.require(request.user, "obstacles.raise")
    data = payload.dict()
    data["project"] = data.pop("project_id")
    data["enterprise"] = data.pop("enterprise_id")
    form = RaiseForm(data={k: v for k, v in data.items() if v is not None}, user=request.user)
    if not form.is_valid():
        raise FormInvalid(form_errors(form))
    # For an enterprise user the form has already put in their own company.
    obstacle = services.raise_obstacle(actor=request.user, data=form.cleaned_data)
    return Status(201, _detail(request, obstacle.pk))


def _departments(user, ids) -> list[Department]:
    found = list(Department.objects.visible_to(user).filter(pk__in=set(ids)))
    if len(found) != len(set(ids)):
        raise FormInvalid({"cooperating_department_ids": [_("Unknown department.")]})
    return found


@router.post("/obstacles/{pk}/assign", response=ObstacleDetailOut, url_name="assign_obstacle")
def assign_obstacle(request, pk: int, payload: AssignIn):
    """The coordinator hands the obstacle to a lead department (and cooperating ones)."""
    obstacle = get_visible(request, Obstacle, pk)
    lead = Department.objects.visible_to(request.user).filter(pk=payload.lead_department_id)
    if not lead.exists():
        raise FormInvalid({"lead_department_id": [_("Unknown department.")]})
    services.assign_obstacle(
        actor=request.user,
        obstacle=obstacle,
        lead_department=lead.get(),
        cooperating=_departments(request.user, payload.cooperating_department_ids),
        due_on=payload.due_on,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _detail(request, pk)


def _step(name, service, schema, arguments, doc):
    def operation(request, pk: int, payload):
        obstacle = get_visible(request, Obstacle, pk)
        result = service(actor=request.user, obstacle=obstacle, **arguments(payload))
        # A hand-back takes the obstacle out of the department's scope: answer with the state
        # the step left it in (read under the actor's scope when the step ran), not a 404.
        return _detail_queryset(request.user).filter(pk=pk).first() or result

    operation.__annotations__["payload"] = schema
    operation.__name__ = f"{name.replace('-', '_')}_obstacle"
    operation.__doc__ = doc
    router.post(
        f"/obstacles/{{pk}}/{name}",
        response=ObstacleDetailOut,
        url_name=operation.__name__,
        operation_id=f"vanco_obstacles_api_{operation.__name__}",
    )(operation)


_step(
    "accept",
    services.accept_obstacle,
    StepIn,
    lambda p: {"comment": p.comment, "expected_version": p.version},
    "The lead department accepts the obstacle.",
)
_step(
    "start",
    services.start_work,
    StepIn,
    lambda p: {"comment": p.comment, "expected_version": p.version},
    "The lead department starts work (after accepting or a reopening).",
)
_step(
    "resolve",
    services.resolve_obstacle,
    ResolveIn,
    lambda p: {"resolution": p.resolution, "expected_version": p.version},
    "The lead department reports the obstacle resolved; the raiser is asked to confirm.",
)
_step(
    "hand-back",
    services.hand_back,
    ReasonIn,
    lambda p: {"reason": p.reason, "expected_version": p.version},
    "The lead department hands the obstacle back to the coordinator as not theirs.",
)
_step(
    "confirm",
    services.confirm_obstacle,
    ConfirmIn,
    lambda p: {"rating": p.rating, "comment": p.comment, "expected_version": p.version},
    "The raiser confirms the resolution and rates it from 1 to 5.",
)
_step(
    "reopen",
    services.reopen_obstacle,
    ReasonIn,
    lambda p: {"reason": p.reason, "expected_version": p.version},
    "The raiser is not satisfied: the obstacle goes back to the lead department.",
)
_step(
    "due-date",
    services.change_due_date,
    DueDateIn,
    lambda p: {"due_on": p.due_on, "reason": p.reason, "expected_version": p.version},
    "The coordinator moves the due date, with a reason.",
)
_step(
    "escalate",
    services.escalate_obstacle,
    ReasonIn,
    lambda p: {"reason": p.reason, "expected_version": p.version},
    "Raise the obstacle one escalation level by hand, with a reason.",
)


@router.post(
    "/obstacles/{pk}/comment", response={201: ObstacleDetailOut}, url_name="comment_obstacle"
)
def comment_obstacle(request, pk: int, payload: CommentIn):
    """Add a note to the obstacle's timeline."""
    obstacle = get_visible(request, Obstacle, pk)
    services.comment_obstacle(actor=request.user, obstacle=obstacle, comment=payload.comment)
    return Status(201, _detail(request, pk))


# --- common problems ------------------------------------------------------------------------


@router.get("/problems", response=list[ProblemOut], url_name="list_problems")
@paginate(LimitOffsetPagination)
def list_problems(
    request, status: str | None = None, category: str | None = None, q: str | None = None
):
    """Common problems (officials only; an enterprise user gets an empty list)."""
    qs = CommonProblem.objects.visible_to(request.user)
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if q:
        qs = qs.filter(search_text__contains=fold(q[:100]))
    return qs.order_by("-updated_at", "-pk")


def _problem_form_data(data: dict) -> dict:
    for name in ("industry", "owner"):
        if f"{name}_id" in data:
            data[name] = data.pop(f"{name}_id")
    return data


add_reference_operations(
    router,
    model=CommonProblem,
    noun="problem",
    path="problems",
    out=ProblemOut,
    create_schema=ProblemIn,
    patch_schema=ProblemPatch,
    form_class=problems.CommonProblemForm,
    action="problems.manage",
    to_form=_problem_form_data,
)


@router.post("/problems/{pk}/group", response=GroupOut, url_name="group_problem")
def group_problem(request, pk: int, payload: GroupIn):
    """Put obstacles under the common problem: all of them or none (404 if one is out of
    your scope)."""
    problem = get_visible(request, CommonProblem, pk)
    changed = problems.group_obstacles(
        actor=request.user, problem=problem, obstacles=payload.obstacle_ids, comment=payload.comment
    )
    return {"changed": [o.pk for o in changed]}


@router.post("/problems/{pk}/remove", response=ObstacleDetailOut, url_name="ungroup_problem")
def ungroup_problem(request, pk: int, payload: UngroupIn):
    """Take one obstacle out of the common problem."""
    problem = get_visible(request, CommonProblem, pk)
    access.require(request.user, "problems.manage")
    obstacle = get_object_or_404(
        Obstacle.objects.visible_to(request.user).filter(common_problem=problem),
        pk=payload.obstacle_id,
    )
    problems.ungroup_obstacle(
        actor=request.user,
        obstacle=obstacle,
        comment=payload.comment,
        expected_version=payload.version,
    )
    return _detail(request, obstacle.pk)


# --- metrics --------------------------------------------------------------------------------


def _number(value) -> float | None:
    return None if value is None else float(value)


@router.get("/obstacle-metrics", response=MetricsOut, url_name="obstacle_metrics")
def obstacle_metrics(
    request,
    by: str = Query("department", pattern="^(department|locality)$"),
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
):
    """Per lead department or per district: raised, resolved, resolved on time, median days to
    resolve, overdue now, average satisfaction — of the obstacles you can see (default: this
    year)."""
    access.require(request.user, "obstacles.metrics")
    default_from, default_to = queries.default_range()
    date_from, date_to = date_from or default_from, date_to or default_to
    if date_from > date_to:
        raise FormInvalid({"date_from": [_("The start date is after the end date.")]})
    rows = queries.metrics(request.user, by=by, date_from=date_from, date_to=date_to)
    return {
        "by": by,
        "date_from": date_from,
        "date_to": date_to,
        "rows": [
            {
                "key": None if row.key is None else str(row.key),
                "id": row.filter_value,
                "label": row.label,
                "raised": row.raised,
                "resolved": row.resolved,
                "resolved_on_time": row.on_time,
                "on_time_percent": _number(row.on_time_share),
                "median_days_to_resolve": _number(row.median_days),
                "overdue_now": row.overdue,
                "average_rating": _number(row.average_rating),
            }
            for row in rows
        ],
    }


@router.get(
    "/obstacle-concentration",
    response=list[ConcentrationCellOut],
    url_name="obstacle_concentration",
)
def obstacle_concentration(request, locality: int | None = None):
    """Unresolved obstacles you can see, counted by category × leading industry."""
    access.require(request.user, "obstacles.metrics")
    within = None
    if locality is not None:
        within = get_object_or_404(Locality.objects.visible_to(request.user), pk=locality)
    matrix = queries.concentration(request.user, locality=within)
    return [
        {"category": category, "industry_id": industry_id, "count": count}
        for (category, industry_id), count in sorted(
            matrix.counts.items(), key=lambda item: (item[0][0], item[0][1] or 0)
        )
    ]
