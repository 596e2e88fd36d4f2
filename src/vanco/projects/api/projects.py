"""Projects through the API: list (the web list's filters), detail, create, update with version,
stage transition. Writes validate with the web's form and go through the same services."""

import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from vanco.api.crud import get_editable, get_visible, ordering, save_with_form
from vanco.api.errors import FormInvalid, form_errors
from vanco.api.pagination import LimitOffsetPagination, paginate
from vanco.core import access
from vanco.core.text import fold
from vanco.projects import queries, services
from vanco.projects.filters import ProjectFilter
from vanco.projects.forms import ProjectForm
from vanco.projects.models import Attachment, Project

router = Router(tags=["projects"])

VERSION_HELP = "The version you loaded; a change based on an older one is refused (409)."
SORTS = {
    "code",
    "name",
    "created_at",
    "planned_investment",
    "signed_amount",
    "funds_in_place",
    "planned_start_date",
    "stage",
}
FK_FIELDS = ("investor", "industry", "chain_node", "locality", "leader", "officer")


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    stage: str
    investor_id: int
    investor_name: str = Field(..., alias="investor.name")
    industry_id: int
    chain_node_id: int | None
    locality_id: int
    locality_name: str = Field(..., alias="locality.name")
    task_force: str
    leader_id: int | None
    officer_id: int | None
    project_type: str
    lead_source: str
    planned_investment: Decimal
    signed_amount: Decimal | None
    funds_in_place: Decimal
    progress_percent: Decimal
    planned_signing_date: datetime.date | None
    planned_start_date: datetime.date | None
    planned_completion_date: datetime.date | None
    planned_operation_date: datetime.date | None
    signing_date: datetime.date | None
    approval_date: datetime.date | None
    start_date: datetime.date | None
    completion_date: datetime.date | None
    operation_date: datetime.date | None
    land_area: Decimal | None
    jobs_planned: int | None
    latitude: Decimal | None
    longitude: Decimal | None
    major_flag: bool
    is_major: bool
    notes: str
    light: str
    light_reasons: list
    version: int


class ProjectIn(Schema):
    name: str
    investor_id: int
    industry_id: int
    locality_id: int
    planned_investment: Decimal
    initial_stage: str = "lead"
    chain_node_id: int | None = None
    task_force: str = "promotion"
    leader_id: int | None = None
    officer_id: int | None = None
    project_type: str = "new"
    lead_source: str = ""
    signed_amount: Decimal | None = None
    planned_signing_date: datetime.date | None = None
    planned_start_date: datetime.date | None = None
    planned_completion_date: datetime.date | None = None
    planned_operation_date: datetime.date | None = None
    land_area: Decimal | None = None
    jobs_planned: int | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    major_flag: bool = False
    tags: list[int] = []
    notes: str = ""


class ProjectPatch(Schema):
    version: int = Field(..., description=VERSION_HELP)
    name: str | None = None
    investor_id: int | None = None
    industry_id: int | None = None
    locality_id: int | None = None
    planned_investment: Decimal | None = None
    chain_node_id: int | None = None
    task_force: str | None = None
    leader_id: int | None = None
    officer_id: int | None = None
    project_type: str | None = None
    lead_source: str | None = None
    signed_amount: Decimal | None = None
    planned_signing_date: datetime.date | None = None
    planned_start_date: datetime.date | None = None
    planned_completion_date: datetime.date | None = None
    planned_operation_date: datetime.date | None = None
    land_area: Decimal | None = None
    jobs_planned: int | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    major_flag: bool | None = None
    tags: list[int] | None = None
    notes: str | None = None


class TransitionIn(Schema):
    to_stage: str
    effective_date: datetime.date
    reason: str = ""
    signed_amount: Decimal | None = None
    evidence_id: int | None = Field(None, description="An attachment of this project")
    version: int | None = Field(None, description=VERSION_HELP)


class StageChangeOut(Schema):
    id: int
    from_stage: str
    to_stage: str
    effective_date: datetime.date
    reason: str
    is_backwards: bool
    project: ProjectOut


def _form_data(data: dict) -> dict:
    for name in FK_FIELDS:
        if f"{name}_id" in data:
            data[name] = data.pop(f"{name}_id")
    for key, value in list(data.items()):
        if isinstance(value, (Decimal, datetime.date)):
            data[key] = str(value)
        elif isinstance(value, bool):
            data[key] = "on" if value else ""
    return data


@router.get("/projects", response=list[ProjectOut], url_name="list_projects")
@paginate(LimitOffsetPagination)
def list_projects(
    request,
    q: str | None = None,
    sort: str | None = None,
    stage: str | None = None,
    light: str | None = None,
    industry: int | None = None,
    chain_node: int | None = None,
    locality: int | None = Query(None, description="A locality id; includes its sub-localities"),
    task_force: str | None = None,
    major: str | None = Query(None, description="1 for major projects, 0 for the others"),
    leader: int | None = None,
    officer: int | None = None,
    planned_start_from: datetime.date | None = None,
    planned_start_to: datetime.date | None = None,
):
    """Projects you can see, with the filters of the web list (the same FilterSet)."""
    qs = queries.project_list(request.user)
    filterset = ProjectFilter(request.GET, queryset=qs, request=request)
    if not filterset.is_valid():
        raise FormInvalid(form_errors(filterset.form))
    qs = filterset.qs
    if q:
        qs = qs.filter(search_text__contains=fold(q[:100]))
    return qs.order_by(*ordering(sort, SORTS, ("-created_at", "-pk")))


@router.get("/projects/{pk}", response=ProjectOut, url_name="get_project")
def get_project(request, pk: int):
    return get_object_or_404(queries.project_list(request.user), pk=pk)


@router.post("/projects", response={201: ProjectOut}, url_name="create_project")
def create_project(request, payload: ProjectIn):
    access.require(request.user, "projects.manage")
    form = ProjectForm(data=_form_data(payload.dict()), user=request.user)
    if not form.is_valid():
        raise FormInvalid(form_errors(form))
    project = services.create_project(actor=request.user, data=form.cleaned_data)
    return Status(201, get_object_or_404(queries.project_list(request.user), pk=project.pk))


@router.patch("/projects/{pk}", response=ProjectOut, url_name="update_project")
def update_project(request, pk: int, payload: ProjectPatch):
    project = get_editable(request, Project, pk, "projects.manage")
    data = _form_data(payload.dict(exclude_unset=True))
    save_with_form(
        request, form_class=ProjectForm, instance=project, payload=data, action="projects.manage"
    )
    return get_object_or_404(queries.project_list(request.user), pk=pk)


@router.post("/projects/{pk}/transition", response=StageChangeOut, url_name="transition_project")
def transition_project(request, pk: int, payload: TransitionIn):
    """Move the project to another stage with what that stage needs (date, signed amount,
    a reason for backward moves)."""
    project = get_visible(request, Project, pk)
    evidence = None
    if payload.evidence_id is not None:
        evidence = get_object_or_404(
            Attachment.objects.visible_to(request.user), pk=payload.evidence_id
        )
    change = services.transition_project(
        actor=request.user,
        project=project,
        to_stage=payload.to_stage,
        effective_date=payload.effective_date,
        reason=payload.reason,
        evidence=evidence,
        signed_amount=payload.signed_amount,
        expected_version=payload.version,
    )
    change.project = get_object_or_404(queries.project_list(request.user), pk=pk)
    return change
