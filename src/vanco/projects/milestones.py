"""Milestone plan services: add, change and remove the milestones of a project.

Whoever may edit the project (`projects.manage` and the project within their scope) may edit
its plan. Every write is one transaction that locks the project row, so two people editing the
same plan cannot together break the rule that planned progress never goes down over time;
django-auditlog records each change.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from vanco.core import access
from vanco.core.services import StaleEditError, save_versioned
from vanco.projects.dispatch import recompute_project_light
from vanco.projects.forms import MilestoneForm
from vanco.projects.models import Milestone, Project

ACTION = "projects.manage"


def _project_for_edit(actor, project_id: int) -> Project:
    """The project row, locked, if the actor may edit it: 404 out of scope, 403 otherwise."""
    if not Project.objects.visible_to(actor).filter(pk=project_id).exists():
        raise Http404("Project")
    access.require(actor, ACTION)
    project = (
        Project.objects.editable_by(actor)
        .select_for_update(of=("self",))
        .filter(pk=project_id)
        .first()
    )
    if project is None:
        raise PermissionDenied(ACTION)
    return project


def _milestone_for_edit(actor, milestone: Milestone | int) -> Milestone:
    pk = milestone.pk if isinstance(milestone, Milestone) else milestone
    found = Milestone.objects.visible_to(actor).filter(pk=pk).first()
    if found is None:
        raise Http404("Milestone")
    return found


def _errors(form) -> ValidationError:
    return ValidationError({field: list(errors) for field, errors in form.errors.items()})


def create_milestone(*, actor, project: Project | int, data: dict) -> Milestone:
    project_id = project.pk if isinstance(project, Project) else project
    with transaction.atomic():
        current = _project_for_edit(actor, project_id)
        form = MilestoneForm(data=data, project=current)
        if not form.is_valid():
            raise _errors(form)
        milestone = form.save(commit=False)
        milestone.project = current
        saved = save_versioned(instance=milestone, expected_version=None, actor=actor)
        recompute_project_light(project_id=current.pk, actor=actor)
        return saved


def update_milestone(
    *, actor, milestone: Milestone | int, data: dict, expected_version: int | None
) -> Milestone:
    """Change a milestone; `expected_version` is the version the editor loaded (409 if stale)."""
    with transaction.atomic():
        found = _milestone_for_edit(actor, milestone)
        current = _project_for_edit(actor, found.project_id)
        found = Milestone.objects.get(pk=found.pk)
        form = MilestoneForm(
            data={**data, "version": expected_version}, instance=found, project=current
        )
        if not form.is_valid():
            raise _errors(form)
        saved = save_versioned(
            instance=form.save(commit=False), expected_version=expected_version, actor=actor
        )
        recompute_project_light(project_id=current.pk, actor=actor)
        return saved


def delete_milestone(*, actor, milestone: Milestone | int, expected_version: int | None) -> None:
    with transaction.atomic():
        found = _milestone_for_edit(actor, milestone)
        _project_for_edit(actor, found.project_id)
        if not Milestone.objects.editable_by(actor).filter(pk=found.pk).exists():
            raise PermissionDenied(ACTION)
        if (
            expected_version is None
            or not Milestone.objects.filter(pk=found.pk, version=expected_version).exists()
        ):
            raise StaleEditError()
        Milestone.objects.get(pk=found.pk).delete()
        recompute_project_light(project_id=found.project_id, actor=actor)
