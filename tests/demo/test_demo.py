import datetime
import io
import itertools
import re
from collections import Counter
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Sum
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from vanco.accounts.enums import Role
from vanco.accounts.models import RoleAssignment, User
from vanco.core.audit import SYSTEM_USERNAME
from vanco.core.identifiers import cn_credit_code_is_valid, vn_tax_code_is_valid
from vanco.core.tree import child_path
from vanco.demo import DEMO_PASSWORD, demo_logins
from vanco.demo.people import tax_code_check_digit, vietnamese_username
from vanco.demo.pipeline import DUE_DAYS
from vanco.enterprises.enums import EnterpriseStatus, Ownership
from vanco.enterprises.models import Contact, Enterprise
from vanco.industries.enums import ChainSegment
from vanco.industries.models import ChainNode, Industry, Prospect
from vanco.org.enums import LocalityKind
from vanco.org.models import Department, Locality
from vanco.projects.enums import (
    DISPATCH_STAGES,
    NO_LIGHT_STAGES,
    PIPELINE,
    PeriodStatus,
    ReportStatus,
    Stage,
)
from vanco.projects.models import (
    DispatchPeriod,
    ProgressReport,
    Project,
    ProjectLight,
    ProjectStageChange,
)

TODAY = datetime.date(2026, 11, 15)

EXPECTED_LOGINS = [
    ("lanhdao", "City leader", "Whole city"),
    ("dieuphoi", "Coordinator", "Whole city"),
    ("kiemtra", "Auditor", "Whole city"),
    ("so.khdt", "Department officer", "Sở Kế hoạch và Đầu tư"),
    ("quan1", "Locality officer", "Quận Hồng Hà"),
    ("kcn1", "Locality officer", "Khu công nghiệp Nam Vạn An"),
    ("canbo", "Paired official", "Paired enterprises"),
    ("doanhnghiep", "Enterprise user", "MST 0801234560"),
    ("qiye", "Enterprise user", "MST 0808888883"),
]


def run_demo(*args, **options) -> str:
    out = io.StringIO()
    options.setdefault("today", TODAY)
    call_command("demo", *args, stdout=out, **options)
    return out.getvalue()


def converted_project_ids() -> set[int]:
    """The lead projects made from target investors (through the services, today)."""
    return set(Prospect.objects.exclude(project=None).values_list("project_id", flat=True))


def snapshot() -> list[tuple]:
    """Everything a seed decides, without primary keys (PostgreSQL does not reuse them)."""
    return [
        *Enterprise.objects.order_by("tax_code").values_list(
            "tax_code", "name", "status", "country", "locality__code", "employees", "address"
        ),
        *Contact.objects.order_by("enterprise__tax_code", "name").values_list(
            "enterprise__tax_code", "name", "phone", "email"
        ),
        *Project.objects.order_by("code").values_list(
            "code",
            "name",
            "stage",
            "investor__tax_code",
            "officer__username",
            "planned_investment",
            "funds_in_place",
            "progress_percent",
            "light",
            "light_reasons",
            "start_date",
        ),
        *ProgressReport.objects.order_by("project__code", "period__starts_on").values_list(
            "project__code", "period__label", "status", "progress_percent", "funds_this_period"
        ),
        *Locality.objects.order_by("code").values_list(
            "code", "name", "kind", "parent__code", "depth", "search_text"
        ),
        *Department.objects.order_by("code").values_list("code", "name", "email", "phone"),
        *ChainNode.objects.order_by("industry__code", "code").values_list(
            "industry__code", "code", "name", "segment", "is_key", "parent__code", "depth"
        ),
        *User.objects.order_by("username").values_list(
            "username", "full_name", "title", "email", "phone", "language"
        ),
        *RoleAssignment.objects.order_by(
            "user__username", "role", "locality__code", "department__code"
        ).values_list(
            "user__username", "role", "locality__code", "department__code", "enterprise_tax_code"
        ),
    ]


class _Rollback(Exception):
    pass


def snapshot_of_fresh_demo(**options) -> list[tuple]:
    try:
        with transaction.atomic():
            run_demo(**options)
            taken = snapshot()
            raise _Rollback
    except _Rollback:
        pass
    assert not Locality.objects.exists()
    return taken


@pytest.mark.django_db
def test_demo_same_seed_gives_same_data():
    first = snapshot_of_fresh_demo(seed=7)
    second = snapshot_of_fresh_demo(seed=7)

    assert len(first) == 1897
    assert first == second


@pytest.mark.django_db
def test_demo_other_seed_gives_other_people_same_fixed_logins():
    first = snapshot_of_fresh_demo(seed=1)
    run_demo(seed=2)

    assert snapshot() != first
    with translation.override("en"):
        assert demo_logins() == EXPECTED_LOGINS


@pytest.mark.django_db
def test_demo_small_creates_expected_counts():
    out = run_demo()

    assert Locality.objects.count() == 47
    assert Counter(Locality.objects.values_list("kind", flat=True)) == {
        LocalityKind.CITY: 1,
        LocalityKind.DISTRICT: 3,
        LocalityKind.COUNTY: 4,
        LocalityKind.TOWN: 1,
        LocalityKind.INDUSTRIAL_PARK: 4,
        LocalityKind.COMMUNE: 34,
    }
    assert Department.objects.count() == 19
    assert Industry.objects.count() == 6
    assert ChainNode.objects.count() == 185
    assert User.objects.exclude(username=SYSTEM_USERNAME).count() == 49
    assert "Created in" in out


@pytest.mark.django_db
def test_demo_every_role_has_users():
    run_demo()

    roles = Counter(RoleAssignment.objects.values_list("role", flat=True))
    assert set(roles) == set(Role.values)
    assert roles[Role.LEADER] == 2
    assert roles[Role.COORDINATOR] == 2
    assert roles[Role.AUDITOR] == 1
    assert roles[Role.DEPARTMENT] == Department.objects.count() == 19
    assert roles[Role.LOCALITY] == 12  # one per district, county, town and park
    assert roles[Role.ENTERPRISE] == 3
    cadres_only = RoleAssignment.objects.filter(role=Role.CADRE).exclude(
        user__role_assignments__role=Role.LOCALITY
    )
    assert cadres_only.count() == 10


@pytest.mark.django_db
def test_demo_logins_authenticate_with_demo_password():
    run_demo()
    request = RequestFactory().post("/")

    with translation.override("en"):
        logins = demo_logins()
    assert logins == EXPECTED_LOGINS
    for username, _role, _scope in logins:
        user = authenticate(request, username=username, password=DEMO_PASSWORD)
        assert user is not None and user.username == username
        validate_password(DEMO_PASSWORD, user)


@pytest.mark.django_db
def test_demo_fixed_logins_have_their_scopes():
    run_demo()

    quan1 = RoleAssignment.objects.get(user__username="quan1")
    kcn1 = RoleAssignment.objects.get(user__username="kcn1")
    so_khdt = RoleAssignment.objects.get(user__username="so.khdt")
    assert (quan1.role, quan1.locality.kind) == (Role.LOCALITY, LocalityKind.DISTRICT)
    assert (kcn1.role, kcn1.locality.kind) == (Role.LOCALITY, LocalityKind.INDUSTRIAL_PARK)
    assert (so_khdt.role, so_khdt.department.code) == (Role.DEPARTMENT, "SKHDT")
    assert User.objects.get(username="lanhdao").full_name == "Nguyễn Quốc Trung"
    assert User.objects.get(username="qiye").language == "zh-hans"


@pytest.mark.django_db
def test_demo_tree_paths_match_parents():
    run_demo()

    for model in (Locality, ChainNode):
        rows = {row.pk: row for row in model.objects.all()}
        for row in rows.values():
            parent = rows.get(row.parent_id)
            expected_path = child_path(parent.path if parent else None, row.pk)
            expected_depth = parent.depth + 1 if parent else 0
            assert (row.path, row.depth) == (expected_path, expected_depth), row.code
    city = Locality.objects.get(parent=None)
    assert city.kind == LocalityKind.CITY
    assert Locality.objects.filter(path__startswith=city.path).count() == 47


@pytest.mark.django_db
def test_demo_chains_have_15_to_40_nodes_in_three_segments():
    run_demo(scale="small")

    for industry in Industry.objects.all():
        nodes = ChainNode.objects.filter(industry=industry)
        assert 15 <= nodes.count() <= 40, industry.code
        assert set(nodes.values_list("segment", flat=True)) == set(ChainSegment.values)
        assert nodes.filter(is_key=True).exists()
        assert max(nodes.values_list("depth", flat=True)) == 2
        assert not nodes.exclude(parent=None).exclude(parent__industry=industry).exists()


@pytest.mark.django_db
def test_demo_enterprise_tax_codes_are_valid():
    run_demo(scale="medium")

    codes = list(
        RoleAssignment.objects.filter(role=Role.ENTERPRISE).values_list(
            "enterprise_tax_code", flat=True
        )
    )
    assert len(codes) == 15
    assert [code for code in codes if not vn_tax_code_is_valid(code)] == []


@pytest.mark.django_db
def test_demo_medium_has_three_times_the_people():
    run_demo(scale="medium")

    assert User.objects.exclude(username=SYSTEM_USERNAME).count() == 149
    assert Locality.objects.filter(kind=LocalityKind.COMMUNE).count() == 112


@pytest.mark.django_db
def test_demo_audit_entry_by_system_for_every_created_row():
    run_demo()

    system = User.objects.get(username=SYSTEM_USERNAME)
    models = (Locality, Department, Industry, ChainNode, User, RoleAssignment)
    for model in models:
        logged = LogEntry.objects.get_for_objects(model.objects.all())
        created = logged.filter(action=LogEntry.Action.CREATE, actor=system)
        rows = model.objects.exclude(username=SYSTEM_USERNAME) if model is User else model.objects
        expected = set(rows.values_list("pk", flat=True))
        assert set(created.values_list("object_id", flat=True)) == expected, model
    entry = LogEntry.objects.get(
        content_type__model="locality", object_pk=str(Locality.objects.get(code="HH").pk)
    )
    assert entry.object_repr == "Quận Hồng Hà"
    assert entry.changes["code"] == [None, "HH"]
    assert "path" not in entry.changes  # derived from the parent: not a change anyone made


@pytest.mark.django_db
def test_demo_search_text_is_folded():
    run_demo()

    assert Locality.objects.get(code="HH").search_text == "hh quan hong ha"
    assert (
        Department.objects.get(code="SKHDT").search_text == "skhdt so ke hoach va dau tu so kh&dt"
    )
    assert User.objects.get(username="lanhdao").search_text.startswith("lanhdao nguyen quoc trung")


@pytest.mark.django_db
def test_demo_if_empty_on_populated_database_creates_nothing():
    run_demo()
    before = snapshot()
    entries = LogEntry.objects.count()

    out = run_demo(if_empty=True)

    assert snapshot() == before
    assert LogEntry.objects.count() == entries
    assert "nothing created" in out
    assert "doanhnghiep" in out and DEMO_PASSWORD in out


@pytest.mark.django_db
def test_demo_refuses_populated_database_without_if_empty():
    run_demo()
    users = User.objects.count()

    with pytest.raises(CommandError, match="fresh"):
        run_demo(seed=2)

    assert User.objects.count() == users


@pytest.mark.django_db
def test_demo_refuses_when_demo_username_is_taken():
    User.objects.create_user(username="lanhdao", full_name="Someone Else", password=None)

    with pytest.raises(CommandError, match="lanhdao"):
        run_demo()

    assert not Locality.objects.exists()


def test_vietnamese_username_uses_given_name_and_initials():
    assert vietnamese_username("Nguyễn Văn Hùng") == "hungnv"
    assert vietnamese_username("Trần Thị Thu Hà") == "hattt"
    assert vietnamese_username("Đặng Đức Đạt") == "datdd"


def test_tax_code_check_digit_matches_validator():
    assert tax_code_check_digit("010010910") == 6
    assert vn_tax_code_is_valid("0100109106")
    assert tax_code_check_digit("080123456") == 0
    assert tax_code_check_digit("000000000") is None  # 10 - 0 % 11 == 10: no digit fits


# --- Enterprises, projects, dispatch and lights ------------------------------------------------


def stage_on(changes: list[ProjectStageChange], day: datetime.date) -> str:
    """A project's stage at the end of `day`, from its stage changes (a project starts a lead)."""
    stage = Stage.LEAD
    for change in sorted(changes, key=lambda c: c.effective_date):
        if change.effective_date <= day:
            stage = change.to_stage
    return stage


def changes_by_project() -> dict[int, list[ProjectStageChange]]:
    by_project: dict[int, list[ProjectStageChange]] = {}
    for change in ProjectStageChange.objects.all():
        by_project.setdefault(change.project_id, []).append(change)
    return by_project


@pytest.mark.django_db
def test_demo_small_creates_registry_and_pipeline_counts():
    run_demo()

    # 200 registered, and 6 registered when target investors became lead projects.
    assert Enterprise.objects.count() == 206
    # 80 in the pipeline and 6 leads converted from target investors.
    assert Project.objects.count() == 86
    assert DispatchPeriod.objects.count() == 37
    assert ProgressReport.objects.count() == 1178
    statuses = Counter(Enterprise.objects.values_list("status", flat=True))
    assert statuses[EnterpriseStatus.OPERATING] > statuses[EnterpriseStatus.PROSPECT] > 0
    assert 0 < statuses[EnterpriseStatus.CLOSED] < 10
    countries = set(Enterprise.objects.values_list("country", flat=True))
    assert countries == {"VN", "CN", "KR", "JP", "TW"}
    assert not Enterprise.objects.filter(ownership=Ownership.DOMESTIC).exclude(country="VN")


@pytest.mark.django_db
def test_demo_enterprise_tax_codes_unique_and_valid():
    run_demo()

    codes = list(Enterprise.objects.values_list("tax_code", flat=True))
    assert len(codes) == len(set(codes)) == 206
    bad = [c for c in codes if not (vn_tax_code_is_valid(c) or cn_credit_code_is_valid(c))]
    assert bad == []
    assert not Contact.objects.exclude(email__endswith=".example").exists()


@pytest.mark.django_db
def test_demo_enterprise_logins_match_enterprises():
    run_demo()

    for username, tax_code in (("doanhnghiep", "0801234560"), ("qiye", "0808888883")):
        user = User.objects.get(username=username)
        enterprise = Enterprise.objects.get(tax_code=tax_code)
        assert user.title.endswith(enterprise.name)
        assert enterprise.status == EnterpriseStatus.OPERATING
        assert enterprise.projects.exists()
    assert Enterprise.objects.get(tax_code="0808888883").country == "CN"
    login_codes = set(
        RoleAssignment.objects.filter(role=Role.ENTERPRISE).values_list(
            "enterprise_tax_code", flat=True
        )
    )
    assert (
        set(Enterprise.objects.filter(tax_code__in=login_codes).values_list("tax_code", flat=True))
        == login_codes
    )


@pytest.mark.django_db
def test_demo_projects_in_every_stage_with_codes_and_major_flag():
    run_demo()

    assert set(Project.objects.values_list("stage", flat=True)) == set(Stage.values)
    threshold = Decimal(settings.VANCO_MAJOR_PROJECT_THRESHOLD)
    for project in Project.objects.all():
        assert re.fullmatch(r"DA-20\d\d-\d{5}", project.code), project.code
        assert project.is_major == (project.major_flag or project.planned_investment >= threshold)
        assert project.search_text.startswith(project.code.lower())
        if project.is_major:
            assert project.leader.role_assignments.filter(role=Role.LEADER).exists()
        if project.officer is not None:
            scopes = set(
                project.officer.role_assignments.filter(role=Role.LOCALITY).values_list(
                    "locality_id", flat=True
                )
            )
            assert scopes & {project.locality_id, project.locality.parent_id}, project.code
    leads = Project.objects.filter(stage__in=[Stage.LEAD, Stage.NEGOTIATING])
    assert set(leads.values_list("investor__status", flat=True)) == {EnterpriseStatus.PROSPECT}


@pytest.mark.django_db
def test_demo_project_dates_follow_stages():
    run_demo()
    converted = converted_project_ids()
    by_project = changes_by_project()

    actual = {
        Stage.SIGNED: "signing_date",
        Stage.APPROVED: "approval_date",
        Stage.UNDER_CONSTRUCTION: "start_date",
        Stage.COMPLETED: "completion_date",
        Stage.IN_OPERATION: "operation_date",
    }
    for project in Project.objects.all():
        planned = [
            project.planned_signing_date,
            project.planned_start_date,
            project.planned_completion_date,
            project.planned_operation_date,
        ]
        if project.pk in converted:
            # A lead just converted from a target investor has no plan yet.
            assert (project.stage, planned) == (Stage.LEAD, [None] * 4), project.code
        else:
            assert planned == sorted(planned) and len(set(planned)) == 4, project.code
        changes = by_project.get(project.pk, [])
        reached = {c.to_stage: c.effective_date for c in changes}
        path = [c.to_stage for c in sorted(changes, key=lambda c: c.effective_date)]
        expected_path = [s for s in PIPELINE[1:] if s in reached]
        assert path[: len(expected_path)] == expected_path, project.code
        assert stage_on(changes, TODAY) == project.stage, project.code
        for stage, field_name in actual.items():
            assert getattr(project, field_name) == reached.get(stage), (project.code, stage)
        dates = [getattr(project, name) for name in actual.values() if getattr(project, name)]
        assert dates == sorted(dates) and all(d <= TODAY for d in dates), project.code
        if project.signing_date:
            assert project.signed_amount > 0


@pytest.mark.django_db
def test_demo_stage_changes_have_actor_and_reason():
    run_demo()

    coordinators = set(
        RoleAssignment.objects.filter(role=Role.COORDINATOR).values_list("user_id", flat=True)
    )
    for change in ProjectStageChange.objects.select_related("project"):
        assert change.actor_id in {change.project.officer_id} | coordinators
        assert change.reason != ""
        assert change.is_backwards is False


@pytest.mark.django_db
def test_demo_periods_monthly_for_three_years_current_open():
    run_demo()

    periods = list(DispatchPeriod.objects.order_by("starts_on"))
    assert periods[0].starts_on == datetime.date(2023, 11, 1)
    assert periods[-1].starts_on == datetime.date(2026, 11, 1)
    assert [p.status for p in periods] == [PeriodStatus.CLOSED] * 36 + [PeriodStatus.OPEN]
    for period in periods:
        assert period.due_on == period.ends_on + datetime.timedelta(days=DUE_DAYS)
    for before, after in itertools.pairwise(periods):
        assert after.starts_on == before.ends_on + datetime.timedelta(days=1)


@pytest.mark.django_db
def test_demo_reports_exactly_for_dispatch_stage_projects_and_periods():
    run_demo()
    by_project = changes_by_project()
    periods = list(DispatchPeriod.objects.all())

    expected = set()
    for project in Project.objects.all():
        for period in periods:
            day = min(period.ends_on, TODAY)
            if stage_on(by_project.get(project.pk, []), day) in DISPATCH_STAGES:
                expected.add((project.pk, period.pk))
    actual = set(ProgressReport.objects.values_list("project_id", "period_id"))
    assert actual == expected


@pytest.mark.django_db
def test_demo_funds_in_place_is_the_sum_of_reports():
    run_demo()

    sums = dict(
        ProgressReport.objects.values("project_id")
        .annotate(total=Sum("funds_this_period"))
        .values_list("project_id", "total")
    )
    for project in Project.objects.all():
        assert project.funds_in_place == sums.get(project.pk, Decimal("0")), project.code
        if project.signed_amount:
            assert project.funds_in_place <= project.signed_amount
    assert not ProgressReport.objects.filter(
        status=ReportStatus.DUE, funds_this_period__gt=0
    ).exists()


@pytest.mark.django_db
def test_demo_report_progress_never_falls_and_matches_project():
    run_demo()

    last: dict[int, Decimal] = {}
    reports = ProgressReport.objects.exclude(status=ReportStatus.DUE).order_by(
        "project_id", "period__starts_on"
    )
    for report in reports:
        assert report.progress_percent >= last.get(report.project_id, Decimal("0"))
        assert report.narrative != ""
        last[report.project_id] = report.progress_percent
    for project in Project.objects.filter(pk__in=last):
        assert project.progress_percent == last[project.pk], project.code


@pytest.mark.django_db
def test_demo_report_statuses_by_period():
    run_demo()

    current = DispatchPeriod.objects.get(status=PeriodStatus.OPEN)
    now = Counter(current.reports.values_list("status", flat=True))
    assert set(now) == {ReportStatus.SUBMITTED, ReportStatus.DUE}
    past = Counter(ProgressReport.objects.exclude(period=current).values_list("status", flat=True))
    assert set(past) == {ReportStatus.ACCEPTED, ReportStatus.RETURNED, ReportStatus.DUE}
    assert past[ReportStatus.ACCEPTED] > 0.9 * sum(past.values())
    assert not ProgressReport.objects.filter(
        status=ReportStatus.ACCEPTED, reviewed_by=None
    ).exists()
    # A couple of projects missed the last two closed periods in a row.
    last_two = DispatchPeriod.objects.filter(status=PeriodStatus.CLOSED)[:2]
    missing = Counter(
        ProgressReport.objects.filter(period__in=last_two, status=ReportStatus.DUE).values_list(
            "project_id", flat=True
        )
    )
    assert sum(1 for count in missing.values() if count == 2) >= 2


@pytest.mark.django_db
def test_demo_lights_for_latest_closed_period_with_reasons():
    run_demo()
    converted = converted_project_ids()

    latest = DispatchPeriod.objects.filter(status=PeriodStatus.CLOSED).first()
    assert set(ProjectLight.objects.values_list("period_id", flat=True)) == {latest.pk}
    lights = {light.project_id: light for light in ProjectLight.objects.all()}
    assert len(lights) == 59
    for project in Project.objects.all():
        if project.stage in NO_LIGHT_STAGES:
            assert (project.light, project.light_reasons) == ("", []), project.code
        elif project.pk in lights:
            stored = lights[project.pk]
            assert (project.light, project.light_reasons) == (stored.light, stored.reasons)
        elif project.pk in converted:
            # Converted from a target investor today: lit at its first dispatch period.
            assert (project.light, project.light_reasons) == ("", []), project.code
        else:  # newer than the latest closed period
            assert (project.light, project.light_reasons) == ("green", []), project.code
        for reason in project.light_reasons:
            assert set(reason) == {"code", "params"} and isinstance(reason["params"], dict)
    colours = Counter(light.light for light in lights.values())
    assert set(colours) == {"green", "yellow", "red"}
    codes = {reason["code"] for light in lights.values() for reason in light.reasons}
    assert {"behind_pace", "reports_missing_in_a_row", "idle_lead"} <= codes


@pytest.mark.django_db
def test_demo_audit_entries_for_pipeline_rows():
    run_demo()

    system = User.objects.get(username=SYSTEM_USERNAME)
    # Leads converted from target investors went through the services as the coordinator.
    converted = Project.objects.filter(pk__in=converted_project_ids())
    through_services = {
        Enterprise: set(converted.values_list("investor_id", flat=True)),
        Project: set(converted.values_list("pk", flat=True)),
        ProjectStageChange: set(
            ProjectStageChange.objects.filter(project__in=converted).values_list("pk", flat=True)
        ),
    }
    coordinator = User.objects.get(username="dieuphoi")
    for model in (Enterprise, Contact, Project, ProjectStageChange, ProjectLight, DispatchPeriod):
        logged = LogEntry.objects.get_for_objects(model.objects.all()).filter(
            action=LogEntry.Action.CREATE, actor=system
        )
        by_service = through_services.get(model, set())
        expected = set(model.objects.values_list("pk", flat=True)) - by_service
        assert set(logged.values_list("object_id", flat=True)) == expected, model
        by_coordinator = LogEntry.objects.get_for_objects(
            model.objects.filter(pk__in=by_service)
        ).filter(action=LogEntry.Action.CREATE, actor=coordinator)
        assert set(by_coordinator.values_list("object_id", flat=True)) == by_service, model
    project = Project.objects.get(code=Project.objects.order_by("code").first().code)
    entry = LogEntry.objects.get(content_type__model="project", object_id=project.pk)
    assert entry.changes["code"] == [None, project.code]
    # The reports: one entry per project, on its first report, naming the count.
    reports = ProgressReport.objects.values("project_id").annotate(count=Count("pk"))
    summaries = LogEntry.objects.filter(content_type__model="progressreport", actor=system)
    assert summaries.count() == reports.count()
    counts = {row["project_id"]: row["count"] for row in reports}
    codes = dict(Project.objects.values_list("code", "pk"))
    for summary in summaries:
        code = summary.changes["project"][1]
        assert summary.changes["reports"][1] == counts[codes[code]]
        first, last = summary.additional_data["first_pk"], summary.additional_data["last_pk"]
        in_range = ProgressReport.objects.filter(pk__gte=first, pk__lte=last)
        assert set(in_range.values_list("project__code", flat=True)) == {code}


@pytest.mark.django_db
@pytest.mark.parametrize("scale", ["small", "medium"])
def test_demo_fixed_locality_logins_land_on_reports_due(client, scale):
    from vanco.demo.pipeline import HOME_DUE
    from vanco.projects.dispatch import reports_due_for

    run_demo(scale=scale)

    current = DispatchPeriod.objects.get(status=PeriodStatus.OPEN)
    for username in ("quan1", "kcn1"):
        user = User.objects.get(username=username)
        due = list(reports_due_for(user, today=TODAY))
        # Only the current period is open and it is not yet past its due date: nothing can be
        # overdue in a fresh demo, but every fixed officer has reports to write.
        assert {(report.period_id, report.status) for report in due} == {
            (current.pk, ReportStatus.DUE)
        }, username
        assert min(len(due), HOME_DUE) == HOME_DUE, username
        client.force_login(user)
        page = client.get(reverse("projects:my-reports"))
        assert page.status_code == 200
        assert page.context["paginator"].count == len(due), username
