"""Common problems: the coordinator groups obstacles of many enterprises under one policy item,
and takes them out again. Each change is one transaction, all or nothing, audited (each
obstacle is saved, so django-auditlog records it) and recorded on each obstacle's timeline."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanco.accounts.enums import Role
from vanco.core.access import assert_still_editable, can
from vanco.core.audit import acting_as
from vanco.core.forms import VersionedModelForm
from vanco.core.services import StaleEditError
from vanco.obstacles.enums import EventKind
from vanco.obstacles.models import CommonProblem, Obstacle, ObstacleEvent

#: At most this many obstacles are grouped in one request.
MAX_GROUP = 500


class CommonProblemForm(VersionedModelForm):
    class Meta:
        model = CommonProblem
        fields = ["title", "category", "industry", "owner", "status", "description", "note"]
        help_texts = {
            "note": gettext_lazy("Where the policy response stands, for the leading group."),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from vanco.industries.models import Industry

        self.fields["industry"].queryset = Industry.objects.visible_to(user).filter(is_active=True)
        self.fields["owner"].queryset = (
            get_user_model()
            .objects.filter(is_active=True)
            .exclude(role_assignments__role=Role.ENTERPRISE)
            .exclude(role_assignments__isnull=True)
            .distinct()
            .order_by("username")
        )


def _problem_for(actor, problem) -> CommonProblem:
    pk = problem.pk if isinstance(problem, CommonProblem) else problem
    found = CommonProblem.objects.visible_to(actor).filter(pk=pk).first()
    if found is None:
        raise Http404("CommonProblem")
    if not can(actor, "problems.manage"):
        raise PermissionDenied("problems.manage")
    if not CommonProblem.objects.editable_by(actor).filter(pk=found.pk).exists():
        raise PermissionDenied("problems.manage")
    return found


def _keys(obstacles) -> list[int]:
    return sorted({o.pk if isinstance(o, Obstacle) else int(o) for o in obstacles})


def group_obstacles(*, actor, problem, obstacles, comment: str = "") -> list[Obstacle]:
    """Put the obstacles (instances or ids) under the common problem. Every obstacle must be
    one the actor can see (else nothing changes and Http404 is raised); obstacles already in
    the problem are left as they are."""
    keys = _keys(obstacles)
    if not keys:
        raise ValidationError({"obstacles": _("Choose at least one obstacle.")}, code="empty")
    if len(keys) > MAX_GROUP:
        raise ValidationError(
            {
                "obstacles": _("Choose at most %(count)s obstacles at a time.")
                % {"count": MAX_GROUP}
            },
            code="too_many",
        )
    with transaction.atomic(), acting_as(actor):
        current_problem = _problem_for(actor, problem)
        found = list(
            Obstacle.objects.visible_to(actor)
            .filter(pk__in=keys)
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        if len(found) != len(keys):
            raise Http404("Obstacle")
        now = timezone.now()
        changed = []
        note = (comment or "").strip() or _("Added to the common problem “%(title)s”.") % {
            "title": current_problem.title
        }
        for obstacle in found:
            if obstacle.common_problem_id == current_problem.pk:
                continue
            obstacle.common_problem = current_problem
            obstacle.version += 1
            obstacle.save(update_fields=["common_problem", "version", "updated_at"])
            ObstacleEvent.objects.create(
                obstacle=obstacle,
                kind=EventKind.GROUPED,
                from_status=obstacle.status,
                to_status=obstacle.status,
                actor=actor,
                at=now,
                comment=note,
            )
            assert_still_editable(obstacle, actor)
            changed.append(obstacle)
    return changed


def ungroup_obstacle(*, actor, obstacle, comment: str = "", expected_version=None) -> Obstacle:
    """Take one obstacle out of its common problem."""
    pk = obstacle.pk if isinstance(obstacle, Obstacle) else int(obstacle)
    with transaction.atomic(), acting_as(actor):
        current = (
            Obstacle.objects.visible_to(actor).filter(pk=pk).select_for_update(of=("self",)).first()
        )
        if current is None:
            raise Http404("Obstacle")
        if current.common_problem_id is None:
            raise ValidationError(
                _("This obstacle is not part of a common problem."), code="not_grouped"
            )
        problem = _problem_for(actor, current.common_problem_id)
        if expected_version is not None and str(expected_version) != str(current.version):
            raise StaleEditError()
        current.common_problem = None
        current.version += 1
        current.save(update_fields=["common_problem", "version", "updated_at"])
        ObstacleEvent.objects.create(
            obstacle=current,
            kind=EventKind.UNGROUPED,
            from_status=current.status,
            to_status=current.status,
            actor=actor,
            at=timezone.now(),
            comment=(comment or "").strip()
            or _("Removed from the common problem “%(title)s”.") % {"title": problem.title},
        )
        assert_still_editable(current, actor)
    return current
