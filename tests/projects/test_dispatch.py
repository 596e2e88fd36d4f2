"""Dispatch services: periods and slots, submission rules, review, figures and lights."""

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from tests.factories import (
    DispatchCycleFactory,
    DispatchPeriodFactory,
    ProgressReportFactory,
    ProjectFactory,
)
from vanco.accounts.enums import Role
from vanco.core.services import StaleEditError
from vanco.projects import dispatch
from vanco.projects.enums import CycleFrequency, PeriodStatus, ReportStatus, Stage
from vanco.projects.models import DispatchPeriod, LightRules, ProgressReport, ProjectLight

D = datetime.date


def project_in(locality, **kwargs):
    kwargs.setdefault("stage", Stage.UNDER_CONSTRUCTION)
    return ProjectFactory(locality=locality, investor__locality=locality, **kwargs)


def good_data(**overrides):
    data = {
        "narrative": "Đã đổ móng nhà xưởng",
        "progress_percent": "40",
        "progress_drop_reason": "",
        "funds_this_period": "12.5",
        "jobs_created": "30",
        "milestones": "",
        "next_steps": "",
        "obstacles_text": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def period(world):
    return DispatchPeriodFactory(
        starts_on=D(2026, 11, 1), ends_on=D(2026, 11, 30), due_on=D(2026, 12, 5)
    )


@pytest.mark.parametrize(
    ("frequency", "start", "expected"),
    [
        (CycleFrequency.WEEKLY, D(2026, 11, 3), (D(2026, 11, 3), D(2026, 11, 9))),
        (CycleFrequency.SEMIMONTHLY, D(2026, 2, 1), (D(2026, 2, 1), D(2026, 2, 15))),
        (CycleFrequency.SEMIMONTHLY, D(2026, 2, 16), (D(2026, 2, 16), D(2026, 2, 28))),
        (CycleFrequency.MONTHLY, D(2028, 2, 1), (D(2028, 2, 1), D(2028, 2, 29))),
    ],
)
def test_period_bounds_follow_the_frequency(frequency, start, expected):
    assert dispatch.period_bounds(frequency, start) == expected


def test_open_period_creates_one_due_slot_per_dispatch_project_with_audit(world, coordinator):
    district = world["district_a"]
    active = [project_in(district, stage=stage) for stage in (Stage.SIGNED, Stage.COMPLETED)]
    project_in(district, stage=Stage.LEAD)
    project_in(district, stage=Stage.PAUSED)
    cycle = DispatchCycleFactory(due_days=7)
    period = dispatch.open_period(actor=coordinator, cycle=cycle, starts_on=D(2026, 11, 1))
    assert (period.label, period.ends_on, period.due_on) == (
        "11/2026",
        D(2026, 11, 30),
        D(2026, 12, 7),
    )
    slots = ProgressReport.objects.filter(period=period)
    assert sorted(slots.values_list("project_id", flat=True)) == sorted(p.pk for p in active)
    assert set(slots.values_list("status", flat=True)) == {ReportStatus.DUE}
    logged = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ProgressReport), actor=coordinator
    )
    assert logged.count() == 2


def test_open_period_requires_dispatch_manage(world):
    cycle = DispatchCycleFactory()
    with pytest.raises(PermissionDenied):
        dispatch.open_period(
            actor=world["users"][Role.LOCALITY], cycle=cycle, starts_on=D(2026, 11, 1)
        )


def test_generate_due_periods_opens_every_period_up_to_today_once(world):
    cycle = DispatchCycleFactory(frequency=CycleFrequency.SEMIMONTHLY, starts_on=D(2026, 10, 1))
    first = dispatch.generate_due_periods(today=D(2026, 11, 20))
    again = dispatch.generate_due_periods(today=D(2026, 11, 20))
    starts = list(cycle.periods.order_by("starts_on").values_list("starts_on", flat=True))
    assert (len(first), len(again)) == (4, 0)
    assert starts == [D(2026, 10, 1), D(2026, 10, 16), D(2026, 11, 1), D(2026, 11, 16)]


def test_generate_due_periods_skips_inactive_cycles(world):
    DispatchCycleFactory(is_active=False, starts_on=D(2026, 10, 1))
    assert dispatch.generate_due_periods(today=D(2026, 11, 20)) == []


def test_submit_report_sets_status_figures_and_activity(world, period):
    officer = world["users"][Role.LOCALITY]
    project = project_in(world["district_a"])
    earlier = DispatchPeriodFactory(
        cycle=period.cycle, starts_on=D(2026, 10, 1), ends_on=D(2026, 10, 31), due_on=D(2026, 11, 5)
    )
    ProgressReportFactory(
        project=project,
        period=earlier,
        status=ReportStatus.ACCEPTED,
        progress_percent=Decimal("20"),
        funds_this_period=Decimal("7.5"),
    )
    report = ProgressReportFactory(project=project, period=period)
    result = dispatch.submit_report(
        actor=officer, report=report, data=good_data(), expected_version=1, today=D(2026, 11, 20)
    )
    project.refresh_from_db()
    assert (result.status, result.submitted_by, result.version) == (
        ReportStatus.SUBMITTED,
        officer,
        2,
    )
    assert (project.funds_in_place, project.progress_percent) == (Decimal("20.000"), Decimal("40"))
    assert project.last_activity_at is not None
    assert ProjectLight.objects.filter(project=project, period=period).count() == 1


def test_submit_report_refuses_progress_outside_0_100(world, period):
    report = ProgressReportFactory(project=project_in(world["district_a"]), period=period)
    with pytest.raises(ValidationError) as caught:
        dispatch.submit_report(
            actor=world["users"][Role.COORDINATOR],
            report=report,
            data=good_data(progress_percent="120"),
            expected_version=1,
        )
    assert list(caught.value.message_dict) == ["progress_percent"]


def test_submit_report_refuses_negative_amounts(world, period):
    report = ProgressReportFactory(project=project_in(world["district_a"]), period=period)
    with pytest.raises(ValidationError) as caught:
        dispatch.submit_report(
            actor=world["users"][Role.COORDINATOR],
            report=report,
            data=good_data(funds_this_period="-1"),
            expected_version=1,
        )
    assert list(caught.value.message_dict) == ["funds_this_period"]


def test_submit_report_falling_progress_needs_a_reason(world, period):
    project = project_in(world["district_a"])
    earlier = DispatchPeriodFactory(
        cycle=period.cycle, starts_on=D(2026, 10, 1), ends_on=D(2026, 10, 31), due_on=D(2026, 11, 5)
    )
    ProgressReportFactory(
        project=project, period=earlier, status=ReportStatus.SUBMITTED, progress_percent=50
    )
    report = ProgressReportFactory(project=project, period=period)
    coordinator = world["users"][Role.COORDINATOR]
    with pytest.raises(ValidationError) as caught:
        dispatch.submit_report(
            actor=coordinator, report=report, data=good_data(), expected_version=1
        )
    assert list(caught.value.message_dict) == ["progress_drop_reason"]
    result = dispatch.submit_report(
        actor=coordinator,
        report=report,
        data=good_data(progress_drop_reason="Đo lại khối lượng"),
        expected_version=1,
        today=D(2026, 11, 20),
    )
    assert result.status == ReportStatus.SUBMITTED


def test_submit_report_refuses_a_closed_period(world, period):
    period.status = PeriodStatus.CLOSED
    period.save()
    report = ProgressReportFactory(project=project_in(world["district_a"]), period=period)
    with pytest.raises(ValidationError):
        dispatch.submit_report(
            actor=world["users"][Role.COORDINATOR],
            report=report,
            data=good_data(),
            expected_version=1,
        )
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.DUE


def test_submit_report_refuses_a_stale_version(world, period):
    report = ProgressReportFactory(project=project_in(world["district_a"]), period=period)
    coordinator = world["users"][Role.COORDINATOR]
    dispatch.submit_report(
        actor=coordinator,
        report=report,
        data=good_data(),
        expected_version=1,
        today=D(2026, 11, 20),
    )
    with pytest.raises(StaleEditError):
        dispatch.submit_report(
            actor=coordinator, report=report, data=good_data(), expected_version=1
        )


@pytest.mark.parametrize("who", [Role.LEADER, Role.DEPARTMENT, Role.AUDITOR, "loc_b"])
def test_submit_report_refused_outside_role_or_scope(world, period, who):
    user = world["others"][who] if who == "loc_b" else world["users"][who]
    report = ProgressReportFactory(project=project_in(world["district_a"]), period=period)
    with pytest.raises(PermissionDenied):
        dispatch.submit_report(actor=user, report=report, data=good_data(), expected_version=1)


def test_return_then_resubmit_then_accept(world, period):
    officer = world["users"][Role.LOCALITY]
    coordinator = world["users"][Role.COORDINATOR]
    project = project_in(world["district_a"])
    report = ProgressReportFactory(project=project, period=period)
    report = dispatch.submit_report(
        actor=officer, report=report, data=good_data(), expected_version=1, today=D(2026, 11, 20)
    )
    with pytest.raises(ValidationError):
        dispatch.return_report(actor=coordinator, report=report, comment="  ")
    report = dispatch.return_report(
        actor=coordinator, report=report, comment="Thiếu ảnh hiện trường", today=D(2026, 11, 20)
    )
    project.refresh_from_db()
    assert (report.status, report.review_comment) == (
        ReportStatus.RETURNED,
        "Thiếu ảnh hiện trường",
    )
    assert project.funds_in_place == Decimal("0")
    report = dispatch.submit_report(
        actor=officer,
        report=report,
        data=good_data(funds_this_period="3"),
        expected_version=report.version,
        today=D(2026, 11, 20),
    )
    report = dispatch.accept_report(actor=coordinator, report=report)
    project.refresh_from_db()
    assert (report.status, report.reviewed_by) == (ReportStatus.ACCEPTED, coordinator)
    assert project.funds_in_place == Decimal("3.000")


def test_review_requires_the_coordinator(world, period):
    officer = world["users"][Role.LOCALITY]
    report = ProgressReportFactory(
        project=project_in(world["district_a"]), period=period, status=ReportStatus.SUBMITTED
    )
    with pytest.raises(PermissionDenied):
        dispatch.accept_report(actor=officer, report=report)
    with pytest.raises(PermissionDenied):
        dispatch.return_report(actor=officer, report=report, comment="x")


def test_close_period_recomputes_every_light_in_batch(world, period, coordinator):
    district = world["district_a"]
    missing = project_in(
        district, planned_start_date=D(2026, 1, 1), planned_completion_date=D(2027, 1, 1)
    )
    ProgressReportFactory(project=missing, period=period)
    lead = project_in(district, stage=Stage.LEAD)
    paused = project_in(district, stage=Stage.PAUSED, light="red")
    closed = dispatch.close_period(actor=coordinator, period=period, today=D(2026, 12, 10))
    assert closed.status == PeriodStatus.CLOSED
    stored = dict(ProjectLight.objects.filter(period=period).values_list("project_id", "light"))
    assert stored == {missing.pk: "red", lead.pk: "green"}
    missing.refresh_from_db()
    paused.refresh_from_db()
    assert missing.light == "red"
    assert missing.light_reasons == [
        {"code": "behind_pace", "params": {"points": 91}},
        {"code": "report_missing", "params": {}},
    ]
    assert paused.light == ""


def test_close_period_counts_missing_reports_across_periods(world, coordinator):
    cycle = DispatchCycleFactory()
    project = project_in(world["district_a"])
    periods = []
    for month in (9, 10):
        start = D(2026, month, 1)
        _, end = dispatch.period_bounds(CycleFrequency.MONTHLY, start)
        p = DispatchPeriod.objects.create(
            cycle=cycle, label=str(month), starts_on=start, ends_on=end, due_on=end
        )
        ProgressReportFactory(project=project, period=p)
        periods.append(p)
    dispatch.close_period(actor=coordinator, period=periods[0], today=D(2026, 11, 10))
    dispatch.close_period(actor=coordinator, period=periods[1], today=D(2026, 11, 10))
    project.refresh_from_db()
    assert (project.light, project.light_reasons) == (
        "red",
        [{"code": "reports_missing_in_a_row", "params": {"count": 2}}],
    )


def test_current_rules_creates_the_defaults_once(db):
    first = dispatch.current_rules()
    second = dispatch.current_rules()
    assert (first.pk, first.red_behind_points, LightRules.objects.count()) == (second.pk, 30, 1)


# --- Reminders -------------------------------------------------------------------------------


def reminder_setup(world, due_on):
    from tests.factories import UserFactory

    officer = UserFactory(email="officer@example.vn", language="en", full_name="Lê Văn An")
    period = DispatchPeriodFactory(starts_on=D(2026, 11, 1), ends_on=D(2026, 11, 30), due_on=due_on)
    project = project_in(world["district_a"], officer=officer, code="DA-2026-00042")
    report = ProgressReportFactory(project=project, period=period)
    return officer, report


def test_remind_emails_reports_due_soon_in_the_officers_language(world, mailoutbox):
    from vanco.projects.tasks import remind

    _officer, report = reminder_setup(world, due_on=D(2026, 12, 5))
    result = remind(today=D(2026, 12, 2))
    assert result["emails"] == 1
    assert mailoutbox[0].to == ["officer@example.vn"]
    assert mailoutbox[0].subject == "Vanco: 1 progress report to submit"
    assert f"- {report.project} (11/2026): due on" in mailoutbox[0].body


def test_remind_skips_days_between_reminders_and_submitted_reports(world, mailoutbox):
    from vanco.projects.tasks import remind

    _officer, report = reminder_setup(world, due_on=D(2026, 12, 5))
    assert remind(today=D(2026, 12, 1))["emails"] == 0
    report.status = ReportStatus.SUBMITTED
    report.save()
    assert remind(today=D(2026, 12, 2))["emails"] == 0
    assert mailoutbox == []


def test_remind_overdue_the_day_after_and_weekly(world, mailoutbox):
    from vanco.projects.tasks import remind

    reminder_setup(world, due_on=D(2026, 12, 5))
    sent = [remind(today=D(2026, 12, day))["emails"] for day in (6, 7, 12, 13)]
    assert sent == [1, 0, 0, 1]
    assert "overdue since" in mailoutbox[0].body


def test_remind_emails_once_a_day_however_often_it_runs(world, mailoutbox):
    from vanco.projects.tasks import remind

    reminder_setup(world, due_on=D(2026, 12, 5))
    runs = [remind(today=D(2026, 12, 2))["emails"] for _hour in range(3)]
    assert runs == [1, 0, 0]
    assert len(mailoutbox) == 1


def test_remind_follows_the_officers_email_preference(world, mailoutbox):
    from vanco.notifications.models import EmailMode, Notification
    from vanco.notifications.services import send_digests, set_email_mode
    from vanco.projects.tasks import remind

    officer, _report = reminder_setup(world, due_on=D(2026, 12, 5))
    set_email_mode(user=officer, mode=EmailMode.OFF)
    assert remind(today=D(2026, 12, 2)) == {"emails": 0, "notifications": 1}
    set_email_mode(user=officer, mode=EmailMode.DAILY)
    assert remind(today=D(2026, 12, 6)) == {"emails": 0, "notifications": 1}
    assert mailoutbox == []
    # The digest carries the overdue reminder, not the one from before the digest was chosen.
    assert send_digests() == 1
    assert "overdue since" in mailoutbox[0].body
    assert Notification.objects.filter(user=officer, emailed_at__isnull=True).count() == 0


def test_remind_creates_one_notification_per_report_and_day(world):
    from vanco.notifications.models import Notification
    from vanco.projects.tasks import remind

    officer, report = reminder_setup(world, due_on=D(2026, 12, 5))
    first = remind(today=D(2026, 12, 6))
    again = remind(today=D(2026, 12, 6))
    assert (first["notifications"], again["notifications"]) == (1, 0)
    notification = Notification.objects.get(user=officer)
    assert (notification.kind, notification.url) == (
        "report_overdue",
        f"/projects/dispatch/reports/{report.pk}/edit/",
    )
    with translation.override("en"):
        message = notification.message()
    assert message.startswith(f"Progress report for {report.project} (11/2026) is overdue")


def test_dispatch_tick_opens_periods_and_sends_reminders(world, mailoutbox):
    from django.core.management import call_command

    from tests.factories import UserFactory

    officer = UserFactory(email="tick@example.vn", language="en")
    project_in(world["district_a"], officer=officer)
    cycle = DispatchCycleFactory(starts_on=D(2026, 10, 1), due_days=5)
    call_command("dispatch_tick", "--today=2026-10-03")
    call_command("dispatch_tick", "--today=2026-11-03")
    assert list(cycle.periods.order_by("starts_on").values_list("label", flat=True)) == [
        "10/2026",
        "11/2026",
    ]
    # 3 November sent nothing (due in 2 days); 2 November is 3 days before: one e-mail.
    call_command("dispatch_tick", "--today=2026-11-02")
    assert [m.to for m in mailoutbox] == [["tick@example.vn"]]


def test_submit_report_with_files_is_all_or_nothing(world, period, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from vanco.projects.models import Attachment

    settings.MEDIA_ROOT = tmp_path / "media"
    officer = world["users"][Role.LOCALITY]
    report = ProgressReportFactory(project=project_in(world["district_a"]), period=period)
    pdf = b"%PDF-1.4\n%%EOF\n"
    good = SimpleUploadedFile("ok.pdf", pdf)
    bad = SimpleUploadedFile("ok.png", pdf)
    data = {"progress_percent": "20", "funds_this_period": "1", "jobs_created": "0"}
    with pytest.raises(ValidationError) as caught:
        dispatch.submit_report(
            actor=officer, report=report, data=data, expected_version=1, files=[good, bad]
        )
    assert list(caught.value.message_dict) == ["files"]
    assert Attachment.objects.count() == 0
    report.refresh_from_db()
    assert report.status == ReportStatus.DUE
    dispatch.submit_report(
        actor=officer, report=report, data=data, expected_version=1, files=[good]
    )
    assert list(Attachment.objects.values_list("report_id", "original_name")) == [
        (report.pk, "ok.pdf")
    ]
    assert len([path for path in (tmp_path / "media").rglob("*") if path.is_file()]) == 1
