"""The life of an obstacle, step by step, and who may take each step."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tests.conftest import ENTERPRISE_TAX_CODE
from tests.factories import EnterpriseFactory, ObstacleFactory, ProjectFactory, user_with_role
from vanco.accounts.enums import Role
from vanco.core.services import StaleEditError
from vanco.notifications.models import Kind, Notification
from vanco.obstacles import services
from vanco.obstacles.enums import Category, EventKind, Level, Source, Status
from vanco.obstacles.models import CategoryLimit, Obstacle

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(world):
    return EnterpriseFactory(tax_code=ENTERPRISE_TAX_CODE, locality=world["district_a"])


def _raise(actor, enterprise, **data):
    return services.raise_obstacle(
        actor=actor,
        data={
            "title": "Chưa được cấp điện 22kV",
            "description": "Nhà máy chờ đấu nối từ tháng 9.",
            "category": Category.POWER,
            "enterprise": enterprise,
            **data,
        },
    )


def _assigned(world, company, **kwargs):
    obstacle = _raise(world["users"][Role.ENTERPRISE], company)
    return services.assign_obstacle(
        actor=world["users"][Role.COORDINATOR],
        obstacle=obstacle,
        lead_department=world["dept_a"],
        **kwargs,
    )


def test_enterprise_user_files_obstacle_for_own_company(
    world, company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        obstacle = _raise(world["users"][Role.ENTERPRISE], company)
    assert obstacle.status == Status.SUBMITTED
    assert obstacle.source == Source.ENTERPRISE
    assert obstacle.locality == world["district_a"]
    assert list(obstacle.events.values_list("kind", flat=True)) == [EventKind.CREATED]
    coordinators = Notification.objects.filter(kind=Kind.OBSTACLE_SUBMITTED)
    assert list(coordinators.values_list("user__username", flat=True)) == ["coordinator"]


def test_enterprise_user_files_for_own_company_without_choosing_it(world, company):
    obstacle = _raise(world["users"][Role.ENTERPRISE], None)
    assert (obstacle.enterprise, obstacle.source) == (company, Source.ENTERPRISE)


def test_enterprise_user_cannot_file_for_another_company(world, company):
    other = EnterpriseFactory(locality=world["district_a"])
    with pytest.raises(Http404):
        _raise(world["users"][Role.ENTERPRISE], other)
    assert Obstacle.objects.count() == 0


def test_obstacle_needs_project_or_enterprise(world):
    with pytest.raises(ValidationError) as error:
        _raise(world["users"][Role.COORDINATOR], None)
    assert error.value.message_dict == {"project": ["Hãy chọn dự án hoặc doanh nghiệp liên quan."]}


def test_obstacle_of_project_takes_its_investor_and_locality(world):
    project = ProjectFactory(investor=EnterpriseFactory(locality=world["district_b"]))
    obstacle = _raise(world["users"][Role.COORDINATOR], None, project=project)
    assert (obstacle.enterprise, obstacle.locality) == (project.investor, world["district_b"])
    assert obstacle.source == Source.OFFICIAL


def test_assignment_due_date_follows_category_limit(
    world, company, django_capture_on_commit_callbacks
):
    CategoryLimit.objects.filter(category=Category.POWER).update(time_limit_days=12)
    with django_capture_on_commit_callbacks(execute=True):
        obstacle = _assigned(world, company)
    assert obstacle.status == Status.ASSIGNED
    assert obstacle.due_on == timezone.localdate() + datetime.timedelta(days=12)
    notified = Notification.objects.filter(kind=Kind.OBSTACLE_ASSIGNED)
    assert list(notified.values_list("user__username", flat=True)) == ["dept_a"]


def test_assignment_other_due_date_needs_reason(world, company):
    obstacle = _raise(world["users"][Role.ENTERPRISE], company)
    later = timezone.localdate() + datetime.timedelta(days=40)
    with pytest.raises(ValidationError) as error:
        services.assign_obstacle(
            actor=world["users"][Role.COORDINATOR],
            obstacle=obstacle,
            lead_department=world["dept_a"],
            due_on=later,
        )
    assert list(error.value.message_dict) == ["reason"]
    assigned = services.assign_obstacle(
        actor=world["users"][Role.COORDINATOR],
        obstacle=obstacle,
        lead_department=world["dept_a"],
        due_on=later,
        reason="Cần thẩm định của Bộ Công Thương",
    )
    assert assigned.due_on == later


@pytest.mark.parametrize(
    ("role", "refusal"),
    [
        (Role.LOCALITY, PermissionDenied),
        (Role.LEADER, PermissionDenied),
        (Role.ENTERPRISE, PermissionDenied),
        # Not yet assigned to any department: it does not exist for a department officer.
        (Role.DEPARTMENT, Http404),
    ],
)
def test_only_coordinator_assigns(world, company, role, refusal):
    obstacle = _raise(world["users"][Role.ENTERPRISE], company)
    with pytest.raises(refusal):
        services.assign_obstacle(
            actor=world["users"][role], obstacle=obstacle, lead_department=world["dept_a"]
        )


def test_full_life_to_closed_with_rating(world, company):
    obstacle = _assigned(world, company)
    dept = world["users"][Role.DEPARTMENT]
    services.accept_obstacle(actor=dept, obstacle=obstacle)
    services.start_work(actor=dept, obstacle=obstacle)
    resolved = services.resolve_obstacle(
        actor=dept, obstacle=obstacle, resolution="Đã đóng điện trạm 22kV."
    )
    assert (resolved.status, resolved.resolved_on_time, resolved.days_to_resolve) == (
        Status.RESOLVED,
        True,
        0,
    )
    closed = services.confirm_obstacle(
        actor=world["users"][Role.ENTERPRISE], obstacle=obstacle, rating=4, comment="Nhanh"
    )
    assert (closed.status, closed.rating) == (Status.CLOSED, 4)
    kinds = list(closed.events.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == ["created", "assigned", "accepted", "started", "resolved", "closed"]


def test_other_department_cannot_work_on_it(world, company):
    obstacle = _assigned(world, company)
    with pytest.raises(Http404):
        services.accept_obstacle(actor=world["others"]["dept_b"], obstacle=obstacle)


def test_cooperating_department_sees_but_cannot_accept(world, company):
    obstacle = _raise(world["users"][Role.ENTERPRISE], company)
    services.assign_obstacle(
        actor=world["users"][Role.COORDINATOR],
        obstacle=obstacle,
        lead_department=world["dept_a"],
        cooperating=[world["dept_b"]],
    )
    dept_b = world["others"]["dept_b"]
    assert Obstacle.objects.visible_to(dept_b).filter(pk=obstacle.pk).exists()
    with pytest.raises(PermissionDenied):
        services.accept_obstacle(actor=dept_b, obstacle=obstacle)


def test_only_raiser_confirms(world, company):
    obstacle = _assigned(world, company)
    dept = world["users"][Role.DEPARTMENT]
    services.accept_obstacle(actor=dept, obstacle=obstacle)
    services.resolve_obstacle(actor=dept, obstacle=obstacle, resolution="Xong")
    with pytest.raises(PermissionDenied):
        services.confirm_obstacle(
            actor=world["users"][Role.COORDINATOR], obstacle=obstacle, rating=5
        )
    with pytest.raises(ValidationError):
        services.confirm_obstacle(
            actor=world["users"][Role.ENTERPRISE], obstacle=obstacle, rating=6
        )


def test_reopen_sends_back_to_department(world, company):
    obstacle = _assigned(world, company)
    dept = world["users"][Role.DEPARTMENT]
    services.accept_obstacle(actor=dept, obstacle=obstacle)
    services.resolve_obstacle(actor=dept, obstacle=obstacle, resolution="Xong")
    reopened = services.reopen_obstacle(
        actor=world["users"][Role.ENTERPRISE], obstacle=obstacle, reason="Vẫn mất điện"
    )
    assert (reopened.status, reopened.resolved_at, reopened.resolved_on_time) == (
        Status.REOPENED,
        None,
        None,
    )
    assert services.start_work(actor=dept, obstacle=obstacle).status == Status.IN_PROGRESS


def test_hand_back_returns_to_coordinator(world, company, django_capture_on_commit_callbacks):
    obstacle = _assigned(world, company)
    dept = world["users"][Role.DEPARTMENT]
    with pytest.raises(ValidationError):
        services.hand_back(actor=dept, obstacle=obstacle, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        back = services.hand_back(actor=dept, obstacle=obstacle, reason="Thuộc Sở Công Thương")
    assert (back.status, back.lead_department, back.due_on) == (Status.SUBMITTED, None, None)
    assert Notification.objects.filter(kind=Kind.OBSTACLE_HANDED_BACK).count() == 1
    # Handed back, it is no longer the department's to see.
    assert not Obstacle.objects.visible_to(dept).filter(pk=obstacle.pk).exists()


def test_stale_version_refused(world, company):
    obstacle = _assigned(world, company)
    with pytest.raises(StaleEditError):
        services.accept_obstacle(
            actor=world["users"][Role.DEPARTMENT], obstacle=obstacle, expected_version=1
        )


def test_wrong_state_refused_with_message(world, company):
    obstacle = _raise(world["users"][Role.ENTERPRISE], company)
    with pytest.raises(ValidationError) as error:
        services.confirm_obstacle(
            actor=world["users"][Role.ENTERPRISE], obstacle=obstacle, rating=5
        )
    assert error.value.code == "wrong_status"


def test_late_resolution_is_not_on_time(world, company):
    obstacle = _assigned(world, company)
    dept = world["users"][Role.DEPARTMENT]
    services.accept_obstacle(actor=dept, obstacle=obstacle)
    late = timezone.now() + datetime.timedelta(days=40)
    resolved = services.resolve_obstacle(actor=dept, obstacle=obstacle, resolution="Xong", now=late)
    assert (resolved.resolved_on_time, resolved.days_to_resolve) == (False, 40)


def test_escalation_climbs_one_level_per_step(world, company, settings):
    settings.VANCO_ESCALATION_STEP_DAYS = 7
    obstacle = _assigned(world, company)
    due = obstacle.due_on
    assert services.escalate_overdue(today=due) == 0
    assert services.escalate_overdue(today=due + datetime.timedelta(days=1)) == 1
    assert services.escalate_overdue(today=due + datetime.timedelta(days=1)) == 0
    obstacle.refresh_from_db()
    assert obstacle.escalation_level == Level.DEPARTMENT
    assert services.escalate_overdue(today=due + datetime.timedelta(days=8)) == 1
    # Forgotten for a month: one more level per run, never two at once.
    assert services.escalate_overdue(today=due + datetime.timedelta(days=40)) == 1
    assert services.escalate_overdue(today=due + datetime.timedelta(days=40)) == 0
    obstacle.refresh_from_db()
    assert obstacle.escalation_level == Level.GROUP
    levels = list(obstacle.events.filter(kind=EventKind.ESCALATED).values_list("level", flat=True))
    assert levels == [1, 2, 3]


def test_escalation_to_leader_notifies_project_leader(world, django_capture_on_commit_callbacks):
    leader = world["users"][Role.LEADER]
    other_leader = user_with_role(Role.LEADER)
    project = ProjectFactory(
        investor=EnterpriseFactory(locality=world["district_a"]), leader=leader
    )
    obstacle = _raise(world["users"][Role.COORDINATOR], None, project=project)
    coordinator = world["users"][Role.COORDINATOR]
    services.assign_obstacle(actor=coordinator, obstacle=obstacle, lead_department=world["dept_a"])
    with django_capture_on_commit_callbacks(execute=True):
        services.escalate_obstacle(actor=coordinator, obstacle=obstacle, reason="Khẩn")
        services.escalate_obstacle(actor=coordinator, obstacle=obstacle, reason="Khẩn hơn")
    escalated = Notification.objects.filter(kind=Kind.OBSTACLE_ESCALATED)
    assert list(escalated.values_list("user__username", "params__level_code")) == [
        (leader.username, 2),
        ("dept_a", 1),
    ]
    assert not escalated.filter(user=other_leader).exists()


def test_manual_escalation_needs_reason_and_role(world, company):
    obstacle = _assigned(world, company)
    with pytest.raises(ValidationError):
        services.escalate_obstacle(
            actor=world["users"][Role.COORDINATOR], obstacle=obstacle, reason=" "
        )
    with pytest.raises(PermissionDenied):
        services.escalate_obstacle(
            actor=world["users"][Role.DEPARTMENT], obstacle=obstacle, reason="x"
        )


def test_notification_email_in_recipient_language(
    world, company, django_capture_on_commit_callbacks
):
    dept = world["users"][Role.DEPARTMENT]
    dept.language = "zh-hans"
    dept.save()
    with django_capture_on_commit_callbacks(execute=True):
        _assigned(world, company)
    note = Notification.objects.get(kind=Kind.OBSTACLE_ASSIGNED, user=dept)
    sent = [message for message in mail.outbox if message.to == [dept.email]]
    assert len(sent) == 1
    # Worded when sent, in the recipient's language, whatever the sender's.
    assert f"问题诉求 {note.params['obstacle']}" in sent[0].body


def test_scope_enterprise_never_sees_other_company_obstacle(world, company):
    other = EnterpriseFactory(locality=world["district_a"])
    ObstacleFactory(enterprise=other)
    mine = ObstacleFactory(enterprise=company)
    visible = Obstacle.objects.visible_to(world["users"][Role.ENTERPRISE])
    assert list(visible.values_list("pk", flat=True)) == [mine.pk]


def test_allowed_actions_follow_state_and_role(world, company):
    obstacle = _assigned(world, company)
    assert services.allowed_actions(actor=world["users"][Role.DEPARTMENT], obstacle=obstacle) == [
        "accept",
        "hand_back",
    ]
    assert services.allowed_actions(actor=world["users"][Role.COORDINATOR], obstacle=obstacle) == [
        "assign",
        "due",
        "escalate",
    ]
    assert services.allowed_actions(actor=world["users"][Role.ENTERPRISE], obstacle=obstacle) == []


def test_tick_command_escalates_and_reminds(world, company, settings):
    from django.core.management import call_command

    settings.VANCO_OBSTACLE_DUE_SOON_DAYS = 3
    obstacle = _assigned(world, company)
    out = __import__("io").StringIO()
    day = obstacle.due_on + datetime.timedelta(days=1)
    call_command("obstacles_tick", "--today", day.isoformat(), stdout=out)
    assert out.getvalue().startswith("escalated 1, obstacle reminders 1,")
    obstacle.refresh_from_db()
    assert obstacle.escalation_level == Level.DEPARTMENT
    overdue = Notification.objects.filter(kind=Kind.OBSTACLE_OVERDUE)
    assert list(overdue.values_list("user__username", flat=True)) == ["dept_a"]


def test_cadre_sees_paired_enterprise_and_its_projects_only(world):
    from tests.factories import PairingFactory
    from vanco.enterprises.models import Enterprise
    from vanco.projects.models import Project

    cadre = world["users"][Role.CADRE]
    paired = EnterpriseFactory(locality=world["district_b"])
    other = EnterpriseFactory(locality=world["district_b"])
    PairingFactory(official=cadre, enterprise=paired)
    ended = PairingFactory(official=cadre, enterprise=other, ends_on=datetime.date(2026, 6, 1))
    project = ProjectFactory(investor=paired)
    ProjectFactory(investor=other)
    assert list(Enterprise.objects.visible_to(cadre).values_list("pk", flat=True)) == [paired.pk]
    assert list(Project.objects.visible_to(cadre).values_list("pk", flat=True)) == [project.pk]
    assert ended.enterprise_id == other.pk


def test_department_sees_projects_of_its_obstacles_only(world, company):
    from vanco.projects.models import Project

    project = ProjectFactory(investor=EnterpriseFactory(locality=world["district_b"]))
    ProjectFactory(investor=EnterpriseFactory(locality=world["district_b"]))
    obstacle = _raise(world["users"][Role.COORDINATOR], None, project=project)
    dept_b = world["others"]["dept_b"]
    assert list(Project.objects.visible_to(dept_b)) == []
    services.assign_obstacle(
        actor=world["users"][Role.COORDINATOR],
        obstacle=obstacle,
        lead_department=world["dept_a"],
        cooperating=[world["dept_b"]],
    )
    assert list(Project.objects.visible_to(dept_b)) == [project]
    assert list(Obstacle.objects.visible_to(dept_b)) == [obstacle]


def test_reassignment_starts_escalation_again(world, company):
    obstacle = _assigned(world, company)
    coordinator = world["users"][Role.COORDINATOR]
    services.escalate_obstacle(actor=coordinator, obstacle=obstacle, reason="Chậm")
    reassigned = services.assign_obstacle(
        actor=coordinator, obstacle=obstacle, lead_department=world["dept_b"]
    )
    assert (reassigned.escalation_level, reassigned.escalated_at) == (Level.NONE, None)
    assert reassigned.events.filter(kind=EventKind.ESCALATED).count() == 1


def test_obstacle_enterprise_must_be_the_projects_investor(world, company):
    project = ProjectFactory(investor=EnterpriseFactory(locality=world["district_a"]))
    with pytest.raises(ValidationError) as error:
        _raise(world["users"][Role.COORDINATOR], company, project=project)
    assert list(error.value.message_dict) == ["enterprise"]
    assert Obstacle.objects.count() == 0
