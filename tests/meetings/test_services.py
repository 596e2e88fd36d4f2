"""The life of a directive, step by step, who may take each step, the daily overdue run and the
proposed agenda with its carry-over."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone

from tests.factories import EnterpriseFactory, ObstacleFactory, ProjectFactory
from tests.meetings.factories import DirectiveFactory
from vanco.accounts.enums import Role
from vanco.core.services import StaleEditError
from vanco.meetings import services
from vanco.meetings.enums import AgendaSource, DirectiveStatus, MeetingKind, UpdateKind
from vanco.meetings.models import Directive, DirectiveUpdate
from vanco.notifications.models import Kind, Notification
from vanco.obstacles.enums import Level, Source
from vanco.obstacles.enums import Status as ObstacleStatus
from vanco.projects.enums import Light

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 27)


def _issue(world, *, departments=None, localities=(), due_on=None, actor=None, **kwargs):
    return services.issue_directive(
        actor=actor or world["users"][Role.LEADER],
        data={
            "title": "Hoàn thành giải phóng mặt bằng KCN Đông Hà",
            "text": "Sở KH&ĐT chủ trì, báo cáo kết quả trước hạn.",
            "due_on": due_on or timezone.localdate() + datetime.timedelta(days=14),
        },
        departments=[world["dept_a"]] if departments is None else departments,
        localities=list(localities),
        **kwargs,
    )


def _kinds(directive):
    return list(directive.updates.order_by("at", "pk").values_list("kind", flat=True))


def test_directive_full_life_writes_every_update(world, django_capture_on_commit_callbacks):
    officer = world["users"][Role.DEPARTMENT]
    leader = world["users"][Role.LEADER]
    with django_capture_on_commit_callbacks(execute=True):
        directive = _issue(world)
        directive = services.acknowledge_directive(
            actor=officer, directive=directive, expected_version=directive.version
        )
        directive = services.start_directive(actor=officer, directive=directive)
        services.report_progress(actor=officer, directive=directive, note="Đã xong 60%.")
        directive = services.complete_directive(
            actor=officer, directive=directive, evidence="Biên bản bàn giao ngày 20/11."
        )
    assert directive.status == DirectiveStatus.DONE
    assert directive.evidence == "Biên bản bàn giao ngày 20/11."
    assert directive.done_at is not None
    assert _kinds(directive) == [
        UpdateKind.ISSUED,
        UpdateKind.ACKNOWLEDGED,
        UpdateKind.STARTED,
        UpdateKind.PROGRESS,
        UpdateKind.DONE,
    ]
    done = Notification.objects.filter(kind=Kind.DIRECTIVE_DONE)
    assert list(done.values_list("user", flat=True)) == [leader.pk]
    with django_capture_on_commit_callbacks(execute=True):
        directive = services.reopen_directive(
            actor=leader, directive=directive, reason="Chưa có biên bản nghiệm thu."
        )
    assert directive.status == DirectiveStatus.IN_PROGRESS
    assert directive.done_at is None
    assert _kinds(directive)[-1] == UpdateKind.REOPENED


def test_directive_done_with_file_only_keeps_the_file(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    officer = world["users"][Role.DEPARTMENT]
    directive = services.acknowledge_directive(actor=officer, directive=_issue(world))
    upload = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    directive = services.complete_directive(
        actor=officer, directive=directive, uploaded_file=upload
    )
    update = directive.updates.get(kind=UpdateKind.DONE)
    assert directive.status == DirectiveStatus.DONE
    assert update.original_name == "bien-ban.pdf"
    assert update.file.name.startswith("directives/")


def test_directive_done_without_evidence_is_refused(world):
    officer = world["users"][Role.DEPARTMENT]
    directive = services.acknowledge_directive(actor=officer, directive=_issue(world))
    with pytest.raises(ValidationError) as refused:
        services.complete_directive(actor=officer, directive=directive, evidence="  ")
    assert refused.value.message_dict == {
        "evidence": ["Give the evidence: describe the result or attach a document."]
    } or list(refused.value.message_dict) == ["evidence"]
    assert Directive.objects.get(pk=directive.pk).status == DirectiveStatus.ACKNOWLEDGED


def test_directive_steps_refuse_wrong_state(world):
    officer = world["users"][Role.DEPARTMENT]
    directive = _issue(world)
    with pytest.raises(ValidationError):
        services.complete_directive(actor=officer, directive=directive, evidence="Xong")
    with pytest.raises(ValidationError):
        services.reopen_directive(
            actor=world["users"][Role.LEADER], directive=directive, reason="Chưa đạt"
        )
    services.acknowledge_directive(actor=officer, directive=directive)
    with pytest.raises(ValidationError):
        services.acknowledge_directive(actor=officer, directive=directive)
    assert _kinds(directive) == [UpdateKind.ISSUED, UpdateKind.ACKNOWLEDGED]


def test_directive_steps_refuse_other_units_and_issuers(world):
    directive = _issue(world)
    # Another department does not even see it.
    with pytest.raises(Http404):
        services.acknowledge_directive(actor=world["others"]["dept_b"], directive=directive)
    # The issuer sees it but is not an assignee.
    with pytest.raises(PermissionDenied):
        services.acknowledge_directive(actor=world["users"][Role.LEADER], directive=directive)
    # An assignee may not move the due date.
    with pytest.raises(PermissionDenied):
        services.change_due_date(
            actor=world["users"][Role.DEPARTMENT],
            directive=directive,
            due_on=timezone.localdate() + datetime.timedelta(days=30),
            reason="Xin lùi hạn",
        )
    # A cadre may not issue.
    with pytest.raises(PermissionDenied):
        _issue(world, actor=world["users"][Role.CADRE])
    assert _kinds(directive) == [UpdateKind.ISSUED]


def test_directive_stale_version_is_refused(world):
    officer = world["users"][Role.DEPARTMENT]
    directive = _issue(world)
    old = directive.version
    services.acknowledge_directive(actor=officer, directive=directive, expected_version=old)
    with pytest.raises(StaleEditError):
        services.start_directive(actor=officer, directive=directive, expected_version=old)


def test_directive_needs_an_assignee_and_a_future_due_date(world):
    with pytest.raises(ValidationError):
        _issue(world, departments=[])
    with pytest.raises(ValidationError):
        _issue(world, due_on=timezone.localdate() - datetime.timedelta(days=1))
    assert Directive.objects.count() == 0


def test_directive_locality_officer_of_parent_district_may_work(world):
    directive = _issue(world, departments=[], localities=[world["commune_a"]])
    officer = world["users"][Role.LOCALITY]  # district A, parent of commune A
    acknowledged = services.acknowledge_directive(actor=officer, directive=directive)
    assert acknowledged.status == DirectiveStatus.ACKNOWLEDGED
    with pytest.raises(Http404):
        services.start_directive(actor=world["others"]["loc_b"], directive=directive)


def test_issue_notifies_every_officer_of_the_assigned_units(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _issue(world, departments=[world["dept_a"]], localities=[world["district_b"]])
    notified = Notification.objects.filter(kind=Kind.DIRECTIVE_ISSUED)
    assert sorted(notified.values_list("user__username", flat=True)) == ["dept_a", "loc_b"]


def test_due_date_change_by_issuer_lifts_the_overdue_flag(world):
    directive = DirectiveFactory(
        issued_by=world["users"][Role.LEADER],
        departments=[world["dept_a"]],
        due_on=timezone.localdate() - datetime.timedelta(days=3),
        is_overdue=True,
    )
    later = timezone.localdate() + datetime.timedelta(days=20)
    with pytest.raises(ValidationError):
        services.change_due_date(
            actor=world["users"][Role.LEADER], directive=directive, due_on=later, reason=" "
        )
    changed = services.change_due_date(
        actor=world["users"][Role.COORDINATOR],
        directive=directive,
        due_on=later,
        reason="Chờ ý kiến Bộ",
    )
    assert (changed.due_on, changed.is_overdue) == (later, False)
    assert _kinds(changed) == [UpdateKind.DUE_CHANGED]


def test_mark_overdue_flags_once_and_notifies_assignees_and_issuer(
    world, django_capture_on_commit_callbacks
):
    leader = world["users"][Role.LEADER]
    late = DirectiveFactory(
        issued_by=leader, departments=[world["dept_a"]], due_on=TODAY - datetime.timedelta(days=1)
    )
    DirectiveFactory(issued_by=leader, departments=[world["dept_a"]], due_on=TODAY)
    DirectiveFactory(
        issued_by=leader,
        departments=[world["dept_a"]],
        due_on=TODAY - datetime.timedelta(days=5),
        status=DirectiveStatus.DONE,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.mark_overdue(today=TODAY) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.mark_overdue(today=TODAY) == 0
    late.refresh_from_db()
    assert late.is_overdue is True
    assert DirectiveUpdate.objects.filter(kind=UpdateKind.OVERDUE).count() == 1
    notified = Notification.objects.filter(kind=Kind.DIRECTIVE_OVERDUE)
    assert sorted(notified.values_list("user__username", flat=True)) == ["dept_a", "leader"]


def test_meetings_tick_command_flags_overdue(world):
    DirectiveFactory(
        issued_by=world["users"][Role.LEADER],
        departments=[world["dept_a"]],
        due_on=TODAY - datetime.timedelta(days=2),
    )
    call_command("meetings_tick", today=TODAY.isoformat(), stdout=io.StringIO())
    assert Directive.objects.filter(is_overdue=True).count() == 1


def test_proposed_agenda_lists_red_projects_escalated_obstacles_and_overdue(world):
    coordinator = world["users"][Role.COORDINATOR]
    company = EnterpriseFactory(locality=world["district_a"])
    red = ProjectFactory(
        name="Nhà máy điện mặt trời",
        investor=company,
        light=Light.RED,
        light_reasons=[{"code": "x"}],
    )
    ProjectFactory(name="Nhà máy xanh", investor=company, light=Light.GREEN)
    escalated = ObstacleFactory(
        enterprise=company,
        status=ObstacleStatus.ASSIGNED,
        escalation_level=Level.GROUP,
        lead_department=world["dept_a"],
    )
    ObstacleFactory(
        enterprise=company, status=ObstacleStatus.ASSIGNED, escalation_level=Level.DEPARTMENT
    )
    ObstacleFactory(enterprise=company, status=ObstacleStatus.CLOSED, escalation_level=Level.GROUP)
    overdue = DirectiveFactory(
        issued_by=world["users"][Role.LEADER],
        departments=[world["dept_a"]],
        due_on=TODAY - datetime.timedelta(days=1),
    )
    DirectiveFactory(
        issued_by=world["users"][Role.LEADER],
        departments=[world["dept_a"]],
        due_on=TODAY - datetime.timedelta(days=9),
        status=DirectiveStatus.DONE,
    )
    proposals = services.propose_agenda(actor=coordinator, today=TODAY)
    assert [(p.source, p.project or p.obstacle or p.directive) for p in proposals] == [
        (AgendaSource.RED_PROJECT, red),
        (AgendaSource.ESCALATED_OBSTACLE, escalated),
        (AgendaSource.OVERDUE_DIRECTIVE, overdue),
    ]
    assert proposals[0].notes == "x"


def test_overdue_directive_carried_over_until_done(world):
    coordinator = world["users"][Role.COORDINATOR]
    officer = world["users"][Role.DEPARTMENT]
    directive = _issue(world, due_on=timezone.localdate() + datetime.timedelta(days=1))
    later = timezone.localdate() + datetime.timedelta(days=5)

    def proposed(day):
        return [p.directive for p in services.propose_agenda(actor=coordinator, today=day)]

    first = services.create_meeting(
        actor=coordinator,
        data={
            "kind": MeetingKind.LEADING_GROUP,
            "title": "Họp BCĐ tháng 12",
            "starts_at": timezone.now() + datetime.timedelta(days=5),
        },
        proposals=services.propose_agenda(actor=coordinator, today=later),
    )
    assert list(first.agenda.values_list("directive", flat=True)) == [directive.pk]
    assert proposed(later + datetime.timedelta(days=30)) == [directive]
    services.acknowledge_directive(actor=officer, directive=directive)
    services.complete_directive(actor=officer, directive=directive, evidence="Đã hoàn thành")
    assert proposed(later + datetime.timedelta(days=30)) == []


def test_agenda_editing_add_move_remove_decide(world):
    coordinator = world["users"][Role.COORDINATOR]
    meeting = services.create_meeting(
        actor=coordinator,
        data={
            "kind": MeetingKind.DISPATCH,
            "title": "Giao ban điều độ",
            "starts_at": timezone.now(),
        },
    )
    first = services.add_agenda_item(actor=coordinator, meeting=meeting, title="Tiến độ KCN")
    second = services.add_agenda_item(actor=coordinator, meeting=meeting, title="Vốn đầu tư")
    services.move_agenda_item(actor=coordinator, item=second, offset=-1)
    assert list(meeting.agenda.order_by("position").values_list("title", flat=True)) == [
        "Vốn đầu tư",
        "Tiến độ KCN",
    ]
    first.refresh_from_db()
    services.record_decision(
        actor=coordinator, item=first, decision="Giao Sở KH&ĐT", expected_version=first.version
    )
    services.remove_agenda_item(actor=coordinator, item=second)
    assert list(meeting.agenda.values_list("title", "position", "decision")) == [
        ("Tiến độ KCN", 1, "Giao Sở KH&ĐT")
    ]
    with pytest.raises(PermissionDenied):
        services.add_agenda_item(
            actor=world["users"][Role.LEADER], meeting=meeting, title="Việc khác"
        )


def test_raise_obstacle_from_directive_links_it(world):
    officer = world["users"][Role.LOCALITY]
    directive = _issue(world, departments=[], localities=[world["district_a"]])
    enterprise = EnterpriseFactory(locality=world["district_a"])
    obstacle = services.raise_obstacle_from_directive(
        actor=officer,
        directive=directive,
        data={
            "title": "Thiếu kinh phí bồi thường",
            "description": "Cần bổ sung vốn.",
            "category": "finance",
            "enterprise": enterprise,
        },
    )
    assert obstacle.source == Source.DIRECTIVE
    assert list(directive.obstacles.all()) == [obstacle]


def test_directive_notification_worded_in_reader_language(
    world, django_capture_on_commit_callbacks
):
    from django.utils import translation

    due = datetime.date(2030, 1, 15)
    with django_capture_on_commit_callbacks(execute=True):
        directive = _issue(world, due_on=due)
    notification = Notification.objects.get(kind=Kind.DIRECTIVE_ISSUED)
    with translation.override("en"):
        assert notification.message() == (
            f"New directive for your unit: {directive.number} {directive.title}, "
            f"due on {notification._translated_params()['due_on']}."
        )
    assert notification.url == directive.get_absolute_url()
