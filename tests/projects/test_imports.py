"""Excel import and export of projects and progress reports, through the generic engine."""

import datetime
import io
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from tests.enterprises.factories import read_xlsx, xlsx_file
from tests.factories import (
    DispatchPeriodFactory,
    EnterpriseFactory,
    IndustryFactory,
    ProgressReportFactory,
    ProjectFactory,
)
from vanco.accounts.enums import Role
from vanco.accounts.models import User
from vanco.core import imports
from vanco.core.imports import run_import
from vanco.projects import dispatch
from vanco.projects.enums import PeriodStatus, ReportStatus, Stage
from vanco.projects.imports import import_reports
from vanco.projects.models import ProgressReport, Project, ProjectLight

HEADER = ["Project code", "Name", "Investor tax code", "Leading industry code", "Locality code"]
HEADER_FULL = [*HEADER, "Planned total investment"]


@pytest.fixture(autouse=True)
def _english_messages(request):
    with translation.override("en"):
        if "world" in request.fixturenames:
            request.getfixturevalue("world")
            User.objects.update(language="en")
        yield


@pytest.fixture
def setup(world):
    investor = EnterpriseFactory(tax_code="0100109106", locality=world["district_a"])
    industry = IndustryFactory(code="DT")
    return {"investor": investor, "industry": industry}


def coordinator(world):
    return world["users"][Role.COORDINATOR]


def year_code(number: int) -> str:
    return f"DA-{timezone.localdate().year}-{number:05d}"


def test_import_projects_creates_with_generated_codes(world, setup):
    source = xlsx_file(
        [
            HEADER_FULL,
            ["", "Nhà máy A", "0100109106", "dt", "DA", 100],
            ["", "Nhà máy B", "0100109106", "DT", "DB-1", "9000.5"],
        ]
    )
    result = run_import("projects", source, user=coordinator(world))
    assert result.error_lines() == []
    assert (result.created, result.updated) == (2, 0)
    rows = list(
        Project.objects.order_by("code").values_list(
            "code", "name", "stage", "locality__code", "planned_investment", "version"
        )
    )
    assert rows == [
        (year_code(1), "Nhà máy A", Stage.LEAD, "DA", Decimal("100.000"), 1),
        (year_code(2), "Nhà máy B", Stage.LEAD, "DB-1", Decimal("9000.500"), 1),
    ]
    assert list(Project.objects.order_by("code").values_list("is_major", flat=True)) == [
        False,
        True,
    ]
    assert Project.objects.filter(last_activity_at__isnull=True).count() == 0
    assert (
        LogEntry.objects.filter(
            content_type__model="project", action=LogEntry.Action.CREATE, actor=coordinator(world)
        ).count()
        == 2
    )


def test_import_projects_continues_the_year_sequence(world, setup):
    ProjectFactory(code=year_code(41), investor=setup["investor"], industry=setup["industry"])
    source = xlsx_file([HEADER_FULL, ["", "Nhà máy C", "0100109106", "DT", "DA", 10]])
    result = run_import("projects", source, user=coordinator(world))
    assert result.error_lines() == []
    assert Project.objects.filter(name="Nhà máy C").get().code == year_code(42)


def test_import_projects_updates_by_code(world, setup):
    project = ProjectFactory(
        code="DA-2026-00007",
        name="Cũ",
        investor=setup["investor"],
        industry=setup["industry"],
        locality=world["district_a"],
        stage=Stage.SIGNED,
        version=3,
    )
    source = xlsx_file([HEADER_FULL, ["da-2026-00007", "Mới", "0100109106", "DT", "DA-1", "20000"]])
    result = run_import("projects", source, user=world["users"][Role.LOCALITY])
    assert result.error_lines() == []
    assert (result.created, result.updated) == (0, 1)
    project.refresh_from_db()
    assert (
        project.name,
        project.locality,
        project.planned_investment,
        project.stage,
        project.is_major,
        project.version,
    ) == ("Mới", world["commune_a"], Decimal("20000.000"), Stage.SIGNED, True, 4)
    entry = LogEntry.objects.get(content_type__model="project", action=LogEntry.Action.UPDATE)
    assert entry.changes["name"] == ["Cũ", "Mới"]


def test_import_projects_unknown_code_is_an_error(world, setup):
    source = xlsx_file([HEADER_FULL, ["DA-2026-09999", "X", "0100109106", "DT", "DA", 1]])
    result = run_import("projects", source, user=coordinator(world))
    assert result.error_lines() == [
        "row 2, column Project code: no project has the code “DA-2026-09999”. Leave the code "
        "empty to register a new project: its code is given automatically."
    ]
    assert Project.objects.count() == 0


def test_import_projects_out_of_scope_row_is_an_error(world, setup):
    ProjectFactory(
        code="DA-2026-00003",
        name="Nhà máy huyện B",
        investor=setup["investor"],
        industry=setup["industry"],
        locality=world["district_b"],
    )
    source = xlsx_file(
        [
            HEADER_FULL,
            ["", "Nhà máy trong quận", "0100109106", "DT", "DA", 1],
            ["DA-2026-00003", "Đổi tên", "0100109106", "DT", "DB", 1],
        ]
    )
    result = run_import("projects", source, user=world["users"][Role.LOCALITY])
    assert result.error_lines() == [
        "row 3, column Project code: this project is outside the area you are responsible "
        "for; it cannot be changed from here."
    ]
    assert list(Project.objects.values_list("code", "name")) == [
        ("DA-2026-00003", "Nhà máy huyện B")
    ]


def test_import_projects_new_row_outside_own_area_is_an_error(world, setup):
    source = xlsx_file([HEADER_FULL, ["", "Nhà máy", "0100109106", "DT", "DB", 1]])
    result = run_import("projects", source, user=world["users"][Role.LOCALITY])
    assert len(result.errors) == 1
    assert (result.errors[0].row, result.errors[0].column) == (2, "Locality code")
    assert Project.objects.count() == 0


def test_import_projects_bad_last_row_of_1000_writes_nothing(world, setup):
    rows = [HEADER_FULL] + [["", f"Nhà máy {n}", "0100109106", "DT", "DA", n] for n in range(999)]
    rows.append(["", "Nhà máy hỏng", "0100109106", "DT", "DA", -5])
    result = run_import("projects", xlsx_file(rows), user=coordinator(world))
    assert result.rows == 1000
    assert [(e.row, e.column) for e in result.errors] == [(1001, "Planned total investment")]
    assert Project.objects.count() == 0
    assert LogEntry.objects.filter(content_type__model="project").count() == 0


def test_import_projects_stage_column_is_ignored(world, setup):
    project = ProjectFactory(
        code="DA-2026-00001",
        name="Giữ",
        investor=setup["investor"],
        industry=setup["industry"],
        locality=world["district_a"],
        stage=Stage.NEGOTIATING,
    )
    source = xlsx_file(
        [
            [*HEADER_FULL, "Stage (read only: change it with a stage transition)"],
            ["DA-2026-00001", "Giữ", "0100109106", "DT", "DA", 250, "In operation"],
        ]
    )
    result = run_import("projects", source, user=coordinator(world))
    assert (result.error_lines(), result.unchanged) == ([], 1)
    project.refresh_from_db()
    assert (project.stage, project.version) == (Stage.NEGOTIATING, 1)


def test_export_projects_reimports_unchanged(world, setup):
    leader = world["users"][Role.LEADER]
    officer = world["users"][Role.LOCALITY]
    ProjectFactory(
        code="DA-2026-00001",
        investor=setup["investor"],
        industry=setup["industry"],
        locality=world["commune_a"],
        leader=leader,
        officer=officer,
        planned_investment=Decimal("1234.567"),
        signed_amount=Decimal("99.5"),
        latitude=Decimal("21.027764"),
        longitude=Decimal("105.834160"),
        land_area=Decimal("12.50"),
        jobs_planned=300,
        major_flag=True,
        notes="=không phải công thức",
        planned_start_date="2026-03-01",
        planned_completion_date="2027-03-01",
    )
    ProjectFactory(
        code="DA-2026-00002",
        investor=setup["investor"],
        industry=setup["industry"],
        locality=world["district_b"],
    )
    handle = io.BytesIO()
    count = imports.write_export("projects", handle, user=coordinator(world))
    assert count == 2
    rows = read_xlsx(handle.getvalue())
    assert [row[0] for row in rows[1:]] == ["DA-2026-00001", "DA-2026-00002"]
    handle.seek(0)
    handle.name = "projects.xlsx"
    before = list(Project.objects.order_by("pk").values())
    result = run_import("projects", handle, user=coordinator(world))
    assert result.error_lines() == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert list(Project.objects.order_by("pk").values()) == before


def test_import_command_projects_exits_non_zero_with_errors(world, setup, tmp_path, capsys):
    path = tmp_path / "projects.xlsx"
    path.write_bytes(
        xlsx_file([HEADER_FULL, ["DA-2026-00404", "X", "0100109106", "DT", "DA", 1]]).getvalue()
    )
    with pytest.raises(CommandError) as raised:
        call_command("import", "projects", str(path), "--as", "coordinator")
    assert raised.value.returncode == 1
    assert str(raised.value) == (
        "1 rows: 0 to create, 0 to update, 0 unchanged, 1 errors. Nothing was written."
    )
    assert capsys.readouterr().err.splitlines() == [
        "row 2, column Project code: no project has the code “DA-2026-00404”. Leave the code "
        "empty to register a new project: its code is given automatically."
    ]
    assert Project.objects.count() == 0


# --- progress reports -------------------------------------------------------------------------

REPORT_HEADER = [
    "Project code",
    "Period",
    "Physical progress (%)",
    "Funds in place this period",
    "Jobs created this period",
    "Progress this period",
]
D = datetime.date


@pytest.fixture
def period(world):
    return DispatchPeriodFactory(
        starts_on=D(2026, 11, 1), ends_on=D(2026, 11, 30), due_on=D(2026, 12, 5)
    )


def dispatch_project(world, code, locality=None, **kwargs):
    locality = locality or world["district_a"]
    return ProjectFactory(
        code=code,
        locality=locality,
        investor__locality=locality,
        stage=Stage.UNDER_CONSTRUCTION,
        **kwargs,
    )


def test_import_reports_submits_and_recomputes_funds_in_place(world, period):
    officer = world["users"][Role.LOCALITY]
    project = dispatch_project(world, "DA-2026-00001")
    earlier = DispatchPeriodFactory(
        cycle=period.cycle,
        label="10/2026",
        starts_on=D(2026, 10, 1),
        ends_on=D(2026, 10, 31),
        due_on=D(2026, 11, 5),
    )
    ProgressReportFactory(
        project=project,
        period=earlier,
        status=ReportStatus.ACCEPTED,
        progress_percent=Decimal("20"),
        funds_this_period=Decimal("7.5"),
    )
    report = ProgressReportFactory(project=project, period=period)
    source = xlsx_file([REPORT_HEADER, ["da-2026-00001", "11/2026", 40, "12.5", 30, "Đã đổ móng"]])
    result = import_reports(source, user=officer, today=D(2026, 11, 20))
    assert result.error_lines() == []
    assert (result.updated, result.unchanged) == (1, 0)
    report.refresh_from_db()
    project.refresh_from_db()
    assert (
        report.status,
        report.submitted_by,
        report.version,
        report.progress_percent,
        report.funds_this_period,
        report.jobs_created,
        report.narrative,
    ) == (
        ReportStatus.SUBMITTED,
        officer,
        2,
        Decimal("40.00"),
        Decimal("12.500"),
        30,
        "Đã đổ móng",
    )
    assert (project.funds_in_place, project.progress_percent) == (
        Decimal("20.000"),
        Decimal("40.00"),
    )
    assert project.last_activity_at is not None
    assert ProjectLight.objects.filter(project=project, period=period).count() == 1
    entry = LogEntry.objects.get(
        content_type__model="progressreport", action=LogEntry.Action.UPDATE, actor=officer
    )
    assert entry.changes["funds_this_period"] == ["0.000", "12.5"]


def test_import_reports_gives_the_same_light_as_the_web(world, period):
    """Two identical projects: one reported on the web, one imported; same figures, light."""
    officer = world["users"][Role.LOCALITY]
    plan = {"planned_start_date": D(2026, 1, 1), "planned_completion_date": D(2026, 12, 31)}
    web = dispatch_project(world, "DA-2026-00001", **plan)
    imported = dispatch_project(world, "DA-2026-00002", **plan)
    web_report = ProgressReportFactory(project=web, period=period)
    ProgressReportFactory(project=imported, period=period)
    dispatch.submit_report(
        actor=officer,
        report=web_report,
        data={
            "progress_percent": "10",
            "funds_this_period": "3",
            "jobs_created": "0",
            "narrative": "",
            "progress_drop_reason": "",
            "milestones": "",
            "next_steps": "",
            "obstacles_text": "",
        },
        expected_version=1,
        today=D(2026, 11, 20),
    )
    source = xlsx_file([REPORT_HEADER, ["DA-2026-00002", D(2026, 11, 1), 10, 3, 0, ""]])
    result = import_reports(source, user=officer, today=D(2026, 11, 20))
    assert result.error_lines() == []
    web.refresh_from_db()
    imported.refresh_from_db()
    fields = ("funds_in_place", "progress_percent", "light", "light_reasons")
    assert [getattr(imported, f) for f in fields] == [getattr(web, f) for f in fields]
    assert web.light != ""


def test_import_reports_refuses_a_closed_period_and_writes_nothing(world, period):
    officer = world["users"][Role.LOCALITY]
    open_one = dispatch_project(world, "DA-2026-00001")
    closed_project = dispatch_project(world, "DA-2026-00002")
    closed = DispatchPeriodFactory(
        cycle=period.cycle,
        label="10/2026",
        starts_on=D(2026, 10, 1),
        ends_on=D(2026, 10, 31),
        due_on=D(2026, 11, 5),
        status=PeriodStatus.CLOSED,
    )
    ProgressReportFactory(project=open_one, period=period)
    ProgressReportFactory(project=closed_project, period=closed)
    source = xlsx_file(
        [
            REPORT_HEADER,
            ["DA-2026-00001", "11/2026", 40, 1, 0, ""],
            ["DA-2026-00002", "10/2026", 40, 1, 0, ""],
        ]
    )
    result = import_reports(source, user=officer, today=D(2026, 11, 20))
    assert result.error_lines() == [
        "row 3, column Period: This period is closed: reports can be submitted only while a "
        "period is open."
    ]
    assert list(ProgressReport.objects.values_list("status", flat=True)) == [
        ReportStatus.DUE,
        ReportStatus.DUE,
    ]


def test_import_reports_refuses_an_accepted_report(world, period):
    project = dispatch_project(world, "DA-2026-00001")
    ProgressReportFactory(
        project=project,
        period=period,
        status=ReportStatus.ACCEPTED,
        progress_percent=Decimal("30"),
    )
    source = xlsx_file([REPORT_HEADER, ["DA-2026-00001", "11/2026", 35, 0, 0, ""]])
    result = import_reports(source, user=coordinator(world), today=D(2026, 11, 20))
    assert result.error_lines() == [
        "row 2: This report has been accepted and can no longer change."
    ]


def test_import_reports_out_of_scope_project_is_an_error(world, period):
    project_b = dispatch_project(world, "DA-2026-00002", locality=world["district_b"])
    ProgressReportFactory(project=project_b, period=period)
    source = xlsx_file([REPORT_HEADER, ["DA-2026-00002", "11/2026", 35, 0, 0, ""]])
    result = import_reports(source, user=world["others"]["loc_commune_a"], today=D(2026, 11, 20))
    assert result.error_lines() == [
        "row 2, column Project code: no project you can see has the code “DA-2026-00002”."
    ]
    assert ProgressReport.objects.get().status == ReportStatus.DUE


def test_import_reports_falling_progress_needs_a_reason(world, period):
    project = dispatch_project(world, "DA-2026-00001")
    earlier = DispatchPeriodFactory(
        cycle=period.cycle,
        label="10/2026",
        starts_on=D(2026, 10, 1),
        ends_on=D(2026, 10, 31),
        due_on=D(2026, 11, 5),
    )
    ProgressReportFactory(
        project=project,
        period=earlier,
        status=ReportStatus.ACCEPTED,
        progress_percent=Decimal("50"),
    )
    ProgressReportFactory(project=project, period=period)
    source = xlsx_file([REPORT_HEADER, ["DA-2026-00001", "11/2026", 45, 0, 0, ""]])
    result = import_reports(source, user=coordinator(world), today=D(2026, 11, 20))
    assert [(e.row, e.column) for e in result.errors] == [(2, "")]
    assert result.errors[0].message == (
        "The progress is lower than in the previous report (50.00 %): explain why."
    )


def test_export_reports_reimports_as_a_no_op(world, period):
    officer = world["users"][Role.LOCALITY]
    submitted = dispatch_project(world, "DA-2026-00001")
    due = dispatch_project(world, "DA-2026-00002")
    report = ProgressReportFactory(project=submitted, period=period)
    ProgressReportFactory(project=due, period=period)
    dispatch.submit_report(
        actor=officer,
        report=report,
        data={
            "progress_percent": "12.25",
            "funds_this_period": "3.125",
            "jobs_created": "4",
            "narrative": "=bắt đầu",
            "progress_drop_reason": "",
            "milestones": "Móng",
            "next_steps": "Khung",
            "obstacles_text": "",
        },
        expected_version=1,
        today=D(2026, 11, 20),
    )
    handle = io.BytesIO()
    assert imports.write_export("reports", handle, user=officer) == 2
    handle.seek(0)
    before = list(ProgressReport.objects.order_by("pk").values())
    logs = LogEntry.objects.count()
    result = import_reports(handle, user=officer, today=D(2026, 11, 20))
    assert result.error_lines() == []
    assert (result.updated, result.unchanged) == (0, 2)
    assert list(ProgressReport.objects.order_by("pk").values()) == before
    assert LogEntry.objects.count() == logs


def test_import_command_reports_submits_through_the_engine(world, period, tmp_path, capsys):
    project = dispatch_project(world, "DA-2026-00001")
    report = ProgressReportFactory(project=project, period=period)
    path = tmp_path / "reports.xlsx"
    path.write_bytes(
        xlsx_file([REPORT_HEADER, ["DA-2026-00001", "11/2026", 10, "2.5", 3, "San nền"]]).getvalue()
    )
    call_command("import", "reports", str(path), "--as", "loc_a")
    report.refresh_from_db()
    project.refresh_from_db()
    assert (report.status, report.progress_percent, report.submitted_by.username) == (
        ReportStatus.SUBMITTED,
        Decimal("10.00"),
        "loc_a",
    )
    assert project.funds_in_place == Decimal("2.500")


def test_export_command_projects_writes_the_visible_projects(world, setup, tmp_path):
    ProjectFactory(
        code="DA-2026-00001",
        investor=setup["investor"],
        industry=setup["industry"],
        locality=world["district_a"],
    )
    ProjectFactory(
        code="DA-2026-00002",
        investor=setup["investor"],
        industry=setup["industry"],
        locality=world["district_b"],
    )
    path = tmp_path / "out.xlsx"
    call_command("export", "projects", str(path), "--as", "loc_a")
    rows = read_xlsx(path.read_bytes())
    assert rows[0][:3] == [
        "Project code",
        "Name",
        "Stage (read only: change it with a stage transition)",
    ]
    assert [row[0] for row in rows[1:]] == ["DA-2026-00001"]


def test_import_reports_bad_last_row_of_1000_writes_nothing(world, period):
    rows = [REPORT_HEADER]
    for n in range(1000):
        project = dispatch_project(world, f"DA-2026-{n + 1:05d}")
        ProgressReportFactory(project=project, period=period)
        rows.append([project.code, "11/2026", 10, 1, 0, ""])
    rows[-1][2] = 101
    importer = imports.get_importer("reports")(coordinator(world))
    result = importer.run(xlsx_file(rows))
    assert result.rows == 1000
    assert [(e.row, e.column) for e in result.errors] == [(1001, "Physical progress (%)")]
    assert ProgressReport.objects.filter(status=ReportStatus.SUBMITTED).count() == 0
    assert (
        LogEntry.objects.filter(
            content_type__model="progressreport", action=LogEntry.Action.UPDATE
        ).count()
        == 0
    )
