"""Access control: the one place that decides what a user may see and change.

Every list, detail page, search, export, aggregate, API operation and import starts from
`Model.objects.visible_to(user)` or `.editable_by(user)`, which land here. Rules are keyed by
model label; a model without a rule raises, so a new model is closed until someone decides.

An object outside a user's scope is 404 (it does not exist for them); a missing *action* is 403.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet

from vanco.accounts.enums import WHOLE_CITY_ROLES, Role


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    roles: frozenset[str] = frozenset()
    locality_paths: tuple[str, ...] = ()
    department_ids: frozenset[int] = frozenset()
    enterprise_keys: frozenset[str] = frozenset()
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def whole_city(self) -> bool:
        return bool(self.roles & WHOLE_CITY_ROLES)

    @property
    def has_role(self) -> bool:
        return bool(self.roles)

    def has(self, role: str) -> bool:
        return role in self.roles

    def locality_q(self, path_field: str) -> Q:
        """Q matching rows whose locality lies in one of the user's locality subtrees."""
        if not self.locality_paths:
            return Q(pk__in=[])
        return reduce(or_, (Q(**{f"{path_field}__startswith": p}) for p in self.locality_paths))


_ANONYMOUS = Scope(user_id=None)


def scope_for(user) -> Scope:
    """The user's roles and scope, computed once per user object (one query)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return _ANONYMOUS
    cached = getattr(user, "_vanco_scope", None)
    if cached is not None:
        return cached
    roles, paths, departments, enterprises = set(), [], set(), set()
    for assignment in user.role_assignments.select_related("locality").all():
        if assignment.locality is not None and not assignment.locality.is_active:
            continue
        roles.add(assignment.role)
        if assignment.role == Role.LOCALITY and assignment.locality is not None:
            paths.append(assignment.locality.path)
        elif assignment.role == Role.DEPARTMENT and assignment.department_id:
            departments.add(assignment.department_id)
        elif assignment.role == Role.ENTERPRISE and assignment.enterprise_tax_code:
            enterprises.add(assignment.enterprise_tax_code)
    scope = Scope(
        user_id=user.pk,
        roles=frozenset(roles),
        locality_paths=tuple(sorted(set(paths))),
        department_ids=frozenset(departments),
        enterprise_keys=frozenset(enterprises),
    )
    user._vanco_scope = scope
    return scope


def forget_scope(user) -> None:
    """Call after changing a user's role assignments within the same request."""
    if hasattr(user, "_vanco_scope"):
        del user._vanco_scope


# --- Actions (403 when missing) -------------------------------------------------------------

ACTIONS: dict[str, frozenset[str]] = {
    "org.manage": frozenset({Role.COORDINATOR}),
    "industries.manage": frozenset({Role.COORDINATOR}),
    "users.manage": frozenset({Role.COORDINATOR}),
    "audit.read": frozenset({Role.COORDINATOR, Role.AUDITOR}),
    "settings.read": frozenset({Role.COORDINATOR, Role.AUDITOR}),
    "enterprises.manage": frozenset({Role.COORDINATOR, Role.LOCALITY}),
    "enterprises.import": frozenset({Role.COORDINATOR, Role.LOCALITY}),
    # Contacts' phone numbers and e-mails leave the system unmasked only for these roles.
    "contacts.export": frozenset({Role.COORDINATOR, Role.AUDITOR}),
    "projects.manage": frozenset({Role.COORDINATOR, Role.LOCALITY}),
    "projects.move_backwards": frozenset({Role.COORDINATOR}),
    "dispatch.manage": frozenset({Role.COORDINATOR}),
    "reports.submit": frozenset({Role.COORDINATOR, Role.LOCALITY}),
    "reports.review": frozenset({Role.COORDINATOR}),
    "lights.configure": frozenset({Role.COORDINATOR}),
    "pairings.manage": frozenset({Role.COORDINATOR, Role.LOCALITY}),
    "visits.log": frozenset({Role.COORDINATOR, Role.LOCALITY, Role.CADRE}),
    "obstacles.raise": frozenset(
        {Role.COORDINATOR, Role.LOCALITY, Role.CADRE, Role.DEPARTMENT, Role.ENTERPRISE}
    ),
    "obstacles.assign": frozenset({Role.COORDINATOR}),
    "obstacles.work": frozenset({Role.DEPARTMENT}),
    "obstacles.escalate": frozenset({Role.COORDINATOR, Role.LEADER, Role.LOCALITY}),
    "obstacles.configure": frozenset({Role.COORDINATOR}),
    "obstacles.metrics": frozenset(
        {Role.LEADER, Role.COORDINATOR, Role.AUDITOR, Role.DEPARTMENT, Role.LOCALITY}
    ),
    "problems.manage": frozenset({Role.COORDINATOR}),
    # Chain-based promotion: target investors at the gaps and the outreach to them.
    "prospects.manage": frozenset({Role.COORDINATOR, Role.LEADER, Role.LOCALITY}),
    "meetings.manage": frozenset({Role.COORDINATOR}),
    "directives.issue": frozenset({Role.COORDINATOR, Role.LEADER}),
    # Acknowledge, report progress on and complete a directive assigned to one's unit.
    "directives.work": frozenset({Role.DEPARTMENT, Role.LOCALITY}),
    "targets.manage": frozenset({Role.COORDINATOR}),
    "rankings.publish": frozenset({Role.COORDINATOR}),
    # The live ranking compares every locality's records: whole-city readers only. Everyone
    # else reads the published snapshots.
    "rankings.live": frozenset({Role.LEADER, Role.COORDINATOR, Role.AUDITOR}),
    "dashboard.read": frozenset({Role.LEADER, Role.COORDINATOR, Role.AUDITOR, Role.LOCALITY}),
    "maps.manage": frozenset({Role.COORDINATOR}),
    "bulletins.read": frozenset({Role.LEADER, Role.COORDINATOR, Role.AUDITOR}),
    "bulletins.generate": frozenset({Role.LEADER, Role.COORDINATOR}),
}


def can(user, action: str) -> bool:
    try:
        allowed = ACTIONS[action]
    except KeyError:
        raise ImproperlyConfigured(f"Unknown action {action!r}") from None
    return bool(scope_for(user).roles & allowed)


def require(user, action: str) -> None:
    if not can(user, action):
        raise PermissionDenied(action)


# --- Row rules ------------------------------------------------------------------------------

Filter = Callable[[QuerySet, Scope], QuerySet]


@dataclass(frozen=True)
class Rule:
    visible: Filter
    editable: Filter


def _everyone_with_a_role(qs: QuerySet, scope: Scope) -> QuerySet:
    return qs if scope.has_role else qs.none()


def _coordinators(qs: QuerySet, scope: Scope) -> QuerySet:
    return qs if scope.has(Role.COORDINATOR) else qs.none()


def _audit_readers(qs: QuerySet, scope: Scope) -> QuerySet:
    return qs if scope.roles & ACTIONS["audit.read"] else qs.none()


def _nobody(qs: QuerySet, scope: Scope) -> QuerySet:
    return qs.none()


def _visible_user_ids(scope: Scope) -> QuerySet:
    from django.contrib.auth import get_user_model

    users = get_user_model()._default_manager
    q = Q(pk=scope.user_id)
    if scope.department_ids:
        q |= Q(
            role_assignments__role=Role.DEPARTMENT,
            role_assignments__department__in=scope.department_ids,
        )
    if scope.locality_paths:
        q |= Q(role_assignments__role=Role.LOCALITY) & scope.locality_q(
            "role_assignments__locality__path"
        )
    if scope.roles - {Role.ENTERPRISE}:
        # The paired officials are the government's roster for serving enterprises: every
        # official may see them (to pair them, or to name them among a visit's officials).
        q |= Q(role_assignments__role=Role.CADRE)
    # Joining role assignments can repeat a user; a pk subquery keeps the outer queryset
    # free of duplicates and of distinct(), so it stays sortable and countable.
    return users.filter(q).values("pk")


def _users_visible(qs: QuerySet, scope: Scope) -> QuerySet:
    # The system actor is nobody's to see or edit: it must stay unable to log in.
    if scope.user_id is None:
        return qs.none()
    if scope.whole_city:
        return qs.filter(is_system=False)
    return qs.filter(pk__in=_visible_user_ids(scope), is_system=False)


def _assignments_visible(qs: QuerySet, scope: Scope) -> QuerySet:
    if scope.user_id is None:
        return qs.none()
    if scope.whole_city:
        return qs
    return qs.filter(user__in=_visible_user_ids(scope))


def _paired_enterprise_ids(scope: Scope) -> QuerySet:
    """Enterprises the user is paired with now (the cadre scope)."""
    from vanco.enterprises.models import Pairing

    return Pairing.objects.filter(official_id=scope.user_id, ends_on__isnull=True).values(
        "enterprise_id"
    )


def department_obstacle_q(scope: Scope, prefix: str = "") -> Q:
    """Obstacles assigned to one of the scope's departments, as lead or cooperating."""
    from vanco.obstacles.models import Obstacle

    cooperating = Obstacle.cooperating_departments.through.objects.filter(
        department_id__in=scope.department_ids
    ).values("obstacle_id")
    return Q(**{f"{prefix}lead_department_id__in": scope.department_ids}) | Q(
        **{f"{prefix}pk__in": cooperating}
    )


def _department_concerns(scope: Scope, field: str, prefix: str = "") -> Q:
    """Projects or enterprises (by `field`) that the scope's departments have obstacles of, as
    lead or cooperating department: two subqueries, each read from its own index (one OR
    inside a single subquery made the database scan every obstacle)."""
    from vanco.obstacles.models import Obstacle

    as_lead = Obstacle.objects.filter(
        lead_department_id__in=scope.department_ids, **{f"{field}__isnull": False}
    ).values(field)
    cooperating = Obstacle.cooperating_departments.through.objects.filter(
        department_id__in=scope.department_ids, **{f"obstacle__{field}__isnull": False}
    ).values(f"obstacle__{field}")
    return Q(**{f"{prefix}pk__in": as_lead}) | Q(**{f"{prefix}pk__in": cooperating})


def _enterprise_q(scope: Scope, prefix: str = "") -> Q:
    """Enterprises a scope reaches: its locality subtrees, its own enterprise, the enterprises
    paired with it, and those its departments have obstacles of."""
    q = scope.locality_q(f"{prefix}locality__path")
    if scope.enterprise_keys:
        q |= Q(**{f"{prefix}tax_code__in": scope.enterprise_keys})
    if scope.has(Role.CADRE):
        q |= Q(**{f"{prefix}pk__in": _paired_enterprise_ids(scope)})
    if scope.department_ids:
        q |= _department_concerns(scope, "enterprise_id", prefix)
    return q


def _project_q(scope: Scope, prefix: str = "") -> Q:
    """Projects a scope reaches: hosted in its localities, its enterprise's, followed by it,
    its paired enterprises', and those its departments have obstacles of."""
    q = scope.locality_q(f"{prefix}locality__path")
    if scope.enterprise_keys:
        q |= Q(**{f"{prefix}investor__tax_code__in": scope.enterprise_keys})
    q |= Q(**{f"{prefix}officer_id": scope.user_id}) | Q(**{f"{prefix}leader_id": scope.user_id})
    if scope.has(Role.CADRE):
        q |= Q(**{f"{prefix}investor_id__in": _paired_enterprise_ids(scope)})
    if scope.department_ids:
        q |= _department_concerns(scope, "project_id", prefix)
    return q


def _pairing_q(scope: Scope, prefix: str = "") -> Q:
    """Pairings of the enterprises a scope reaches, and the user's own pairings."""
    return _enterprise_q(scope, f"{prefix}enterprise__") | Q(
        **{f"{prefix}official_id": scope.user_id}
    )


def _obstacle_q(scope: Scope, prefix: str = "") -> Q:
    """Obstacles a scope reaches: in its localities, raised by the user, of its enterprise or
    paired enterprises, or assigned to its departments."""
    q = scope.locality_q(f"{prefix}locality__path") | Q(**{f"{prefix}raised_by_id": scope.user_id})
    if scope.enterprise_keys:
        q |= Q(**{f"{prefix}enterprise__tax_code__in": scope.enterprise_keys})
    if scope.has(Role.CADRE):
        q |= Q(**{f"{prefix}enterprise_id__in": _paired_enterprise_ids(scope)})
    if scope.department_ids:
        q |= department_obstacle_q(scope, prefix)
    return q


def _scoped_by(q_builder, prefix: str = "", *, edit_roles: frozenset[str]):
    """Rules for a model reached through `prefix`: whole city sees all, others their scope;
    only `edit_roles` may change, within the same scope (coordinators everywhere)."""

    def visible(qs: QuerySet, scope: Scope) -> QuerySet:
        if scope.user_id is None or not scope.has_role:
            return qs.none()
        if scope.whole_city:
            return qs
        return qs.filter(q_builder(scope, prefix))

    def editable(qs: QuerySet, scope: Scope) -> QuerySet:
        if scope.has(Role.COORDINATOR):
            return qs
        if not scope.roles & edit_roles:
            return qs.none()
        return qs.filter(q_builder(scope, prefix))

    return Rule(visible=visible, editable=editable)


_FIELD_ROLES = frozenset({Role.LOCALITY})
_VISITING_ROLES = frozenset({Role.LOCALITY, Role.CADRE})
# Everyone who may act on an obstacle they can see; each transition checks its own rule.
_OBSTACLE_ROLES = frozenset({Role.LOCALITY, Role.CADRE, Role.DEPARTMENT, Role.ENTERPRISE})


def _officials_only(rule: Rule) -> Rule:
    """A rule narrowed to officials: visit notes are the officials' own working records, not
    shown to the company's account."""

    def visible(qs: QuerySet, scope: Scope) -> QuerySet:
        return rule.visible(qs, scope) if scope.roles - {Role.ENTERPRISE} else qs.none()

    def editable(qs: QuerySet, scope: Scope) -> QuerySet:
        return rule.editable(qs, scope) if scope.roles - {Role.ENTERPRISE} else qs.none()

    return Rule(visible=visible, editable=editable)


def _officials(qs: QuerySet, scope: Scope) -> QuerySet:
    """Internal working data: every role except enterprise users alone."""
    return qs if scope.roles - {Role.ENTERPRISE} else qs.none()


def _own(qs: QuerySet, scope: Scope) -> QuerySet:
    if scope.user_id is None:
        return qs.none()
    return qs.filter(user_id=scope.user_id)


def _own_or_coordinator(qs: QuerySet, scope: Scope) -> QuerySet:
    if scope.has(Role.COORDINATOR):
        return qs
    if scope.user_id is None:
        return qs.none()
    return qs.filter(user_id=scope.user_id)


def _holding(action: str) -> Filter:
    """Rows anyone holding `action` may change (the service checks the rest)."""

    def editable(qs: QuerySet, scope: Scope) -> QuerySet:
        return qs if scope.roles & ACTIONS[action] else qs.none()

    return editable


# Meetings and their minutes are the government's internal working papers.
_MEETING_READERS = frozenset(
    {Role.LEADER, Role.COORDINATOR, Role.AUDITOR, Role.DEPARTMENT, Role.LOCALITY}
)


def _meeting_readers(qs: QuerySet, scope: Scope) -> QuerySet:
    return qs if scope.roles & _MEETING_READERS else qs.none()


def _agenda_items_visible(qs: QuerySet, scope: Scope) -> QuerySet:
    """A meeting reader sees an agenda item when they may see what it is about: an item copies
    the title (and a red project's reasons) of its project, obstacle or directive."""
    if not scope.roles & _MEETING_READERS:
        return qs.none()
    if scope.whole_city:
        return qs
    from vanco.meetings.models import Directive
    from vanco.obstacles.models import Obstacle
    from vanco.projects.models import Project

    projects = Project.objects.filter(_project_q(scope)).values("pk")
    obstacles = Obstacle.objects.filter(_obstacle_q(scope)).values("pk")
    directives = Directive.objects.filter(_directive_q(scope)).values("pk")
    return qs.filter(
        Q(project__isnull=True) | Q(project__in=projects),
        Q(obstacle__isnull=True) | Q(obstacle__in=obstacles),
        Q(directive__isnull=True) | Q(directive__in=directives),
    )


def _directive_q(scope: Scope, prefix: str = "") -> Q:
    """Directives assigned to one of the scope's departments or to a locality in its subtrees
    (a pk subquery: joining the assignees would repeat rows)."""
    from vanco.meetings.models import Directive

    assigned = Q(pk__in=[])
    if scope.department_ids:
        assigned |= Q(departments__in=scope.department_ids)
    if scope.locality_paths:
        assigned |= scope.locality_q("localities__path")
    return Q(**{f"{prefix}pk__in": Directive.objects.filter(assigned).values("pk")})


def _directives(prefix: str = "") -> Rule:
    def visible(qs: QuerySet, scope: Scope) -> QuerySet:
        if scope.whole_city:
            return qs
        if not scope.roles & ACTIONS["directives.work"]:
            return qs.none()
        return qs.filter(_directive_q(scope, prefix))

    def editable(qs: QuerySet, scope: Scope) -> QuerySet:
        if scope.roles & ACTIONS["directives.issue"]:
            return qs
        if not scope.roles & ACTIONS["directives.work"]:
            return qs.none()
        return qs.filter(_directive_q(scope, prefix))

    return Rule(visible=visible, editable=editable)


def _targets_visible(qs: QuerySet, scope: Scope) -> QuerySet:
    """The whole city sees every target; a locality officer those of the localities in their
    subtrees."""
    if scope.whole_city:
        return qs
    if not scope.locality_paths:
        return qs.none()
    return qs.filter(scope.locality_q("locality__path"))


RULES: dict[str, Rule] = {
    "org.locality": Rule(visible=_everyone_with_a_role, editable=_coordinators),
    "org.department": Rule(visible=_everyone_with_a_role, editable=_coordinators),
    "industries.industry": Rule(visible=_everyone_with_a_role, editable=_coordinators),
    "industries.chainnode": Rule(visible=_everyone_with_a_role, editable=_coordinators),
    "accounts.user": Rule(visible=_users_visible, editable=_coordinators),
    "accounts.roleassignment": Rule(visible=_assignments_visible, editable=_coordinators),
    "accounts.apitoken": Rule(visible=_own_or_coordinator, editable=_own_or_coordinator),
    "auditlog.logentry": Rule(visible=_audit_readers, editable=_nobody),
    "enterprises.enterprise": _scoped_by(_enterprise_q, edit_roles=_FIELD_ROLES),
    "enterprises.contact": _scoped_by(_enterprise_q, "enterprise__", edit_roles=_FIELD_ROLES),
    "projects.project": _scoped_by(_project_q, edit_roles=_FIELD_ROLES),
    "projects.projectstagechange": _scoped_by(_project_q, "project__", edit_roles=frozenset()),
    "projects.attachment": _scoped_by(_project_q, "project__", edit_roles=_FIELD_ROLES),
    "projects.progressreport": _scoped_by(_project_q, "project__", edit_roles=_FIELD_ROLES),
    "projects.projectlight": _scoped_by(_project_q, "project__", edit_roles=frozenset()),
    "projects.tag": Rule(visible=_everyone_with_a_role, editable=_coordinators),
    "projects.dispatchcycle": Rule(visible=_everyone_with_a_role, editable=_coordinators),
    "projects.dispatchperiod": Rule(visible=_everyone_with_a_role, editable=_coordinators),
    "projects.lightrules": Rule(visible=_everyone_with_a_role, editable=_coordinators),
    "projects.milestone": _scoped_by(_project_q, "project__", edit_roles=_FIELD_ROLES),
    "core.importjob": Rule(visible=_own, editable=_own),
    "notifications.notification": Rule(visible=_own, editable=_own),
    "notifications.preference": Rule(visible=_own, editable=_own),
    "enterprises.pairing": _scoped_by(_pairing_q, edit_roles=_FIELD_ROLES),
    "enterprises.visit": _officials_only(
        _scoped_by(_enterprise_q, "enterprise__", edit_roles=_VISITING_ROLES)
    ),
    "obstacles.categorylimit": Rule(visible=_everyone_with_a_role, editable=_coordinators),
    "obstacles.commonproblem": Rule(visible=_officials, editable=_coordinators),
    "obstacles.obstacle": _scoped_by(_obstacle_q, edit_roles=_OBSTACLE_ROLES),
    "obstacles.obstacleevent": _scoped_by(_obstacle_q, "obstacle__", edit_roles=frozenset()),
    "obstacles.obstacleattachment": _scoped_by(
        _obstacle_q, "obstacle__", edit_roles=_OBSTACLE_ROLES
    ),
    "industries.prospect": Rule(visible=_officials, editable=_holding("prospects.manage")),
    "industries.outreachactivity": Rule(visible=_officials, editable=_holding("prospects.manage")),
    "meetings.meeting": Rule(visible=_meeting_readers, editable=_coordinators),
    "meetings.agendaitem": Rule(visible=_agenda_items_visible, editable=_coordinators),
    "meetings.meetingattachment": Rule(visible=_meeting_readers, editable=_coordinators),
    "meetings.directive": _directives(),
    "meetings.directiveupdate": _directives("directive__"),
    "targets.target": Rule(visible=_targets_visible, editable=_coordinators),
    "targets.campaign": Rule(visible=_officials, editable=_coordinators),
    # Published rankings are announced to every official and never change again.
    "targets.rankingsnapshot": Rule(visible=_officials, editable=_nobody),
    "targets.rankingentry": Rule(visible=_officials, editable=_nobody),
    "reports.report": Rule(visible=_holding("bulletins.read"), editable=_nobody),
}


def _rule(model: type[models.Model]) -> Rule:
    try:
        return RULES[model._meta.label_lower]
    except KeyError:
        raise ImproperlyConfigured(
            f"No access rule for {model._meta.label}; add one to vanco.core.access.RULES."
        ) from None


def _queryset(model_or_qs) -> QuerySet:
    if isinstance(model_or_qs, QuerySet):
        return model_or_qs
    return model_or_qs._default_manager.all()


def visible(model_or_qs, user) -> QuerySet:
    qs = _queryset(model_or_qs)
    return _rule(qs.model).visible(qs, scope_for(user))


def editable(model_or_qs, user) -> QuerySet:
    qs = _queryset(model_or_qs)
    return _rule(qs.model).editable(qs, scope_for(user))


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet:
        return visible(self, user)

    def editable_by(self, user) -> QuerySet:
        return editable(self, user)


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def visible_or_404(model_or_qs, user, pk):
    """The object if the user may see it; Http404 otherwise (it does not exist for them)."""
    from django.http import Http404

    found = visible(model_or_qs, user).filter(pk=pk).first()
    if found is None:
        raise Http404(_queryset(model_or_qs).model._meta.object_name)
    return found


def assert_still_editable(instance: models.Model, user) -> None:
    """Re-check after a write, inside its transaction: a user cannot move a row out of scope."""
    if not editable(type(instance), user).filter(pk=instance.pk).exists():
        raise PermissionDenied("out of scope after save")
