"""A project's milestone plan through the API: list, create, update (with version), delete.
Writes go through the services of projects.milestones, the same as the web."""

import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.responses import Status

from vanco.projects import milestones as services
from vanco.projects.models import Milestone, Project

router = Router(tags=["projects"])

VERSION_HELP = "The version you loaded; a change based on an older one is refused (409)."


class MilestoneOut(Schema):
    id: int
    project_id: int
    name: str
    planned_date: datetime.date
    planned_progress: Decimal
    achieved_on: datetime.date | None
    version: int


class MilestoneIn(Schema):
    name: str
    planned_date: datetime.date
    planned_progress: Decimal
    achieved_on: datetime.date | None = None


class MilestonePatch(Schema):
    name: str | None = None
    planned_date: datetime.date | None = None
    planned_progress: Decimal | None = None
    achieved_on: datetime.date | None = None
    version: int


class VersionQuery(Schema):
    version: int


def _data(values: dict) -> dict:
    return {key: "" if value is None else str(value) for key, value in values.items()}


@router.get(
    "/projects/{pk}/milestones", response=list[MilestoneOut], url_name="list_project_milestones"
)
def list_project_milestones(request, pk: int):
    """The project's milestones by planned date (a plan has a handful: not paginated)."""
    project = get_object_or_404(Project.objects.visible_to(request.user), pk=pk)
    return list(
        Milestone.objects.visible_to(request.user).filter(project=project).order_by("planned_date")
    )


@router.post(
    "/projects/{pk}/milestones",
    response={201: MilestoneOut},
    url_name="create_project_milestone",
)
def create_project_milestone(request, pk: int, payload: MilestoneIn):
    milestone = services.create_milestone(
        actor=request.user, project=pk, data=_data(payload.dict())
    )
    return Status(201, Milestone.objects.get(pk=milestone.pk))


@router.patch("/milestones/{pk}", response=MilestoneOut, url_name="update_milestone")
def update_milestone(request, pk: int, payload: MilestonePatch):
    """Change some fields of a milestone; send the `version` you loaded."""
    milestone = get_object_or_404(Milestone.objects.visible_to(request.user), pk=pk)
    values = payload.dict(exclude_unset=True)
    version = values.pop("version")
    current = {
        "name": milestone.name,
        "planned_date": milestone.planned_date,
        "planned_progress": milestone.planned_progress,
        "achieved_on": milestone.achieved_on,
    }
    current.update(values)
    services.update_milestone(
        actor=request.user, milestone=milestone, data=_data(current), expected_version=version
    )
    return Milestone.objects.get(pk=pk)


@router.delete("/milestones/{pk}", response={204: None}, url_name="delete_milestone")
def delete_milestone(request, pk: int, query: Query[VersionQuery]):
    """Remove a milestone; `?version=` is the version you loaded."""
    services.delete_milestone(actor=request.user, milestone=pk, expected_version=query.version)
    return Status(204, None)
