"""Every URL name and every API operation, for every role, against data that would leak.

The expectations below are written by hand, not derived from the access rules: the test must
fail when a rule is wrong. A URL name or API operation missing from the tables fails the test,
so a new endpoint cannot ship without deciding who may use it.
"""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import ENTERPRISE_TAX_CODE
from tests.factories import (
    ChainNodeFactory,
    ContactFactory,
    DispatchPeriodFactory,
    EnterpriseFactory,
    IndustryFactory,
    ObstacleFactory,
    PairingFactory,
    ProgressReportFactory,
    ProjectFactory,
    UserFactory,
    VisitFactory,
    valid_tax_code,
)
from vanco.accounts.enums import Role
from vanco.accounts.models import User
from vanco.accounts.services import issue_token
from vanco.api.router import api
from vanco.core.models import ImportJob, ImportJobStatus
from vanco.enterprises.models import Enterprise, Pairing, Visit
from vanco.notifications.models import Notification
from vanco.obstacles import services as obstacle_services
from vanco.obstacles.enums import Source, Status
from vanco.obstacles.models import CommonProblem, Obstacle
from vanco.projects.enums import ReportStatus
from vanco.projects.models import Milestone, ProgressReport, Project
from vanco.projects.services import add_attachment

ROLES = [role.value for role in Role]
NO_ROLE = "no-role"
ANY = frozenset(ROLES)
COORDINATOR = frozenset({Role.COORDINATOR})
AUDIT = frozenset({Role.COORDINATOR, Role.AUDITOR})
# Who works in the field: creates and edits enterprises, projects and reports in their area.
FIELD = frozenset({Role.COORDINATOR, Role.LOCALITY})
WHOLE_CITY = frozenset({Role.LEADER, Role.COORDINATOR, Role.AUDITOR})
# Who may raise an obstacle: everyone who meets enterprises (not the leader, not the auditor).
RAISERS = frozenset({Role.COORDINATOR, Role.LOCALITY, Role.CADRE, Role.DEPARTMENT, Role.ENTERPRISE})
# Who may act on an obstacle they see (comment): all but the auditor, who only reads.
COMMENTERS = ANY - {Role.AUDITOR}
# Who may attach a file to an obstacle: those who may edit it (not the leader, not the auditor).
OBSTACLE_EDITORS = ANY - {Role.LEADER, Role.AUDITOR}
# Who may push an obstacle one level up.
ESCALATORS = frozenset({Role.COORDINATOR, Role.LEADER, Role.LOCALITY})
# Who reads the obstacle-handling metrics: not paired officials, not enterprises.
METRICS = frozenset({Role.LEADER, Role.COORDINATOR, Role.AUDITOR, Role.DEPARTMENT, Role.LOCALITY})
# Who logs visits: the field roles and the paired official.
VISITORS = frozenset({Role.COORDINATOR, Role.LOCALITY, Role.CADRE})
# Every official: all roles but the enterprise user (who may not look up the city's officials).
OFFICIALS = ANY - {Role.ENTERPRISE}
# Kinds scoped by locality, enterprise, pairing and department obstacles: each role gets an
# object it may see (or None) and one it must not see (see `scoped_pair`).
SCOPED_KINDS = {
    "enterprise",
    "contact",
    "project",
    "report",
    "attachment",
    "milestone",
    "obstacle",
    "obstacle_attachment",
    "pairing",
    # Visits are internal records: an enterprise user sees none, not even of its own company.
    "visit",
}
# Internal working data: every official role sees it, enterprise users and no role do not.
OFFICIAL_KINDS = {"problem"}
# Kinds every role can see (reference data); none for an account without a role.
REFERENCE_KINDS = {"locality", "department", "industry", "node", "period", "cycle"}

# For each role: a user it may see, and one it must not (None: the role sees the whole city).
USER_SCOPE = {
    Role.LEADER: ("loc_b", None),
    Role.COORDINATOR: ("loc_b", None),
    Role.AUDITOR: ("dept_b", None),
    Role.DEPARTMENT: ("dept_a", "dept_b"),
    Role.LOCALITY: ("loc_ca", "loc_b"),
    Role.CADRE: ("cadre", "loc_b"),
    Role.ENTERPRISE: ("enterprise", "dept_a"),
    NO_ROLE: ("norole", "loc_b"),
}

# name: (method, target, roles allowed, status when allowed)
PAGES = {
    "home": ("get", None, ANY | {NO_ROLE}, 200),
    "accounts:profile": ("get", None, ANY | {NO_ROLE}, 200),
    "accounts:password-change": ("get", None, ANY | {NO_ROLE}, 200),
    "accounts:token-create": ("post", None, ANY | {NO_ROLE}, 200),
    "accounts:token-revoke": ("post", "token", ANY | {NO_ROLE}, 302),
    "accounts:user-list": ("get", None, ANY | {NO_ROLE}, 200),
    "accounts:user-create": ("get", None, COORDINATOR, 200),
    "accounts:user-detail": ("get", "user", ANY | {NO_ROLE}, 200),
    "accounts:user-edit": ("get", "user", COORDINATOR, 200),
    "accounts:user-toggle": ("post", "user", COORDINATOR, 302),
    "org:locality-list": ("get", None, ANY | {NO_ROLE}, 200),
    "org:locality-create": ("get", None, COORDINATOR, 200),
    "org:locality-detail": ("get", "locality", ANY, 200),
    "org:locality-edit": ("get", "locality", COORDINATOR, 200),
    "org:locality-toggle": ("post", "locality", COORDINATOR, 302),
    "org:department-list": ("get", None, ANY | {NO_ROLE}, 200),
    "org:department-create": ("get", None, COORDINATOR, 200),
    "org:department-detail": ("get", "department", ANY, 200),
    "org:department-edit": ("get", "department", COORDINATOR, 200),
    "org:department-toggle": ("post", "department", COORDINATOR, 302),
    "industries:industry-list": ("get", None, ANY | {NO_ROLE}, 200),
    "industries:industry-create": ("get", None, COORDINATOR, 200),
    "industries:industry-detail": ("get", "industry", ANY, 200),
    "industries:industry-edit": ("get", "industry", COORDINATOR, 200),
    "industries:industry-toggle": ("post", "industry", COORDINATOR, 302),
    "industries:node-list": ("get", None, ANY | {NO_ROLE}, 200),
    "industries:node-create": ("get", None, COORDINATOR, 200),
    "industries:node-detail": ("get", "node", ANY, 200),
    "industries:node-edit": ("get", "node", COORDINATOR, 200),
    "industries:node-toggle": ("post", "node", COORDINATOR, 302),
    "audit-log": ("get", None, AUDIT, 200),
    "enterprises:enterprise-list": ("get", None, ANY | {NO_ROLE}, 200),
    "enterprises:enterprise-create": ("get", None, FIELD, 200),
    "enterprises:enterprise-options": ("get", None, ANY | {NO_ROLE}, 200),
    "enterprises:enterprise-import": ("get", None, FIELD, 200),
    "enterprises:enterprise-import-template": ("get", None, FIELD, 200),
    "enterprises:enterprise-detail": ("get", "enterprise", ANY, 200),
    "enterprises:enterprise-edit": ("get", "enterprise", FIELD, 200),
    "enterprises:contact-create": ("get", "enterprise", FIELD, 200),
    "enterprises:contact-edit": ("get", "contact", FIELD, 200),
    "enterprises:contact-delete": ("post", "contact", FIELD, 302),
    "projects:project-list": ("get", None, ANY | {NO_ROLE}, 200),
    "projects:project-create": ("get", None, FIELD, 200),
    "projects:project-bulk-reassign": ("post", "project", FIELD, 302),
    "projects:project-detail": ("get", "project", ANY, 200),
    "projects:project-edit": ("get", "project", FIELD, 200),
    "projects:project-transition": ("get", "project", FIELD, 200),
    "projects:attachment-upload": ("post", "project", FIELD, 302),
    "projects:attachment-download": ("get", "attachment", ANY, 200),
    "projects:cycle-list": ("get", None, ANY | {NO_ROLE}, 200),
    "projects:cycle-create": ("get", None, COORDINATOR, 200),
    "projects:cycle-edit": ("get", "cycle", COORDINATOR, 200),
    "projects:period-list": ("get", None, ANY | {NO_ROLE}, 200),
    "projects:period-open": ("post", None, COORDINATOR, 302),
    "projects:period-board": ("get", "period", ANY, 200),
    "projects:period-close": ("post", "period", COORDINATOR, 302),
    "projects:report-list": ("get", None, ANY | {NO_ROLE}, 200),
    "projects:my-reports": ("get", None, FIELD, 200),
    "projects:report-detail": ("get", "report", ANY, 200),
    "projects:report-edit": ("get", "report", FIELD, 200),
    "projects:report-accept": ("post", "report", COORDINATOR, 302),
    "projects:report-return": ("post", "report", COORDINATOR, 302),
    "projects:light-rules": ("get", None, ANY, 200),
    "notifications:list": ("get", None, ANY | {NO_ROLE}, 200),
    "notifications:unread": ("get", None, ANY | {NO_ROLE}, 200),
    "notifications:mark-read": ("post", None, ANY | {NO_ROLE}, 302),
    "notifications:open": ("get", "notification", ANY | {NO_ROLE}, 302),
    "notifications:preferences": ("get", None, ANY | {NO_ROLE}, 200),
    "projects:milestone-list": ("get", "project", ANY, 200),
    "projects:milestone-section": ("get", "project", ANY, 200),
    "projects:milestone-create": ("get", "project", FIELD, 200),
    "projects:milestone-edit": ("get", "milestone", FIELD, 200),
    "projects:milestone-delete": ("get", "milestone", FIELD, 200),
    "core:import": ("get", None, FIELD, 200),
    "core:import-template": ("get", None, FIELD, 200),
    "core:import-job": ("get", "import_job", FIELD, 200),
    "obstacles:obstacle-list": ("get", None, ANY | {NO_ROLE}, 200),
    "obstacles:obstacle-raise": ("get", None, RAISERS, 200),
    "obstacles:project-options": ("get", None, ANY | {NO_ROLE}, 200),
    "obstacles:time-limits": ("get", None, ANY, 200),
    "obstacles:time-limit-edit": ("get", None, COORDINATOR, 200),
    "obstacles:obstacle-detail": ("get", "obstacle", ANY, 200),
    # One representative step (on a submitted obstacle); the others: test_obstacle_steps_*.
    "obstacles:obstacle-step": ("get", "obstacle", ESCALATORS, 200),
    "obstacles:obstacle-comment": ("post", "obstacle", COMMENTERS, 302),
    "obstacles:attachment-upload": ("post", "obstacle", OBSTACLE_EDITORS, 302),
    "obstacles:attachment-download": ("get", "obstacle_attachment", ANY, 200),
    "obstacles:problem-list": ("get", None, ANY | {NO_ROLE}, 200),
    "obstacles:problem-create": ("get", None, COORDINATOR, 200),
    "obstacles:problem-detail": ("get", "problem", ANY, 200),
    "obstacles:problem-edit": ("get", "problem", COORDINATOR, 200),
    "obstacles:problem-group": ("post", "problem", COORDINATOR, 302),
    "obstacles:obstacle-bulk-group": ("post", "obstacle", COORDINATOR, 302),
    "obstacles:problem-ungroup": ("post", "problem", COORDINATOR, 302),
    "obstacles:metrics": ("get", None, METRICS, 200),
    "obstacles:concentration": ("get", None, METRICS, 200),
    "enterprises:pairing-list": ("get", None, ANY | {NO_ROLE}, 200),
    "enterprises:pairing-create": ("get", None, FIELD, 200),
    "enterprises:pairing-mine": ("get", None, ANY | {NO_ROLE}, 200),
    "enterprises:pairing-detail": ("get", "pairing", ANY, 200),
    "enterprises:pairing-edit": ("get", "pairing", FIELD, 200),
    "enterprises:pairing-end": ("get", "pairing", FIELD, 200),
    "enterprises:coverage": ("get", None, ANY | {NO_ROLE}, 200),
    "enterprises:official-options": ("get", None, OFFICIALS, 200),
    "enterprises:enterprise-pairings-visits": ("get", "enterprise", ANY, 200),
    "enterprises:visit-list": ("get", None, ANY | {NO_ROLE}, 200),
    "enterprises:visit-create": ("get", None, VISITORS, 200),
    "enterprises:visit-detail": ("get", "visit", ANY, 200),
}
# Pages whose target goes in the request body, not the URL.
TARGET_IN_BODY = {"projects:project-bulk-reassign", "obstacles:obstacle-bulk-group"}
URL_KWARGS = {
    "projects:project-transition": {"to_stage": "negotiating"},
    "core:import": {"kind": "enterprises"},
    "core:import-template": {"kind": "enterprises"},
    "obstacles:time-limit-edit": {"category": "land"},
    "obstacles:obstacle-step": {"action": "escalate"},
}
# Pages whose object goes in the URL under another name than `pk`.
URL_PK = {"projects:milestone-edit": "milestone", "projects:milestone-delete": "milestone"}
# Pages open to everyone, signed in or not.
PUBLIC = {
    "login": 200,
    "healthz": 200,
    "set-language": 302,
    "logout": 302,
    "api:openapi-json": 200,
    "api:openapi-view": 200,
    "api:api-root": 404,
}

# "METHOD path": (target, roles allowed, status when allowed)
OPERATIONS = {
    "GET /api/v1/me": (None, ANY | {NO_ROLE}, 200),
    "GET /api/v1/users": (None, ANY | {NO_ROLE}, 200),
    "POST /api/v1/users": (None, COORDINATOR, 201),
    "GET /api/v1/users/{user_id}": ("user", ANY | {NO_ROLE}, 200),
    "PATCH /api/v1/users/{user_id}": ("user", COORDINATOR, 200),
    "GET /api/v1/localities": (None, ANY | {NO_ROLE}, 200),
    "POST /api/v1/localities": (None, COORDINATOR, 201),
    "GET /api/v1/localities/{pk}": ("locality", ANY, 200),
    "PATCH /api/v1/localities/{pk}": ("locality", COORDINATOR, 200),
    "GET /api/v1/departments": (None, ANY | {NO_ROLE}, 200),
    "POST /api/v1/departments": (None, COORDINATOR, 201),
    "GET /api/v1/departments/{pk}": ("department", ANY, 200),
    "PATCH /api/v1/departments/{pk}": ("department", COORDINATOR, 200),
    "GET /api/v1/industries": (None, ANY | {NO_ROLE}, 200),
    "POST /api/v1/industries": (None, COORDINATOR, 201),
    "GET /api/v1/industries/{pk}": ("industry", ANY, 200),
    "PATCH /api/v1/industries/{pk}": ("industry", COORDINATOR, 200),
    "GET /api/v1/chain-nodes": (None, ANY | {NO_ROLE}, 200),
    "POST /api/v1/chain-nodes": (None, COORDINATOR, 201),
    "GET /api/v1/chain-nodes/{pk}": ("node", ANY, 200),
    "PATCH /api/v1/chain-nodes/{pk}": ("node", COORDINATOR, 200),
    "GET /api/v1/enterprises": (None, ANY | {NO_ROLE}, 200),
    "POST /api/v1/enterprises": (None, FIELD, 201),
    "GET /api/v1/enterprises/{pk}": ("enterprise", ANY, 200),
    "PATCH /api/v1/enterprises/{pk}": ("enterprise", FIELD, 200),
    "GET /api/v1/projects": (None, ANY | {NO_ROLE}, 200),
    "POST /api/v1/projects": (None, FIELD, 201),
    "GET /api/v1/projects/{pk}": ("project", ANY, 200),
    "PATCH /api/v1/projects/{pk}": ("project", FIELD, 200),
    "POST /api/v1/projects/{pk}/transition": ("project", FIELD, 200),
    "GET /api/v1/projects/{pk}/lights": ("project", ANY, 200),
    "GET /api/v1/periods": (None, ANY | {NO_ROLE}, 200),
    "GET /api/v1/reports": (None, ANY | {NO_ROLE}, 200),
    "GET /api/v1/reports/{pk}": ("report", ANY, 200),
    "POST /api/v1/reports/{pk}/submit": ("report", FIELD, 200),
    "POST /api/v1/reports/{pk}/accept": ("report", COORDINATOR, 200),
    "POST /api/v1/reports/{pk}/return": ("report", COORDINATOR, 200),
    "GET /api/v1/projects/{pk}/milestones": ("project", ANY, 200),
    "POST /api/v1/projects/{pk}/milestones": ("project", FIELD, 201),
    "PATCH /api/v1/milestones/{pk}": ("milestone", FIELD, 200),
    "DELETE /api/v1/milestones/{pk}": ("milestone", FIELD, 204),
    "GET /api/v1/obstacles": (None, ANY | {NO_ROLE}, 200),
    "POST /api/v1/obstacles": (None, RAISERS, 201),
    "GET /api/v1/obstacles/{pk}": ("obstacle", ANY, 200),
    "POST /api/v1/obstacles/{pk}/assign": ("obstacle", COORDINATOR, 200),
    "POST /api/v1/obstacles/{pk}/due-date": ("obstacle", COORDINATOR, 200),
    # The officer of the lead department (obstacle b is led by dept_a, the department user's).
    "POST /api/v1/obstacles/{pk}/accept": ("obstacle", {Role.DEPARTMENT}, 200),
    "POST /api/v1/obstacles/{pk}/start": ("obstacle", {Role.DEPARTMENT}, 200),
    "POST /api/v1/obstacles/{pk}/resolve": ("obstacle", {Role.DEPARTMENT}, 200),
    "POST /api/v1/obstacles/{pk}/hand-back": ("obstacle", {Role.DEPARTMENT}, 200),
    # The raiser (only the enterprise user raised one of the obstacles it sees).
    "POST /api/v1/obstacles/{pk}/confirm": ("obstacle", {Role.ENTERPRISE}, 200),
    "POST /api/v1/obstacles/{pk}/reopen": ("obstacle", {Role.ENTERPRISE}, 200),
    "POST /api/v1/obstacles/{pk}/escalate": ("obstacle", ESCALATORS, 200),
    "POST /api/v1/obstacles/{pk}/comment": ("obstacle", COMMENTERS, 201),
    "GET /api/v1/problems": (None, ANY | {NO_ROLE}, 200),
    "POST /api/v1/problems": (None, COORDINATOR, 201),
    "GET /api/v1/problems/{pk}": ("problem", ANY, 200),
    "PATCH /api/v1/problems/{pk}": ("problem", COORDINATOR, 200),
    "POST /api/v1/problems/{pk}/group": ("problem", COORDINATOR, 200),
    "POST /api/v1/problems/{pk}/remove": ("problem", COORDINATOR, 200),
    "GET /api/v1/obstacle-metrics": (None, METRICS, 200),
    "GET /api/v1/obstacle-concentration": (None, METRICS, 200),
    "GET /api/v1/pairings": (None, ANY | {NO_ROLE}, 200),
    "POST /api/v1/pairings": (None, FIELD, 201),
    "GET /api/v1/pairings/{pk}": ("pairing", ANY, 200),
    "PATCH /api/v1/pairings/{pk}": ("pairing", FIELD, 200),
    "POST /api/v1/pairings/{pk}/end": ("pairing", FIELD, 200),
    "GET /api/v1/visits": (None, ANY | {NO_ROLE}, 200),
    "POST /api/v1/visits": (None, VISITORS, 201),
    "GET /api/v1/visits/{pk}": ("visit", ANY, 200),
    "GET /api/v1/coverage": (None, ANY | {NO_ROLE}, 200),
}
# The status an obstacle must be in for a step to be available (set before each request).
STEP_STATUS = {
    "assign": Status.SUBMITTED,
    "due-date": Status.ASSIGNED,
    "due": Status.ASSIGNED,
    "accept": Status.ASSIGNED,
    "start": Status.ACCEPTED,
    "resolve": Status.IN_PROGRESS,
    "hand-back": Status.ASSIGNED,
    "hand_back": Status.ASSIGNED,
    "confirm": Status.RESOLVED,
    "reopen": Status.RESOLVED,
    "escalate": Status.SUBMITTED,
}


def _url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def _operations():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method in methods:
            yield path, method, f"{method.upper()} {path}"


def test_access_matrix_knows_every_url_name():
    names = set(_url_names(get_resolver().url_patterns))
    # API operations are covered by OPERATIONS, checked against the OpenAPI schema below.
    unknown = {name for name in names if not name.startswith("api:")} - set(PAGES) - set(PUBLIC)
    assert unknown == set()
    assert set(PAGES) | set(PUBLIC) <= names
    assert {name for name in PUBLIC if name.startswith("api:")} <= names


def test_access_matrix_knows_every_api_operation():
    assert {name for _, _, name in _operations()} == set(OPERATIONS)


@pytest.fixture
def people(world):
    users = {role: world["users"][role] for role in ROLES}
    users[NO_ROLE] = UserFactory(username="norole")
    by_name = {user.username: user for user in User.objects.all()}
    return users, by_name


@pytest.fixture
def targets(world):
    """One object of every kind; scoped kinds in district A, district B and the enterprise
    user's own company (registered in district B, so that only its tax code lets them in).

    The "b" family is also reached by the department officer (obstacle b is assigned to their
    department dept_a as lead) and by the paired official (paired with enterprise b now)."""
    industry = IndustryFactory()
    coordinator = world["users"][Role.COORDINATOR]
    someone_else = world["others"]["loc_b"]  # raises obstacles a and b: no tested role did
    enterprises = {
        "a": EnterpriseFactory(name="Công ty A", locality=world["district_a"]),
        "b": EnterpriseFactory(name="Công ty B", locality=world["district_b"]),
        "own": EnterpriseFactory(
            name="Công ty Riêng", tax_code=ENTERPRISE_TAX_CODE, locality=world["district_b"]
        ),
    }
    projects = {
        key: ProjectFactory(investor=enterprise, locality=enterprise.locality, industry=industry)
        for key, enterprise in enterprises.items()
    }
    period = DispatchPeriodFactory()
    reports = {
        key: ProgressReportFactory(project=project, period=period)
        for key, project in projects.items()
    }
    attachments = {
        key: add_attachment(
            actor=coordinator,
            project=project,
            uploaded_file=SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/pdf"),
        )
        for key, project in projects.items()
    }
    milestones = {
        key: Milestone.objects.create(
            project=project,
            name="Hoàn thành san lấp",
            planned_date=datetime.date(2027, 6, 30),
            planned_progress="40",
        )
        for key, project in projects.items()
    }
    # The cadre is paired with b; a and own are paired with officials no tested role is.
    pairings = {
        "a": PairingFactory(enterprise=enterprises["a"]),
        "b": PairingFactory(official=world["users"][Role.CADRE], enterprise=enterprises["b"]),
        "own": PairingFactory(enterprise=enterprises["own"]),
    }
    visits = {key: VisitFactory(enterprise=enterprise) for key, enterprise in enterprises.items()}
    obstacles = {
        "a": ObstacleFactory(
            enterprise=enterprises["a"], project=projects["a"], raised_by=someone_else
        ),
        "b": ObstacleFactory(
            enterprise=enterprises["b"],
            project=projects["b"],
            raised_by=someone_else,
            status=Status.ASSIGNED,
            lead_department=world["dept_a"],
            due_on=timezone.localdate() + datetime.timedelta(days=30),
        ),
        "own": ObstacleFactory(
            enterprise=enterprises["own"],
            project=projects["own"],
            raised_by=world["users"][Role.ENTERPRISE],
            source=Source.ENTERPRISE,
        ),
    }
    obstacle_attachments = {
        key: obstacle_services.add_attachment(
            actor=coordinator,
            obstacle=obstacle,
            uploaded_file=SimpleUploadedFile("cong-van.pdf", PDF, content_type="application/pdf"),
        )
        for key, obstacle in obstacles.items()
    }
    problem = CommonProblem.objects.create(title="Thiếu quỹ đất sạch cho khu công nghiệp")
    # Obstacle a is in the problem (to be taken out); b is not (to be added).
    Obstacle.objects.filter(pk=obstacles["a"].pk).update(common_problem=problem)
    return {
        "locality": world["commune_b"],
        "department": world["dept_b"],
        "industry": industry,
        "node": ChainNodeFactory(industry=industry),
        "period": period,
        "cycle": period.cycle,
        "problem": problem,
        "dept_a": world["dept_a"],
        "scoped": {
            "enterprise": enterprises,
            "contact": {key: ContactFactory(enterprise=e) for key, e in enterprises.items()},
            "project": projects,
            "report": reports,
            "attachment": attachments,
            "milestone": milestones,
            "obstacle": obstacles,
            "obstacle_attachment": obstacle_attachments,
            "pairing": pairings,
            "visit": visits,
        },
    }


def _set_obstacle_status(targets, step):
    """Put every target obstacle where `step` is available (earlier requests moved them)."""
    obstacles = targets["scoped"]["obstacle"]
    Obstacle.objects.filter(pk__in=[o.pk for o in obstacles.values()]).update(
        status=STEP_STATUS[step], escalation_level=0
    )
    # A hand-back or reassignment must not take obstacle b away from dept_a.
    Obstacle.objects.filter(pk=obstacles["b"].pk).update(lead_department=targets["dept_a"])


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def scoped_pair(role, objects, kind=None):
    """(an object the role may see or None, an object it must not see or None)."""
    if kind == "visit" and role == Role.ENTERPRISE:
        return None, objects["own"]  # not even its own company's visits
    if role in WHOLE_CITY:
        return objects["b"], None
    if role == Role.LOCALITY:
        return objects["a"], objects["b"]
    if role == Role.ENTERPRISE:
        return objects["own"], objects["a"]
    if role in (Role.DEPARTMENT, Role.CADRE):
        # obstacle b is assigned to the officer's department; the official is paired with b
        return objects["b"], objects["a"]
    return None, objects["a"]  # no role: nothing


def _target_pk(kind, role, people_by_name, users, in_scope: bool, targets):
    if kind == "user":
        username = USER_SCOPE[role][0 if in_scope else 1]
        return None if username is None else people_by_name[username].pk
    if kind == "token":
        owner = users[role] if in_scope else _someone_else(role, users)
        if owner is None:
            return None
        token, _ = issue_token(user=owner, name="matrix")
        return token.pk
    if kind == "notification":
        owner = (
            users[role] if in_scope else users[Role.LEADER if role != Role.LEADER else Role.CADRE]
        )
        return Notification.objects.create(user=owner, kind="test", url="/").pk
    if kind in SCOPED_KINDS:
        seen, hidden = scoped_pair(role, targets["scoped"][kind], kind)
        target = seen if in_scope else hidden
        return None if target is None else target.pk
    if kind in REFERENCE_KINDS:
        return targets[kind].pk if in_scope else None
    if kind in OFFICIAL_KINDS:
        official = role not in (Role.ENTERPRISE, NO_ROLE)
        return targets[kind].pk if in_scope == official else None
    if kind == "import_job":
        owner = (
            users[role]
            if in_scope
            else users[Role.LOCALITY if role != Role.LOCALITY else Role.COORDINATOR]
        )
        return ImportJob.objects.create(
            user=owner,
            kind="enterprises",
            original_name="doanh-nghiep.xlsx",
            language="vi",
            dry_run=False,
            status=ImportJobStatus.DONE,
        ).pk
    raise AssertionError(kind)


def _someone_else(role, users):
    if role == Role.COORDINATOR:
        return None  # coordinators may revoke anybody's token
    return users[Role.COORDINATOR]


# Valid bodies, so that the status shows the access decision and not a validation error.
POST_DATA = {
    "accounts:token-create": {"name": "matrix"},
    "obstacles:obstacle-comment": {"comment": "Đã làm việc với chủ đầu tư."},
    "projects:report-return": {"comment": "Bổ sung số liệu giải ngân."},
    "projects:project-bulk-reassign": {"task_force": "construction"},
}


def _post_data(name, targets, pk):
    if name == "projects:period-open":
        return {"cycle": targets["cycle"].pk, "starts_on": "2026-12-01"}
    if name in ("projects:attachment-upload", "obstacles:attachment-upload"):
        return {"file": SimpleUploadedFile("anh.pdf", PDF, content_type="application/pdf")}
    if name == "obstacles:problem-group":
        return {"obstacles": targets["scoped"]["obstacle"]["b"].number}
    if name == "obstacles:obstacle-bulk-group":
        return {"ids": [pk], "problem": targets["problem"].pk}
    if name in TARGET_IN_BODY:
        return {**POST_DATA[name], "ids": [pk]}
    return POST_DATA.get(name, {})


def _request(client, method, url, data=None):
    return client.post(url, data or {}) if method == "post" else client.get(url)


def _url(name, kind, pk, targets=None):
    if kind is None or name in TARGET_IN_BODY:
        return reverse(name, kwargs=URL_KWARGS.get(name))
    kwargs = {URL_PK.get(name, "pk"): pk, **URL_KWARGS.get(name, {})}
    if name == "obstacles:problem-ungroup":
        kwargs["obstacle_pk"] = targets["scoped"]["obstacle"]["a"].pk
    return reverse(name, kwargs=kwargs)


def _expected(kind, role, in_scope, allowed, ok_status, name=""):
    if name in TARGET_IN_BODY and role not in allowed:
        return 403  # no object in the URL: a missing action is refused before any lookup
    if not in_scope:
        return 404
    if role == NO_ROLE and kind in REFERENCE_KINDS:
        return 404  # reference data does not exist for an account without a role
    return ok_status if role in allowed else 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*ROLES, NO_ROLE])
def test_pages_follow_access_matrix(client, people, targets, role):
    users, by_name = people
    client.force_login(users[role])
    failures = []
    for name, (method, kind, allowed, ok_status) in PAGES.items():
        for in_scope in (True, False):
            pk = None
            if kind is not None:
                pk = _target_pk(kind, role, by_name, users, in_scope, targets)
                if pk is None:
                    continue
            elif not in_scope:
                continue
            expected = _expected(kind, role, in_scope, allowed, ok_status, name)
            data = _post_data(name, targets, pk) if method == "post" else None
            if name == "obstacles:obstacle-step":
                _set_obstacle_status(targets, URL_KWARGS[name]["action"])
            status = _request(client, method, _url(name, kind, pk, targets), data).status_code
            if status != expected:
                failures.append(
                    f"{name} {'in' if in_scope else 'out of'} scope: {status} != {expected}"
                )
    assert failures == []


@pytest.mark.django_db
def test_pages_redirect_anonymous_to_login(client, targets, world):
    for name, (method, kind, _allowed, _status) in PAGES.items():
        if kind in SCOPED_KINDS:
            pk = targets["scoped"][kind]["a"].pk
        elif kind in REFERENCE_KINDS or kind in OFFICIAL_KINDS:
            pk = targets[kind].pk
        else:
            pk = world["users"][Role.CADRE].pk
        response = _request(client, method, _url(name, kind, pk, targets))
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("login")), name


@pytest.mark.django_db
def test_public_pages_answer_everyone(client):
    for name, expected in PUBLIC.items():
        method = "post" if name in {"set-language", "logout"} else "get"
        assert _request(client, method, reverse(name)).status_code == expected, name


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*ROLES, NO_ROLE])
def test_user_list_search_and_export_never_leak(client, people, role):
    users, _by_name = people
    client.force_login(users[role])
    visible, hidden = USER_SCOPE[role]
    page = client.get(reverse("accounts:user-list")).content.decode()
    assert f">{visible}<" in page
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("accounts:user-list") + "?export=xlsx").getvalue()),
        read_only=True,
    )
    exported = {row[1] for row in workbook.active.iter_rows(min_row=2, values_only=True)}
    assert visible in exported
    if hidden is not None:
        assert f">{hidden}<" not in page
        assert hidden not in exported
        searched = client.get(reverse("accounts:user-list") + f"?q={hidden}").content.decode()
        assert f">{hidden}<" not in searched


def _api(client, method, url, token, payload=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if method == "get":
        return client.get(url, **headers)
    return getattr(client, method)(
        url, data=payload or {}, content_type="application/json", **headers
    )


def _payload(operation, role, world, targets, pk):
    suffix = role.upper().replace("-", "")
    industry = targets["industry"]
    enterprises = targets["scoped"]["enterprise"]
    visible_enterprise = scoped_pair(role, enterprises)[0] or enterprises["a"]
    payloads = {
        "POST /api/v1/users": {
            "username": f"new_{role}",
            "full_name": "Trần Thị Mai",
            "password": "a-long-enough-password-1",
            "roles": [{"role": "cadre"}],
        },
        "POST /api/v1/localities": {
            "code": f"NEW-{suffix}",
            "name": "Phường Mới",
            "kind": "commune",
            "parent_id": world["district_a"].pk,
        },
        "POST /api/v1/departments": {"code": f"S{suffix}", "name": f"Sở Mới {suffix}"},
        "POST /api/v1/industries": {"code": f"I{suffix}", "name": f"Ngành Mới {suffix}"},
        "POST /api/v1/chain-nodes": {
            "industry_id": industry.pk,
            "code": f"N{suffix}",
            "name": "Mắt xích mới",
            "segment": "upstream",
        },
        "POST /api/v1/enterprises": {
            "name": f"Công ty Mới {suffix}",
            "tax_code": valid_tax_code(900 + ROLES.index(role) if role in ROLES else 999),
            "locality_id": world["district_a"].pk,
        },
        "POST /api/v1/projects": {
            "name": f"Nhà máy mới {suffix}",
            "investor_id": targets["scoped"]["enterprise"]["a"].pk,
            "industry_id": industry.pk,
            "locality_id": world["district_a"].pk,
            "planned_investment": "120.5",
        },
        "POST /api/v1/projects/{pk}/transition": {
            "to_stage": "negotiating",
            "effective_date": timezone.localdate().isoformat(),
        },
        "POST /api/v1/reports/{pk}/submit": {
            "narrative": "Đã hoàn thành san lấp mặt bằng.",
            "progress_percent": "12.5",
            "funds_this_period": "3.2",
        },
        "POST /api/v1/reports/{pk}/return": {"comment": "Bổ sung số liệu."},
        "POST /api/v1/projects/{pk}/milestones": {
            "name": "Lắp đặt thiết bị",
            "planned_date": "2027-09-30",
            "planned_progress": "60",
        },
        "PATCH /api/v1/milestones/{pk}": {"name": "Hoàn thành san lấp (điều chỉnh)"},
        "POST /api/v1/obstacles": {
            "title": "Chưa được cấp phép xây dựng",
            "description": "Hồ sơ nộp đã quá hạn giải quyết.",
            "category": "land",
            "project_id": getattr(scoped_pair(role, targets["scoped"]["project"])[0], "pk", None),
        },
        "POST /api/v1/obstacles/{pk}/assign": {
            "lead_department_id": targets["dept_a"].pk,
            "reason": "Cần thêm thời gian làm việc với Bộ.",
            "due_on": (timezone.localdate() + datetime.timedelta(days=20)).isoformat(),
        },
        "POST /api/v1/obstacles/{pk}/due-date": {
            "due_on": (timezone.localdate() + datetime.timedelta(days=45)).isoformat(),
            "reason": "Chờ ý kiến của Bộ.",
        },
        "POST /api/v1/obstacles/{pk}/resolve": {"resolution": "Đã bàn giao mặt bằng."},
        "POST /api/v1/obstacles/{pk}/hand-back": {"reason": "Không thuộc thẩm quyền."},
        "POST /api/v1/obstacles/{pk}/confirm": {"rating": 5},
        "POST /api/v1/obstacles/{pk}/reopen": {"reason": "Vẫn chưa nhận được mặt bằng."},
        "POST /api/v1/obstacles/{pk}/escalate": {"reason": "Quá hạn giải quyết."},
        "POST /api/v1/obstacles/{pk}/comment": {"comment": "Đã làm việc với chủ đầu tư."},
        "POST /api/v1/problems": {"title": f"Vướng mắc chung {suffix}"},
        "PATCH /api/v1/problems/{pk}": {"note": "Đã báo cáo Ban Chỉ đạo."},
        "POST /api/v1/problems/{pk}/group": {
            "obstacle_ids": [targets["scoped"]["obstacle"]["b"].pk]
        },
        "POST /api/v1/problems/{pk}/remove": {"obstacle_id": targets["scoped"]["obstacle"]["a"].pk},
        # An enterprise the role may see (for the others the action is refused before it).
        "POST /api/v1/pairings": {
            # An official in district A, whom both field roles see.
            "official_id": world["others"]["loc_commune_a"].pk,
            "enterprise_id": visible_enterprise.pk,
            "starts_on": timezone.localdate().isoformat(),
            "frequency": "monthly",
        },
        "PATCH /api/v1/pairings/{pk}": {"note": "Ưu tiên hỗ trợ thủ tục đất đai."},
        "POST /api/v1/pairings/{pk}/end": {},
        "POST /api/v1/visits": {
            "enterprise_id": visible_enterprise.pk,
            "visited_on": timezone.localdate().isoformat(),
            "form": "phone",
            "summary": "Trao đổi về tiến độ cấp phép.",
        },
    }
    return payloads.get(operation, {})


_MODELS = {
    "user": User,
    "report": ProgressReport,
    "project": Project,
    "enterprise": Enterprise,
    "milestone": Milestone,
    "obstacle": Obstacle,
    "problem": CommonProblem,
    "pairing": Pairing,
    "visit": Visit,
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*ROLES, NO_ROLE])
def test_api_follows_access_matrix(client, people, targets, world, role):
    users, by_name = people
    _, token = issue_token(user=users[role], name="matrix")
    failures = []
    for path, method, operation in _operations():
        kind, allowed, ok_status = OPERATIONS[operation]
        for in_scope in (True, False):
            pk = None
            url = path
            if kind is not None:
                pk = _target_pk(kind, role, by_name, users, in_scope, targets)
                if pk is None:
                    continue
                url = re.sub(r"\{[a-z_]+\}", str(pk), path)
            elif not in_scope:
                continue
            payload = _payload(operation, role, world, targets, pk)
            if kind == "obstacle" and operation.rsplit("/", 1)[-1] in STEP_STATUS:
                _set_obstacle_status(targets, operation.rsplit("/", 1)[-1])
            if kind is not None and method in ("patch", "post", "delete") and pk is not None:
                model = _MODELS.get(kind) or type(targets.get(kind))
                version = getattr(model.objects.filter(pk=pk).first(), "version", None)
                if version is not None and method == "delete":
                    url = f"{url}?version={version}"
                elif version is not None:
                    payload = {**payload, "version": version}
            if operation == "POST /api/v1/problems/{pk}/remove":
                # The version sent is the obstacle's, which is the row that changes.
                taken_out = Obstacle.objects.get(pk=targets["scoped"]["obstacle"]["a"].pk)
                payload = {**payload, "version": taken_out.version}
            expected = _expected(kind, role, in_scope, allowed, ok_status)
            if kind == "report" and (
                operation.endswith("/accept") or operation.endswith("/return")
            ):
                # Earlier operations of the walk accepted it; only a submitted report is reviewed.
                ProgressReport.objects.filter(pk=pk).update(status=ReportStatus.SUBMITTED)
            response = _api(client, method, url, token, payload)
            if response.status_code != expected:
                failures.append(
                    f"{method.upper()} {url} {'in' if in_scope else 'out of'} scope: "
                    f"{response.status_code} != {expected} {response.content[:200]!r}"
                )
            elif response.status_code >= 400:
                assert set(response.json()["error"]) == {"code", "message", "fields"}, url
    assert failures == []


@pytest.mark.django_db
def test_api_refuses_anonymous_and_bad_tokens(client, targets):
    for path, method, _operation in _operations():
        url = re.sub(r"\{[a-z_]+\}", str(targets["industry"].pk), path)
        for token in (None, "vnc_not-a-real-token"):
            response = _api(client, method, url, token, {})
            assert response.status_code == 401, f"{method} {url}"
            assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*ROLES, NO_ROLE])
def test_api_user_list_never_leaks(client, people, role):
    users, _by_name = people
    _, token = issue_token(user=users[role], name="matrix")
    visible, hidden = USER_SCOPE[role]
    response = _api(client, "get", "/api/v1/users?limit=200", token)
    names = {item["username"] for item in response.json()["items"]}
    assert visible in names
    assert response.json()["count"] == len(names)
    if hidden is not None:
        assert hidden not in names


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*ROLES, NO_ROLE])
def test_enterprise_options_never_leak(client, people, targets, role):
    users, _by_name = people
    client.force_login(users[role])
    seen, hidden = scoped_pair(role, targets["scoped"]["enterprise"])
    response = client.get(reverse("enterprises:enterprise-options"), {"q": "cong ty"})
    names = {option["text"].split(" (")[0] for option in response.json()["results"]}
    expected = (
        {e.name for e in targets["scoped"]["enterprise"].values()}
        if role in WHOLE_CITY
        else ({seen.name} if seen else set())
    )
    assert names == expected
    if hidden is not None:
        assert hidden.name not in names


# Each step of an obstacle's handling: who may open its form when the obstacle is in the state
# the step starts from (the matrix above covers `escalate`; the API matrix POSTs all of them).
STEP_ROLES = {
    "assign": COORDINATOR,
    "due": COORDINATOR,
    "accept": {Role.DEPARTMENT},
    "start": {Role.DEPARTMENT},
    "resolve": {Role.DEPARTMENT},
    "hand_back": {Role.DEPARTMENT},
    "confirm": {Role.ENTERPRISE},
    "reopen": {Role.ENTERPRISE},
    "escalate": ESCALATORS,
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*ROLES, NO_ROLE])
def test_obstacle_steps_follow_access_matrix(client, people, targets, role):
    users, _by_name = people
    client.force_login(users[role])
    seen, hidden = scoped_pair(role, targets["scoped"]["obstacle"])
    failures = []
    for step, allowed in STEP_ROLES.items():
        _set_obstacle_status(targets, step)
        for obstacle, expected in ((seen, 200 if role in allowed else 403), (hidden, 404)):
            if obstacle is None:
                continue
            url = reverse("obstacles:obstacle-step", kwargs={"pk": obstacle.pk, "action": step})
            status = client.get(url).status_code
            if status != expected:
                failures.append(f"{step} {obstacle.title}: {status} != {expected}")
    unknown = reverse(
        "obstacles:obstacle-step", kwargs={"pk": seen.pk if seen else 1, "action": "x"}
    )
    assert client.get(unknown).status_code == 404
    assert failures == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*ROLES, NO_ROLE])
def test_import_pages_follow_each_kinds_action(client, people, role):
    """enterprises → enterprises.import, projects → projects.manage, reports → reports.submit:
    today all three are the field roles'. A job is its owner's alone (404 for anyone else)."""
    users, _by_name = people
    client.force_login(users[role])
    expected = 200 if role in FIELD else 403
    failures = []
    for kind in ("enterprises", "projects", "reports"):
        own = ImportJob.objects.create(
            user=users[role], kind=kind, original_name="a.xlsx", language="vi"
        )
        other = ImportJob.objects.create(
            user=users[Role.COORDINATOR if role != Role.COORDINATOR else Role.LOCALITY],
            kind=kind,
            original_name="b.xlsx",
            language="vi",
        )
        for url, wanted in (
            (reverse("core:import", kwargs={"kind": kind}), expected),
            (reverse("core:import-template", kwargs={"kind": kind}), expected),
            (reverse("core:import-job", kwargs={"pk": own.pk}), expected),
            (reverse("core:import-job", kwargs={"pk": other.pk}), 404),
        ):
            status = client.get(url).status_code
            if status != wanted:
                failures.append(f"{url}: {status} != {wanted}")
    assert client.get(reverse("core:import", kwargs={"kind": "contacts"})).status_code == 404
    assert failures == []


# For each role, the companies whose pairings and visits it may see in lists, exports and the
# API (written from the product rules; visits are officials' records, an enterprise sees none).
PAIRED_SEEN = {
    Role.LEADER: {"Công ty A", "Công ty B", "Công ty Riêng"},
    Role.COORDINATOR: {"Công ty A", "Công ty B", "Công ty Riêng"},
    Role.AUDITOR: {"Công ty A", "Công ty B", "Công ty Riêng"},
    Role.LOCALITY: {"Công ty A"},
    Role.DEPARTMENT: {"Công ty B"},
    Role.CADRE: {"Công ty B"},
    Role.ENTERPRISE: {"Công ty Riêng"},
    NO_ROLE: set(),
}
VISITED_SEEN = {**PAIRED_SEEN, Role.ENTERPRISE: set()}
COMPANIES = {"Công ty A", "Công ty B", "Công ty Riêng"}


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*ROLES, NO_ROLE])
def test_pairing_and_visit_lists_never_leak(client, people, targets, role):
    users, _by_name = people
    client.force_login(users[role])
    _, token = issue_token(user=users[role], name="matrix")
    found = {}
    for kind, page, operation in (
        ("pairing", "enterprises:pairing-list", "/api/v1/pairings?limit=200"),
        ("visit", "enterprises:visit-list", "/api/v1/visits?limit=200"),
    ):
        html = client.get(reverse(page)).content.decode()
        workbook = load_workbook(
            io.BytesIO(client.get(reverse(page) + "?export=xlsx").getvalue()), read_only=True
        )
        cells = {
            value for row in workbook.active.iter_rows(min_row=2, values_only=True) for value in row
        }
        body = _api(client, "get", operation, token).json()
        found[kind] = {
            "page": {name for name in COMPANIES if f">{name}<" in html},
            "export": COMPANIES & cells,
            "api": {item["enterprise_name"] for item in body["items"]},
            "count": body["count"],
        }
    pairings, visits = PAIRED_SEEN[role], VISITED_SEEN[role]
    assert found == {
        "pairing": {"page": pairings, "export": pairings, "api": pairings, "count": len(pairings)},
        "visit": {"page": visits, "export": visits, "api": visits, "count": len(visits)},
    }


# Coverage counts only what the role sees: operating enterprises, paired now, visited this
# quarter (every target visit is dated in the current quarter; none for an enterprise user).
COVERAGE_SEEN = {
    role: {"enterprises": len(names), "paired": len(names), "visited": len(VISITED_SEEN[role])}
    for role, names in PAIRED_SEEN.items()
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*ROLES, NO_ROLE])
def test_coverage_counts_never_leak(client, people, targets, role):
    users, _by_name = people
    _, token = issue_token(user=users[role], name="matrix")
    Visit.objects.update(visited_on=timezone.localdate())
    rows = _api(client, "get", "/api/v1/coverage", token).json()["rows"]
    totals = {key: sum(row[key] for row in rows) for key in ("enterprises", "paired", "visited")}
    assert totals == COVERAGE_SEEN[role]


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(OFFICIALS))
def test_official_options_never_leak(client, people, role):
    """The officials one may pair or name at a visit are the users one may see."""
    users, _by_name = people
    client.force_login(users[role])
    visible, hidden = USER_SCOPE[role]
    found = {}
    for username in filter(None, (visible, hidden)):
        response = client.get(reverse("enterprises:official-options"), {"q": username})
        found[username] = {
            option["text"].split(" (")[-1].rstrip(")") for option in response.json()["results"]
        }
    assert found[visible] >= {visible}
    if hidden is not None:
        assert hidden not in found[hidden]


# For each role, the target obstacles (by key) it may see anywhere: lists, exports, the API and
# every figure (written from the product rules; an enterprise sees only its own company's).
OBSTACLES_SEEN = {
    Role.LEADER: {"a", "b", "own"},
    Role.COORDINATOR: {"a", "b", "own"},
    Role.AUDITOR: {"a", "b", "own"},
    Role.LOCALITY: {"a"},
    Role.DEPARTMENT: {"b"},
    Role.CADRE: {"b"},
    Role.ENTERPRISE: {"own"},
    NO_ROLE: set(),
}
METRICS_ROLES = {Role.LEADER, Role.COORDINATOR, Role.AUDITOR, Role.DEPARTMENT, Role.LOCALITY}


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*ROLES, NO_ROLE])
def test_obstacle_lists_counts_and_exports_never_leak(client, people, targets, role):
    users, _by_name = people
    client.force_login(users[role])
    _, token = issue_token(user=users[role], name="matrix")
    obstacles = targets["scoped"]["obstacle"]
    titles = {obstacle.title: key for key, obstacle in obstacles.items()}
    url = reverse("obstacles:obstacle-list") + "?view=all"
    page = client.get(url)
    html = page.content.decode()
    workbook = load_workbook(
        io.BytesIO(client.get(url + "&export=xlsx").getvalue()), read_only=True
    )
    cells = {
        value for row in workbook.active.iter_rows(min_row=2, values_only=True) for value in row
    }
    body = _api(client, "get", "/api/v1/obstacles?limit=200", token).json()
    found = {
        "page": {key for title, key in titles.items() if f">{title}<" in html},
        "export": {key for title, key in titles.items() if title in cells},
        "api": {titles[item["title"]] for item in body["items"]},
        "api count": body["count"],
        "page count": page.context["paginator"].count if page.status_code == 200 else 0,
    }
    seen = OBSTACLES_SEEN[role]
    assert found == {
        "page": seen,
        "export": seen,
        "api": seen,
        "api count": len(seen),
        "page count": len(seen),
    }
    if role in METRICS_ROLES:
        # Figures count the same obstacles: raised this year, and unresolved by category.
        metrics = _api(client, "get", "/api/v1/obstacle-metrics?by=department", token).json()
        rows = metrics["rows"] if isinstance(metrics, dict) else metrics
        assert sum(row["raised"] for row in rows) == len(seen)
