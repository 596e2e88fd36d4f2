"""The archive, the Generate form, downloads and the API: who may, and bounded queries."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import DispatchPeriodFactory
from tests.projects.test_api import Api
from vanco.accounts.enums import Role
from vanco.reports import services
from vanco.reports.models import Report, ReportKind, ReportStatus

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def period(world):
    return DispatchPeriodFactory(
        starts_on=D(2026, 11, 1), ends_on=D(2026, 11, 30), due_on=D(2026, 12, 5)
    )


@pytest.fixture
def done_report(world, period, settings, tmp_path):
    settings.REPORTS_ROOT = tmp_path
    report = services.request_report(
        actor=world["users"][Role.COORDINATOR],
        kind=ReportKind.BULLETIN,
        language="vi",
        period=period,
    )
    assert services.run_report(report.pk) == ReportStatus.DONE
    report.refresh_from_db()
    return report


def make_reports(world, period, count):
    user = world["users"][Role.COORDINATOR]
    Report.objects.bulk_create(
        Report(kind=ReportKind.BULLETIN, period=period, language="vi", generated_by=user)
        for _ in range(count)
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.LEADER, 200),
        (Role.COORDINATOR, 200),
        (Role.AUDITOR, 200),
        (Role.LOCALITY, 403),
        (Role.DEPARTMENT, 403),
        (Role.CADRE, 403),
        (Role.ENTERPRISE, 403),
    ],
)
def test_archive_open_only_to_bulletin_readers(client, world, done_report, role, status):
    client.force_login(world["users"][role])
    assert client.get(reverse("reports:report-list")).status_code == status
    # A report does not exist for whoever may not read bulletins.
    hidden = 404 if status == 403 else status
    pdf = reverse("reports:report-download", args=[done_report.pk, "pdf"])
    assert client.get(pdf).status_code == hidden
    row = reverse("reports:report-row", args=[done_report.pk])
    assert client.get(row).status_code == hidden


def test_archive_lists_the_report_with_its_downloads(client, world, done_report):
    client.force_login(world["users"][Role.AUDITOR])
    response = client.get(reverse("reports:report-list"), {"kind": "bulletin"})
    html = response.content.decode()
    assert html.count('data-testid="report-row"') == 1
    assert reverse("reports:report-download", args=[done_report.pk, "xlsx"]) in html
    assert 'data-testid="generate"' not in html  # the auditor reads, does not generate


def test_download_sends_the_pdf(client, world, done_report):
    client.force_login(world["users"][Role.LEADER])
    response = client.get(reverse("reports:report-download", args=[done_report.pk, "pdf"]))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"
    assert client.get(f"/reports/{done_report.pk}/exe/").status_code == 404
    assert client.get("/reports/999999/pdf/").status_code == 404


def test_generate_form_queues_a_report(
    client, world, period, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.REPORTS_ROOT = tmp_path
    leader = world["users"][Role.LEADER]
    client.force_login(leader)
    assert client.get(reverse("reports:report-generate")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:report-generate"),
            {"kind": "annual", "year": "2026", "language": "en"},
        )
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.kind, report.year, report.language, report.status, report.generated_by) == (
        "annual",
        2026,
        "en",
        ReportStatus.DONE,
        leader,
    )


def test_generate_form_needs_a_period_for_a_bulletin(client, world):
    client.force_login(world["users"][Role.COORDINATOR])
    response = client.post(
        reverse("reports:report-generate"), {"kind": "bulletin", "language": "vi"}
    )
    assert response.status_code == 400
    assert Report.objects.count() == 0


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.LOCALITY, Role.DEPARTMENT])
def test_generate_form_forbidden_without_the_action(client, world, role):
    client.force_login(world["users"][role])
    assert client.get(reverse("reports:report-generate")).status_code == 403
    assert client.post(reverse("reports:report-generate"), {}).status_code == 403


@pytest.mark.parametrize("count", [3, 30])
def test_archive_queries_are_bounded(client, world, period, count, django_assert_max_num_queries):
    make_reports(world, period, count)
    client.force_login(world["users"][Role.LEADER])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reports:report-list"))
    assert response.status_code == 200


def test_archive_excel_export(client, world, period):
    make_reports(world, period, 2)
    client.force_login(world["users"][Role.LEADER])
    response = client.get(reverse("reports:report-list"), {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


# --- API --------------------------------------------------------------------------------------


def test_api_requests_and_reads_a_report(
    world, period, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.REPORTS_ROOT = tmp_path
    api = Api(world["users"][Role.COORDINATOR])
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/bulletins", {"kind": "bulletin", "language": "zh-hans", "period_id": period.pk}
        )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    body = api.get(f"/api/v1/bulletins/{pk}").json()
    assert (body["status"], body["progress"], body["language"]) == ("done", 100, "zh-hans")
    assert body["pdf_url"] == f"/api/v1/bulletins/{pk}/files/pdf"
    file = api.get(body["pdf_url"])
    assert file.status_code == 200
    assert b"".join(file.streaming_content)[:5] == b"%PDF-"
    listed = api.get("/api/v1/bulletins").json()
    assert [item["id"] for item in listed["items"]] == [pk]


@pytest.mark.parametrize("role", [Role.LOCALITY, Role.DEPARTMENT, Role.CADRE])
def test_api_reports_forbidden_to_others(world, done_report, role):
    api = Api(world["users"][role])
    assert api.get("/api/v1/bulletins").status_code == 403
    assert api.get(f"/api/v1/bulletins/{done_report.pk}").status_code == 404
    assert api.get(f"/api/v1/bulletins/{done_report.pk}/files/pdf").status_code == 404
    response = api.post("/api/v1/bulletins", {"kind": "annual", "language": "vi", "year": 2026})
    assert response.status_code == 403


def test_api_auditor_reads_but_cannot_generate(world, done_report):
    api = Api(world["users"][Role.AUDITOR])
    assert api.get(f"/api/v1/bulletins/{done_report.pk}").status_code == 200
    response = api.post("/api/v1/bulletins", {"kind": "annual", "language": "vi", "year": 2026})
    assert response.status_code == 403


def test_api_rejects_a_bulletin_without_period(world):
    api = Api(world["users"][Role.LEADER])
    response = api.post("/api/v1/bulletins", {"kind": "bulletin", "language": "vi"})
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["period"]


@pytest.mark.parametrize(
    ("language", "blank"), [("vi", "- Chọn một mục -"), ("zh-hans", "- 请选择 -")]
)
def test_generate_form_empty_choice_is_in_the_readers_language(client, world, language, blank):
    leader = world["users"][Role.LEADER]
    leader.language = language
    leader.save()
    client.force_login(leader)

    html = client.get(reverse("reports:report-generate")).content.decode()

    assert blank in html
    assert "Select an option" not in html
