import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.factories import (
    DispatchPeriodFactory,
    EnterpriseFactory,
    ProgressReportFactory,
    ProjectFactory,
)
from vanco.accounts.enums import Role
from vanco.dashboard import figures
from vanco.projects import dispatch
from vanco.projects.enums import Light, Stage
from vanco.reports import content, services
from vanco.reports.models import Report, ReportKind, ReportStatus, ReportTrigger

D = datetime.date
NAME = "Nhà máy Sắc Mắc Lẳng Lặng Vẵng Mỡ Sự Nghiệp"
INVESTOR = "越南新材料有限公司"


@pytest.fixture
def period(world):
    return DispatchPeriodFactory(
        starts_on=D(2026, 11, 1), ends_on=D(2026, 11, 30), due_on=D(2026, 12, 5)
    )


@pytest.fixture
def projects(world, period):
    investor = EnterpriseFactory(locality=world["district_a"], name=INVESTOR)
    signed = ProjectFactory(
        name=NAME,
        investor=investor,
        stage=Stage.SIGNED,
        signing_date=D(2026, 11, 12),
        signed_amount=Decimal("1234.500"),
        light=Light.RED,
        light_reasons=[{"code": "report_missing", "params": {}}],
    )
    other = ProjectFactory(
        investor=EnterpriseFactory(locality=world["district_b"]),
        stage=Stage.SIGNED,
        signing_date=D(2026, 10, 12),
    )
    ProgressReportFactory(project=signed, period=period)
    return signed, other


def pdf_text(report: Report) -> str:
    with report.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_fonts(report: Report) -> set[str]:
    """The families of the fonts embedded in the PDF (subset prefixes "ABCDEF+" dropped)."""
    with report.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    names = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            name = str(font.get_object()["/BaseFont"]).lstrip("/")
            names.add(name.split("+", 1)[-1])
    return names


def generate(user, **kwargs) -> Report:
    report = services.request_report(actor=user, **kwargs)
    assert services.run_report(report.pk) == ReportStatus.DONE, Report.objects.get(
        pk=report.pk
    ).error
    return Report.objects.get(pk=report.pk)


@pytest.mark.django_db
def test_bulletin_pdf_renders_vietnamese_and_chinese_text(
    world, period, projects, settings, tmp_path
):
    settings.REPORTS_ROOT = tmp_path
    leader = world["users"][Role.LEADER]
    report = generate(leader, kind=ReportKind.BULLETIN, language="zh-hans", period=period)
    text = pdf_text(report)
    with translation.override("zh-hans"):
        heading = gettext("Dispatch bulletin")
    # Every letter extracted back: a glyph missing from the fonts comes out as a blank.
    assert NAME in text
    assert INVESTOR in text
    assert heading in text
    # Drawn with real glyphs: the Chinese and the Vietnamese font are both embedded.
    fonts = pdf_fonts(report)
    assert any(name.startswith("NotoSansCJK") for name in fonts), fonts
    assert any(name.startswith("NotoSans-") for name in fonts), fonts
    assert report.progress == 100
    assert report.error == ""
    vi = generate(leader, kind=ReportKind.BULLETIN, language="vi", period=period)
    assert NAME in pdf_text(vi)


@pytest.mark.django_db
def test_bulletin_fails_loudly_without_cjk_font(
    world, period, projects, settings, tmp_path, monkeypatch
):
    settings.REPORTS_ROOT = tmp_path
    settings.VANCO_PDF_FONT_DIRS = ["/usr/share/fonts/truetype/noto"]
    leader = world["users"][Role.LEADER]
    report = services.request_report(
        actor=leader, kind=ReportKind.BULLETIN, language="vi", period=period
    )
    assert services.run_report(report.pk) == ReportStatus.FAILED
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "Noto Sans CJK SC" in report.error
    assert report.pdf.name == ""


@pytest.mark.django_db
def test_bulletin_excel_has_the_summary_figures(world, period, projects, settings, tmp_path):
    settings.REPORTS_ROOT = tmp_path
    leader = world["users"][Role.LEADER]
    report = generate(leader, kind=ReportKind.BULLETIN, language="en", period=period)
    with report.xlsx.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()), read_only=True)
    sheet = workbook.worksheets[0]
    values = [tuple(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
    with translation.override("en"):
        expected = [
            (content.summary_label(key), value)
            for key, value in content.bulletin_summary(leader, period).items()
        ]
    assert values == [(label, float(v) if isinstance(v, Decimal) else v) for label, v in expected]
    signed = workbook.worksheets[1]
    rows = list(signed.iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in rows] == [NAME]


@pytest.mark.django_db
def test_bulletin_summary_equals_dashboard_figures(world, period, projects):
    leader = world["users"][Role.LEADER]
    filters = figures.Filters(period.starts_on, period.ends_on, None, None)
    expected = figures.summary(leader, filters, today=period.ends_on)
    assert content.bulletin_summary(leader, period) == expected
    assert expected["signed_count"] == 1


@pytest.mark.django_db
def test_bulletin_only_lists_what_the_requester_sees(world, period, projects):
    leader = world["users"][Role.LEADER]
    document = content.bulletin(leader, period)
    assert [row[1] for row in document.section("signed").rows] == [NAME]
    assert [row[1] for row in document.section("red").rows] == [NAME]
    assert [row[1] for row in document.section("missing").rows] == [NAME]
    outsider = content.bulletin(world["others"]["loc_b"], period)
    assert outsider.section("signed").rows == []
    assert outsider.section("red").rows == []
    assert outsider.section("missing").rows == []


@pytest.mark.django_db
def test_annual_report_counts_the_year_by_locality(world, projects, settings, tmp_path):
    settings.REPORTS_ROOT = tmp_path
    coordinator = world["users"][Role.COORDINATOR]
    report = generate(coordinator, kind=ReportKind.ANNUAL, language="vi", year=2026)
    document = content.annual(coordinator, 2026)
    # Each district with its whole subtree, in the tree's order.
    assert document.section("by_locality").rows == [
        ["Quận Ánh Dương", 1, Decimal("1234.5"), 0, 0],
        ["Huyện Bình Sơn", 1, Decimal("0"), 0, 0],
    ]
    assert "Quận Ánh Dương" in pdf_text(report)


@pytest.mark.django_db
def test_request_report_needs_the_generate_action(world, period):
    from django.core.exceptions import PermissionDenied

    for role in (Role.AUDITOR, Role.LOCALITY, Role.DEPARTMENT):
        with pytest.raises(PermissionDenied):
            services.request_report(
                actor=world["users"][role], kind=ReportKind.BULLETIN, language="vi", period=period
            )
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_closing_a_period_queues_its_bulletins(
    world, period, coordinator, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.REPORTS_ROOT = tmp_path
    settings.VANCO_BULLETIN_LANGUAGES = ("vi", "zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        dispatch.close_period(actor=coordinator, period=period, today=D(2026, 12, 10))
    reports = Report.objects.order_by("language")
    assert [(r.language, r.trigger, r.status, r.generated_by) for r in reports] == [
        ("vi", ReportTrigger.PERIOD_CLOSE, ReportStatus.DONE, coordinator),
        ("zh-hans", ReportTrigger.PERIOD_CLOSE, ReportStatus.DONE, coordinator),
    ]


@pytest.mark.django_db
def test_font_check_warns_without_cjk_font(settings):
    from vanco.reports.checks import pdf_fonts_present

    assert pdf_fonts_present(None) == []
    settings.VANCO_PDF_FONT_DIRS = ["/usr/share/fonts/truetype/noto"]
    warnings = pdf_fonts_present(None)
    assert [warning.id for warning in warnings] == ["vanco.W101"]
    assert "Noto Sans CJK SC" in warnings[0].msg


@pytest.mark.django_db
def test_demo_generates_one_bulletin_on_small_data(world, period, projects, settings, tmp_path):
    from tests.factories import user_with_role
    from vanco.demo.reports import generate_reports
    from vanco.projects.enums import PeriodStatus

    settings.REPORTS_ROOT = tmp_path
    user_with_role(Role.COORDINATOR, username="dieuphoi")
    assert generate_reports() == 0  # no closed period yet
    period.status = PeriodStatus.CLOSED
    period.save()
    assert generate_reports(scale="large") == 0
    assert generate_reports() == 1
    report = Report.objects.get()
    assert (report.status, report.period, report.language) == (ReportStatus.DONE, period, "vi")


@pytest.mark.django_db
def test_bulletin_lists_directives_in_force(world, period):
    import zoneinfo

    from tests.meetings.factories import DirectiveFactory
    from vanco.meetings.enums import DirectiveStatus

    tz = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
    issued = datetime.datetime(2026, 10, 20, 9, tzinfo=tz)
    coordinator = world["users"][Role.COORDINATOR]
    DirectiveFactory(
        title="Còn mở, quá hạn", issued_at=issued, issued_by=coordinator, due_on=D(2026, 11, 15)
    )
    DirectiveFactory(
        title="Xong trong kỳ",
        issued_at=issued,
        issued_by=coordinator,
        due_on=D(2026, 11, 20),
        status=DirectiveStatus.DONE,
        done_at=datetime.datetime(2026, 11, 18, 10, tzinfo=tz),
    )
    DirectiveFactory(
        title="Xong kỳ trước",
        issued_at=issued,
        issued_by=coordinator,
        due_on=D(2026, 10, 25),
        status=DirectiveStatus.DONE,
        done_at=datetime.datetime(2026, 10, 24, 10, tzinfo=tz),
    )
    DirectiveFactory(
        title="Ban hành sau kỳ",
        issued_by=coordinator,
        issued_at=datetime.datetime(2026, 12, 2, tzinfo=tz),
    )
    with translation.override("en"):
        rows = content.bulletin(coordinator, period).section("directives").rows
    assert rows == [
        ["Còn mở, quá hạn", "Issued (overdue)", D(2026, 11, 15), None],
        ["Xong trong kỳ", "Done", D(2026, 11, 20), D(2026, 11, 18)],
    ]


@pytest.mark.django_db
def test_annual_report_sets_results_against_targets(world, projects):
    from tests.targets.factories import TargetFactory

    TargetFactory(
        year=2026, locality=world["district_a"], metric="projects_signed", value=Decimal("4")
    )
    coordinator = world["users"][Role.COORDINATOR]
    with translation.override("en"):
        rows = content.annual(coordinator, 2026).section("targets").rows
    assert rows == [
        ["Quận Ánh Dương", "Projects signed", Decimal("4"), Decimal("1"), Decimal("25.00")]
    ]


@pytest.mark.django_db
def test_a_report_left_running_by_a_dead_worker_is_failed_after_an_hour(world, period):
    leader = world["users"][Role.LEADER]
    report = services.request_report(
        actor=leader, kind=ReportKind.BULLETIN, language="vi", period=period
    )
    started = timezone.now() - datetime.timedelta(minutes=61)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, started_at=started)
    fresh = services.request_report(
        actor=leader, kind=ReportKind.BULLETIN, language="vi", period=period
    )
    Report.objects.filter(pk=fresh.pk).update(
        status=ReportStatus.RUNNING, started_at=timezone.now()
    )

    assert services.fail_stale_reports() == 1

    statuses = dict(Report.objects.values_list("pk", "status"))
    assert statuses == {report.pk: ReportStatus.FAILED, fresh.pk: ReportStatus.RUNNING}


@pytest.mark.django_db
def test_a_failed_report_cannot_be_downloaded(world, period, projects, settings, tmp_path, client):
    settings.REPORTS_ROOT = tmp_path
    settings.VANCO_PDF_FONT_DIRS = ["/usr/share/fonts/truetype/noto"]
    leader = world["users"][Role.LEADER]
    report = services.request_report(
        actor=leader, kind=ReportKind.BULLETIN, language="vi", period=period
    )
    assert services.run_report(report.pk) == ReportStatus.FAILED
    client.force_login(leader)

    responses = [
        client.get(reverse("reports:report-download", args=[report.pk, fmt])).status_code
        for fmt in ("pdf", "xlsx")
    ]

    assert responses == [404, 404]
    assert list(tmp_path.rglob("*.*")) == []
