"""Dispatch pages: board counts and drill-down, the report form, review, to-do, light rules."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    DispatchCycleFactory,
    DispatchPeriodFactory,
    ProgressReportFactory,
    ProjectFactory,
)
from vanco.accounts.enums import Role
from vanco.projects import dispatch
from vanco.projects.enums import CycleFrequency, ReportStatus, Stage
from vanco.projects.models import DispatchCycle, LightRules, ProgressReport

D = datetime.date


def project_in(locality, **kwargs):
    kwargs.setdefault("stage", Stage.UNDER_CONSTRUCTION)
    return ProjectFactory(locality=locality, investor__locality=locality, **kwargs)


@pytest.fixture
def open_period(world):
    today = timezone.localdate()
    return DispatchPeriodFactory(
        starts_on=today - datetime.timedelta(days=20),
        ends_on=today - datetime.timedelta(days=5),
        due_on=today + datetime.timedelta(days=3),
    )


@pytest.fixture
def late_period(world):
    today = timezone.localdate()
    return DispatchPeriodFactory(
        label="late",
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today - datetime.timedelta(days=31),
        due_on=today - datetime.timedelta(days=25),
    )


def form_data(report, **overrides):
    data = {
        "version": str(report.version),
        "narrative": "Hoàn thành phần móng",
        "progress_percent": "35",
        "progress_drop_reason": "",
        "funds_this_period": "4.5",
        "jobs_created": "12",
        "milestones": "",
        "next_steps": "",
        "obstacles_text": "",
    }
    data.update(overrides)
    return data


def board_cells(response):
    return {row["name"]: dict(row["cells"], total=row["total"]) for row in response.context["rows"]}


def test_board_counts_reports_per_district_by_status(client, world, late_period):
    coordinator = world["users"][Role.COORDINATOR]
    a, b = world["commune_a"], world["district_b"]
    for status in (ReportStatus.DUE, ReportStatus.DUE, ReportStatus.ACCEPTED):
        ProgressReportFactory(project=project_in(a), period=late_period, status=status)
    ProgressReportFactory(
        project=project_in(b),
        period=late_period,
        status=ReportStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    client.force_login(coordinator)
    response = client.get(reverse("projects:period-board", args=[late_period.pk]))
    assert response.status_code == 200
    cells = board_cells(response)
    assert cells["Quận Ánh Dương"] == {
        "total": 3,
        "due": 0,
        "missing": 2,
        "submitted": 0,
        "late": 0,
        "returned": 0,
        "accepted": 1,
    }
    assert cells["Huyện Bình Sơn"]["submitted"] == 1
    assert cells["Huyện Bình Sơn"]["late"] == 1


def test_board_shows_a_locality_officer_only_their_district(client, world, open_period):
    ProgressReportFactory(project=project_in(world["district_a"]), period=open_period)
    ProgressReportFactory(project=project_in(world["district_b"]), period=open_period)
    client.force_login(world["users"][Role.LOCALITY])
    response = client.get(reverse("projects:period-board", args=[open_period.pk]))
    assert list(board_cells(response)) == ["Quận Ánh Dương"]


def test_board_query_count_does_not_grow_with_the_data(
    client, world, open_period, django_assert_max_num_queries
):
    client.force_login(world["users"][Role.COORDINATOR])
    url = reverse("projects:period-board", args=[open_period.pk])
    for size in (2, 20):
        for _ in range(size):
            ProgressReportFactory(project=project_in(world["commune_b"]), period=open_period)
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200


def test_report_list_drill_down_by_locality_and_bucket(client, world, late_period):
    missing = ProgressReportFactory(project=project_in(world["commune_a"]), period=late_period)
    ProgressReportFactory(
        project=project_in(world["commune_a"]), period=late_period, status=ReportStatus.ACCEPTED
    )
    ProgressReportFactory(project=project_in(world["district_b"]), period=late_period)
    client.force_login(world["users"][Role.COORDINATOR])
    response = client.get(
        reverse("projects:report-list"),
        {"period": late_period.pk, "bucket": "missing", "locality": world["district_a"].pk},
    )
    assert [obj.pk for obj, _cells in response.context["rows"]] == [missing.pk]
    export = client.get(
        reverse("projects:report-list"),
        {"period": late_period.pk, "bucket": "missing", "export": "xlsx"},
    )
    assert export.status_code == 200


def test_report_form_shows_previous_progress_and_keeps_input_on_error(client, world, open_period):
    officer = world["users"][Role.LOCALITY]
    project = project_in(world["district_a"])
    earlier = DispatchPeriodFactory(
        cycle=open_period.cycle,
        starts_on=open_period.starts_on - datetime.timedelta(days=40),
        ends_on=open_period.starts_on - datetime.timedelta(days=1),
        due_on=open_period.starts_on,
    )
    ProgressReportFactory(
        project=project,
        period=earlier,
        status=ReportStatus.ACCEPTED,
        progress_percent=Decimal("50"),
    )
    report = ProgressReportFactory(project=project, period=open_period)
    client.force_login(officer)
    url = reverse("projects:report-edit", args=[report.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["previous"].progress_percent == Decimal("50.00")
    refused = client.post(url, form_data(report, narrative="Giữ lại nội dung này"))
    assert refused.status_code == 400
    assert "Giữ lại nội dung này" in refused.content.decode()
    assert list(refused.context["form"].errors) == ["progress_drop_reason"]
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.DUE


def test_report_form_submits_and_redirects(client, world, open_period):
    report = ProgressReportFactory(project=project_in(world["district_a"]), period=open_period)
    client.force_login(world["users"][Role.LOCALITY])
    response = client.post(reverse("projects:report-edit", args=[report.pk]), form_data(report))
    report.refresh_from_db()
    assert (response.status_code, response.url) == (302, report.get_absolute_url())
    assert (report.status, report.progress_percent) == (ReportStatus.SUBMITTED, Decimal("35.00"))


def test_report_form_refuses_a_stale_version(client, world, open_period):
    report = ProgressReportFactory(project=project_in(world["district_a"]), period=open_period)
    client.force_login(world["users"][Role.LOCALITY])
    url = reverse("projects:report-edit", args=[report.pk])
    assert client.post(url, form_data(report)).status_code == 302
    stale = client.post(url, form_data(report, narrative="Lần hai"))
    assert stale.status_code == 400
    assert ProgressReport.objects.get(pk=report.pk).narrative == "Hoàn thành phần móng"


@pytest.mark.parametrize(
    ("who", "expected"),
    [("loc_b", 404), (Role.LEADER, 403), (Role.AUDITOR, 403), (Role.LOCALITY, 200)],
)
def test_report_form_scoping(client, world, open_period, who, expected):
    report = ProgressReportFactory(project=project_in(world["district_a"]), period=open_period)
    user = world["others"][who] if who == "loc_b" else world["users"][who]
    client.force_login(user)
    assert client.get(reverse("projects:report-edit", args=[report.pk])).status_code == expected


def test_coordinator_returns_then_accepts_from_the_detail_page(client, world, open_period):
    report = ProgressReportFactory(
        project=project_in(world["district_a"]), period=open_period, status=ReportStatus.SUBMITTED
    )
    client.force_login(world["users"][Role.COORDINATOR])
    detail = client.get(reverse("projects:report-detail", args=[report.pk]))
    assert detail.context["can_review"] is True
    client.post(reverse("projects:report-return", args=[report.pk]), {"comment": "Bổ sung ảnh"})
    report.refresh_from_db()
    assert (report.status, report.review_comment) == (ReportStatus.RETURNED, "Bổ sung ảnh")
    report.status = ReportStatus.SUBMITTED
    report.save()
    client.post(reverse("projects:report-accept", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED


def test_officer_cannot_review(client, world, open_period):
    report = ProgressReportFactory(
        project=project_in(world["district_a"]), period=open_period, status=ReportStatus.SUBMITTED
    )
    client.force_login(world["users"][Role.LOCALITY])
    response = client.post(reverse("projects:report-accept", args=[report.pk]))
    assert response.status_code == 403
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_my_reports_lists_due_and_returned_reports_in_scope(client, world, open_period):
    due = ProgressReportFactory(project=project_in(world["district_a"]), period=open_period)
    returned = ProgressReportFactory(
        project=project_in(world["commune_a"]), period=open_period, status=ReportStatus.RETURNED
    )
    ProgressReportFactory(
        project=project_in(world["district_a"]), period=open_period, status=ReportStatus.SUBMITTED
    )
    ProgressReportFactory(project=project_in(world["district_b"]), period=open_period)
    client.force_login(world["users"][Role.LOCALITY])
    response = client.get(reverse("projects:my-reports"))
    assert sorted(obj.pk for obj, _cells in response.context["rows"]) == sorted(
        [due.pk, returned.pk]
    )


def test_my_reports_query_count_does_not_grow(
    client, world, open_period, django_assert_max_num_queries
):
    client.force_login(world["users"][Role.LOCALITY])
    for size in (2, 20):
        for _ in range(size):
            ProgressReportFactory(project=project_in(world["district_a"]), period=open_period)
        with django_assert_max_num_queries(12):
            assert client.get(reverse("projects:my-reports")).status_code == 200


def test_light_rules_readable_by_everyone_editable_by_the_coordinator(client, world):
    client.force_login(world["users"][Role.LEADER])
    page = client.get(reverse("projects:light-rules"))
    assert (page.status_code, page.context["form"]) == (200, None)
    assert client.post(reverse("projects:light-rules"), {}).status_code == 403
    client.force_login(world["users"][Role.COORDINATOR])
    rules = dispatch.current_rules()
    data = {
        "version": rules.version,
        "yellow_behind_points": 15,
        "red_behind_points": 40,
        "not_started_days": 60,
        "idle_lead_days": 30,
        "missing_reports_red": 3,
        "yellow_periods_red": 2,
    }
    assert client.post(reverse("projects:light-rules"), data).status_code == 302
    stale = client.post(reverse("projects:light-rules"), {**data, "red_behind_points": 50})
    rules.refresh_from_db()
    assert stale.status_code == 400
    assert (rules.red_behind_points, rules.version) == (40, 2)
    assert LightRules.objects.count() == 1


def test_light_rules_red_must_exceed_yellow(client, world):
    client.force_login(world["users"][Role.COORDINATOR])
    rules = dispatch.current_rules()
    data = {
        "version": rules.version,
        "yellow_behind_points": 40,
        "red_behind_points": 20,
        "not_started_days": 60,
        "idle_lead_days": 30,
        "missing_reports_red": 3,
        "yellow_periods_red": 2,
    }
    assert client.post(reverse("projects:light-rules"), data).status_code == 400


def test_cycle_create_by_coordinator_only(client, world):
    data = {
        "name": "Điều độ nửa tháng",
        "frequency": CycleFrequency.SEMIMONTHLY,
        "starts_on": "2026-11-01",
        "due_days": "3",
        "is_active": "on",
    }
    client.force_login(world["users"][Role.LOCALITY])
    assert client.post(reverse("projects:cycle-create"), data).status_code == 403
    client.force_login(world["users"][Role.COORDINATOR])
    assert client.post(reverse("projects:cycle-create"), data).status_code == 302
    assert list(DispatchCycle.objects.values_list("name", flat=True)) == ["Điều độ nửa tháng"]


def test_period_open_and_close_from_the_pages(client, world):
    cycle = DispatchCycleFactory()
    project = project_in(world["district_a"], stage=Stage.SIGNED)
    client.force_login(world["users"][Role.COORDINATOR])
    response = client.post(
        reverse("projects:period-open"), {"cycle": cycle.pk, "starts_on": "2026-10-01"}
    )
    period = cycle.periods.get()
    assert (response.status_code, period.label) == (302, "10/2026")
    assert list(period.reports.values_list("project_id", flat=True)) == [project.pk]
    client.post(reverse("projects:period-close", args=[period.pk]))
    period.refresh_from_db()
    assert period.status == "closed"


def test_period_pages_list_and_refuse_field_officers_actions(client, world, open_period):
    client.force_login(world["users"][Role.LOCALITY])
    assert client.get(reverse("projects:period-list")).status_code == 200
    assert client.get(reverse("projects:cycle-list")).status_code == 200
    assert client.post(reverse("projects:period-close", args=[open_period.pk])).status_code == 403


# --- API -------------------------------------------------------------------------------------


def bearer(user, language="en"):
    from vanco.accounts.services import issue_token

    _token, raw = issue_token(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT_LANGUAGE": language}


def test_api_submit_return_resubmit_accept(client, world, open_period):
    report = ProgressReportFactory(project=project_in(world["district_a"]), period=open_period)
    officer = bearer(world["users"][Role.LOCALITY])
    coordinator = bearer(world["users"][Role.COORDINATOR])
    payload = {"version": 1, "progress_percent": "30", "funds_this_period": "2"}
    url = f"/api/v1/reports/{report.pk}/submit"
    submitted = client.post(url, payload, content_type="application/json", **officer)
    assert (submitted.status_code, submitted.json()["status"]) == (200, "submitted")
    stale = client.post(url, payload, content_type="application/json", **officer)
    assert (stale.status_code, stale.json()["error"]["code"]) == (409, "conflict")
    returned = client.post(
        f"/api/v1/reports/{report.pk}/return",
        {"comment": "Thiếu số liệu"},
        content_type="application/json",
        **coordinator,
    )
    assert returned.json()["status"] == "returned"
    again = client.post(url, {**payload, "version": 3}, content_type="application/json", **officer)
    assert again.json()["status"] == "submitted"
    accepted = client.post(
        f"/api/v1/reports/{report.pk}/accept", {}, content_type="application/json", **coordinator
    )
    assert (accepted.status_code, accepted.json()["status"]) == (200, "accepted")


def test_api_submit_validation_errors_by_field(client, world, open_period):
    report = ProgressReportFactory(project=project_in(world["district_a"]), period=open_period)
    response = client.post(
        f"/api/v1/reports/{report.pk}/submit",
        {"version": 1, "progress_percent": "130", "funds_this_period": "-2"},
        content_type="application/json",
        **bearer(world["users"][Role.LOCALITY]),
    )
    assert response.status_code == 422
    assert sorted(response.json()["error"]["fields"]) == ["funds_this_period", "progress_percent"]


def test_api_reports_scoped_and_filtered(client, world, open_period):
    mine = ProgressReportFactory(project=project_in(world["district_a"]), period=open_period)
    other = ProgressReportFactory(project=project_in(world["district_b"]), period=open_period)
    headers = bearer(world["users"][Role.LOCALITY])
    listed = client.get("/api/v1/reports", {"period": open_period.pk, "status": "due"}, **headers)
    assert [item["id"] for item in listed.json()["items"]] == [mine.pk]
    assert client.get(f"/api/v1/reports/{other.pk}", **headers).status_code == 404
    assert client.get("/api/v1/periods", **headers).json()["count"] == 1
    leader = bearer(world["users"][Role.LEADER])
    refused = client.post(
        f"/api/v1/reports/{mine.pk}/accept", {}, content_type="application/json", **leader
    )
    assert refused.status_code == 403


def test_api_project_lights_with_reasons_in_the_request_language(client, world, coordinator):
    cycle = DispatchCycleFactory()
    period = dispatch.open_period(actor=coordinator, cycle=cycle, starts_on=D(2026, 1, 1))
    project = project_in(world["district_a"], stage=Stage.SIGNED)
    ProgressReportFactory(project=project, period=period)
    dispatch.close_period(actor=coordinator, period=period, today=D(2026, 2, 20))
    response = client.get(f"/api/v1/projects/{project.pk}/lights", **bearer(coordinator, "en"))
    body = response.json()
    assert (body["light"], body["history"][0]["period_label"]) == ("yellow", "01/2026")
    assert body["reasons"] == [
        {"code": "report_missing", "params": {}, "text": "Progress report missing for this period"}
    ]
    hidden = client.get(f"/api/v1/projects/{project.pk}/lights", **bearer(world["others"]["loc_b"]))
    assert hidden.status_code == 404


# --- In-app notifications (only once the notifications app is installed) ----------------------


@pytest.fixture
def notifications_app():
    from vanco.notifications import services

    return services


def test_notifications_list_open_and_unread_count(client, world, notifications_app):
    officer = world["users"][Role.LOCALITY]
    params = {"project": "DA-1", "period": "11/2026", "due_on": "05/12/2026"}
    mine = notifications_app.notify(
        user=officer, kind="report_due", params=params, url="/projects/dispatch/reports/mine/"
    )
    theirs = notifications_app.notify(
        user=world["others"]["loc_b"], kind="report_due", params=params
    )
    client.force_login(officer)
    listed = client.get(reverse("notifications:list"))
    assert [obj.pk for obj, _cells in listed.context["rows"]] == [mine.pk]
    assert client.get(reverse("notifications:unread")).context["unread"] == 1
    opened = client.get(reverse("notifications:open", args=[mine.pk]))
    assert (opened.status_code, opened.url) == (302, "/projects/dispatch/reports/mine/")
    assert client.get(reverse("notifications:unread")).context["unread"] == 0
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404


def test_notifications_mark_all_read_touches_only_ones_own(client, world, notifications_app):
    from vanco.notifications.models import Notification

    officer, other = world["users"][Role.LOCALITY], world["others"]["loc_b"]
    for user in (officer, officer, other):
        notifications_app.notify(user=user, kind="report_overdue", params={})
    client.force_login(officer)
    assert client.post(reverse("notifications:mark-read")).status_code == 302
    unread = Notification.objects.filter(read_at__isnull=True)
    assert list(unread.values_list("user_id", flat=True)) == [other.pk]


def test_returning_a_report_notifies_its_officer(world, open_period, notifications_app):
    from vanco.notifications.models import Notification

    officer = world["users"][Role.LOCALITY]
    report = ProgressReportFactory(
        project=project_in(world["district_a"], officer=officer),
        period=open_period,
        status=ReportStatus.SUBMITTED,
    )
    dispatch.return_report(actor=world["users"][Role.COORDINATOR], report=report, comment="Ảnh?")
    notification = Notification.objects.get(user=officer)
    assert (notification.kind, notification.params["comment"]) == ("report_returned", "Ảnh?")


@pytest.mark.parametrize(
    "url",
    ["/projects/dispatch/reports/", "/projects/dispatch/periods/", "/api/v1/reports"],
)
def test_lists_query_count_does_not_grow(
    client, world, open_period, url, django_assert_max_num_queries
):
    client.force_login(world["users"][Role.LOCALITY])
    for size in (2, 20):
        for _ in range(size):
            ProgressReportFactory(project=project_in(world["district_a"]), period=open_period)
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200


def test_light_rules_page_states_the_rules_with_current_thresholds(client, world):
    rules = dispatch.current_rules()
    rules.red_behind_points = 45
    rules.save()
    reader = world["users"][Role.CADRE]
    reader.language = "en"
    reader.save()
    client.force_login(reader)
    page = client.get(reverse("projects:light-rules"))
    texts = [text for _light, text in page.context["descriptions"]]
    assert "Under construction and behind the planned pace by more than 45 points." in texts


# --- Attachments with the report ------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17


def files(*pairs):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return [SimpleUploadedFile(name, content) for name, content in pairs]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def test_report_form_stores_attached_files_with_the_report(client, world, open_period, media):
    from vanco.projects.models import Attachment

    project = project_in(world["district_a"])
    report = ProgressReportFactory(project=project, period=open_period)
    client.force_login(english(world["users"][Role.LOCALITY]))
    response = client.post(
        reverse("projects:report-edit", args=[report.pk]),
        {**form_data(report), "files": files(("biên bản.pdf", PDF), ("ảnh công trường.png", PNG))},
    )
    assert response.status_code == 302
    stored = Attachment.objects.filter(report=report).order_by("original_name")
    assert [(a.original_name, a.project_id) for a in stored] == [
        ("biên bản.pdf", project.pk),
        ("ảnh công trường.png", project.pk),
    ]
    detail = client.get(report.get_absolute_url()).content.decode()
    for attachment in stored:
        assert reverse("projects:attachment-download", args=[attachment.pk]) in detail
    timeline = client.get(project.get_absolute_url()).content.decode()
    assert timeline.count('data-testid="timeline-report-file"') == 2
    download = client.get(reverse("projects:attachment-download", args=[stored[0].pk]))
    assert (download.status_code, b"".join(download.streaming_content)) == (200, PDF)


def test_report_form_a_bad_file_refuses_everything_and_asks_to_choose_again(
    client, world, open_period, media
):
    from vanco.projects.models import Attachment

    report = ProgressReportFactory(project=project_in(world["district_a"]), period=open_period)
    client.force_login(english(world["users"][Role.LOCALITY]))
    response = client.post(
        reverse("projects:report-edit", args=[report.pk]),
        {
            **form_data(report, narrative="Giữ lại nội dung này"),
            "files": files(("ok.pdf", PDF), ("virus.pdf", b"MZ\x90\x00 not a pdf")),
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["files"]
    assert errors == [
        "virus.pdf: The content of the file does not match its extension .pdf. "
        "Save it again in the right format and upload it.",
        "The report was not submitted, so the files you chose were not kept: choose them again.",
    ]
    assert "Giữ lại nội dung này" in response.content.decode()
    assert Attachment.objects.count() == 0
    assert [path for path in media.rglob("*") if path.is_file()] == []
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.DUE


def test_report_form_invalid_figures_with_files_store_nothing(client, world, open_period, media):
    from vanco.projects.models import Attachment

    report = ProgressReportFactory(project=project_in(world["district_a"]), period=open_period)
    client.force_login(english(world["users"][Role.LOCALITY]))
    response = client.post(
        reverse("projects:report-edit", args=[report.pk]),
        {**form_data(report, progress_percent="150"), "files": files(("ok.pdf", PDF))},
    )
    assert response.status_code == 400
    assert sorted(response.context["form"].errors) == ["files", "progress_percent"]
    assert Attachment.objects.count() == 0


def test_report_detail_lists_only_this_reports_files(client, world, open_period, media):
    from vanco.projects import services

    project = project_in(world["district_a"])
    report = ProgressReportFactory(project=project, period=open_period)
    officer = world["users"][Role.LOCALITY]
    services.add_attachment(
        actor=officer, project=project, uploaded_file=files(("hợp đồng.pdf", PDF))[0]
    )
    services.add_attachment(
        actor=officer, project=project, uploaded_file=files(("ảnh.png", PNG))[0], report=report
    )
    client.force_login(world["users"][Role.AUDITOR])
    response = client.get(report.get_absolute_url())
    assert [a.original_name for a in response.context["attachments"]] == ["ảnh.png"]
