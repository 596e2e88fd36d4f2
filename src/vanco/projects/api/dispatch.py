"""Dispatch API: periods, progress reports (list, detail, submit, accept, return), lights."""

import datetime
from decimal import Decimal

from ninja import Field, FilterSchema, Query, Router, Schema

from vanco.api.crud import get_visible
from vanco.api.pagination import LimitOffsetPagination, paginate
from vanco.projects import dispatch, lights
from vanco.projects.models import DispatchPeriod, ProgressReport, Project, ProjectLight

router = Router(tags=["dispatch"])

VERSION_HELP = "The version you loaded; a change based on an older one is refused (409)."


class PeriodOut(Schema):
    id: int
    cycle_id: int
    label: str
    starts_on: datetime.date
    ends_on: datetime.date
    due_on: datetime.date
    status: str


class PeriodFilters(FilterSchema):
    cycle: int | None = None
    status: str | None = Field(None, description="open or closed")


@router.get("/periods", response=list[PeriodOut], url_name="list_periods")
@paginate(LimitOffsetPagination)
def list_periods(request, filters: Query[PeriodFilters]):
    qs = DispatchPeriod.objects.visible_to(request.user).order_by("-starts_on", "pk")
    if filters.cycle:
        qs = qs.filter(cycle_id=filters.cycle)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs


class ReportOut(Schema):
    id: int
    project_id: int
    project_code: str = Field(..., alias="project.code")
    period_id: int
    status: str
    narrative: str
    progress_percent: Decimal | None
    progress_drop_reason: str
    funds_this_period: Decimal
    jobs_created: int
    milestones: str
    next_steps: str
    obstacles_text: str
    submitted_at: datetime.datetime | None
    submitted_by_id: int | None
    reviewed_at: datetime.datetime | None
    review_comment: str
    version: int


class ReportFilters(FilterSchema):
    period: int | None = None
    status: str | None = Field(None, description="due, submitted, returned or accepted")
    project: int | None = None


@router.get("/reports", response=list[ReportOut], url_name="list_reports")
@paginate(LimitOffsetPagination)
def list_reports(request, filters: Query[ReportFilters]):
    qs = (
        ProgressReport.objects.visible_to(request.user)
        .select_related("project")
        .order_by("-period__starts_on", "project__code", "pk")
    )
    if filters.period:
        qs = qs.filter(period_id=filters.period)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.project:
        qs = qs.filter(project_id=filters.project)
    return qs


def _report(request, pk: int) -> ProgressReport:
    return get_visible(request, ProgressReport.objects.select_related("project"), pk)


@router.get("/reports/{pk}", response=ReportOut, url_name="get_report")
def get_report(request, pk: int):
    return _report(request, pk)


class ReportSubmit(Schema):
    version: int = Field(..., description=VERSION_HELP)
    narrative: str = ""
    progress_percent: Decimal
    progress_drop_reason: str = ""
    funds_this_period: Decimal = Decimal("0")
    jobs_created: int = 0
    milestones: str = ""
    next_steps: str = ""
    obstacles_text: str = ""


@router.post("/reports/{pk}/submit", response=ReportOut, url_name="submit_report")
def submit_report(request, pk: int, payload: ReportSubmit):
    report = _report(request, pk)
    data = payload.dict()
    version = data.pop("version")
    return dispatch.submit_report(
        actor=request.user,
        report=report,
        data={key: "" if value is None else str(value) for key, value in data.items()},
        expected_version=version,
    )


@router.post("/reports/{pk}/accept", response=ReportOut, url_name="accept_report")
def accept_report(request, pk: int):
    return dispatch.accept_report(actor=request.user, report=_report(request, pk))


class ReportReturn(Schema):
    comment: str = Field(..., description="What the officer must change")


@router.post("/reports/{pk}/return", response=ReportOut, url_name="return_report")
def return_report(request, pk: int, payload: ReportReturn):
    return dispatch.return_report(
        actor=request.user, report=_report(request, pk), comment=payload.comment
    )


class Reason(Schema):
    code: str
    params: dict
    text: str


class LightOut(Schema):
    period_id: int
    period_label: str
    light: str
    reasons: list[Reason]


class ProjectLightsOut(Schema):
    project_id: int
    light: str
    reasons: list[Reason]
    history: list[LightOut]


def _reasons(reasons) -> list[dict]:
    return [
        {"code": r.get("code", ""), "params": r.get("params") or {}, "text": lights.reason_text(r)}
        for r in reasons or ()
    ]


@router.get("/projects/{pk}/lights", response=ProjectLightsOut, url_name="project_lights")
def project_lights(request, pk: int):
    """The project's current light and its light in each period, with reasons in words
    (in the language of Accept-Language or of the token's user)."""
    project = get_visible(request, Project, pk)
    history = (
        ProjectLight.objects.visible_to(request.user)
        .filter(project=project)
        .select_related("period")
        .order_by("-period__starts_on")[:36]
    )
    return {
        "project_id": project.pk,
        "light": project.light,
        "reasons": _reasons(project.light_reasons),
        "history": [
            {
                "period_id": pl.period_id,
                "period_label": pl.period.label,
                "light": pl.light,
                "reasons": _reasons(pl.reasons),
            }
            for pl in history
        ],
    }
