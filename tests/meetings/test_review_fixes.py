"""Fixes from review V2: agenda items scoped like what they are about (page and API), the issuer
of a directive, the proposed red projects by importance, the audit of agenda changes, a huge
meeting key in the filters, the reopen notification, one meaning of overdue, the directive
list at 360 px."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import EnterpriseFactory, ObstacleFactory, ProjectFactory, user_with_role
from tests.meetings.factories import DirectiveFactory, MeetingFactory
from tests.projects.test_api import Api
from vanco.accounts.enums import Role
from vanco.meetings import notices, services
from vanco.meetings.enums import AgendaSource, DirectiveStatus, MeetingKind
from vanco.meetings.forms import DirectiveForm
from vanco.meetings.models import AgendaItem, Directive
from vanco.notifications.models import Kind, Notification
from vanco.obstacles.enums import Level
from vanco.obstacles.enums import Status as ObstacleStatus
from vanco.projects.enums import Light

pytestmark = pytest.mark.django_db


def _red(world, district: str, name: str, **kwargs):
    company = EnterpriseFactory(locality=world[district])
    return ProjectFactory(name=name, investor=company, light=Light.RED, **kwargs)


# --- finding 1: agenda items are scoped like what they are about ------------------------------


@pytest.fixture
def mixed_agenda(world):
    """A meeting whose agenda has district A's and district B's red projects, an obstacle of
    district B, a directive assigned to district B only, and a free item."""
    meeting = MeetingFactory()
    own = _red(world, "district_a", "Nhà máy Ánh Dương")
    other = _red(world, "district_b", "Nhà máy Bình Sơn")
    obstacle = ObstacleFactory(
        enterprise=EnterpriseFactory(locality=world["district_b"]),
        title="Vướng mặt bằng Bình Sơn",
        status=ObstacleStatus.ASSIGNED,
        escalation_level=Level.GROUP,
    )
    directive = DirectiveFactory(
        title="Chỉ đạo riêng Bình Sơn",
        issued_by=world["users"][Role.LEADER],
        localities=[world["district_b"]],
    )
    rows = [
        dict(title=own.name, source=AgendaSource.RED_PROJECT, project=own),
        dict(
            title=other.name, source=AgendaSource.RED_PROJECT, project=other, notes="Chậm 9 tháng"
        ),
        dict(title=obstacle.title, source=AgendaSource.ESCALATED_OBSTACLE, obstacle=obstacle),
        dict(title=str(directive), source=AgendaSource.OVERDUE_DIRECTIVE, directive=directive),
        dict(title="Vốn đầu tư công", source=AgendaSource.OTHER),
    ]
    for position, row in enumerate(rows, start=1):
        AgendaItem.objects.create(meeting=meeting, position=position, **row)
    return meeting


def test_meeting_page_hides_agenda_items_about_out_of_scope_records(client, world, mixed_agenda):
    client.force_login(world["users"][Role.LOCALITY])
    response = client.get(mixed_agenda.get_absolute_url())
    assert response.status_code == 200
    assert [item.title for item in response.context["agenda"]] == [
        "Nhà máy Ánh Dương",
        "Vốn đầu tư công",
    ]
    content = response.content.decode()
    leaked = ["Nhà máy Bình Sơn", "Chậm 9 tháng", "Vướng mặt bằng Bình Sơn", "Chỉ đạo riêng"]
    assert [word for word in leaked if word in content] == []


def test_meeting_page_shows_every_agenda_item_to_the_coordinator(client, world, mixed_agenda):
    client.force_login(world["users"][Role.COORDINATOR])
    response = client.get(mixed_agenda.get_absolute_url())
    assert len(response.context["agenda"]) == 5


def test_agenda_add_by_a_locality_officer_is_refused(client, world, mixed_agenda):
    # The htmx fragment after adding an item is read by the coordinator; a locality officer
    # posting is refused before anything is read (403), so the agenda never leaks that way.
    client.force_login(world["users"][Role.LOCALITY])
    url = reverse("meetings:agenda-add", args=[mixed_agenda.pk])
    assert client.post(url, {"title": "X"}, HTTP_HX_REQUEST="true").status_code == 403


def test_api_meeting_agenda_hides_out_of_scope_items(world, mixed_agenda):
    response = Api(world["users"][Role.LOCALITY]).get(f"/api/v1/meetings/{mixed_agenda.pk}")
    assert response.status_code == 200
    agenda = response.json()["agenda"]
    assert [(item["title"], item["project_id"]) for item in agenda] == [
        ("Nhà máy Ánh Dương", mixed_agenda.agenda.get(position=1).project_id),
        ("Vốn đầu tư công", None),
    ]
    other_officer = Api(world["others"]["loc_b"]).get(f"/api/v1/meetings/{mixed_agenda.pk}")
    assert [item["title"] for item in other_officer.json()["agenda"]] == [
        "Nhà máy Bình Sơn",
        "Vướng mặt bằng Bình Sơn",
        mixed_agenda.agenda.get(position=4).title,
        "Vốn đầu tư công",
    ]


def test_agenda_item_out_of_scope_is_404_on_the_decision_page(client, world, mixed_agenda):
    client.force_login(world["users"][Role.LOCALITY])
    other = mixed_agenda.agenda.get(position=2)
    url = reverse("meetings:agenda-decision", args=[other.pk])
    assert client.get(url).status_code == 404


# --- finding 3: a leader is the issuer of their directives ------------------------------------


def _data():
    return {
        "title": "Rà soát quỹ đất sạch",
        "text": "Báo cáo quỹ đất sạch trong tháng.",
        "due_on": timezone.localdate() + datetime.timedelta(days=7),
    }


def test_leader_cannot_issue_in_another_leaders_name(world):
    other_leader = user_with_role(Role.LEADER, username="leader2")
    with pytest.raises(ValidationError) as refused:
        services.issue_directive(
            actor=world["users"][Role.LEADER],
            data=_data(),
            departments=[world["dept_a"]],
            issued_by=other_leader,
        )
    assert list(refused.value.error_dict) == ["issued_by"]
    assert refused.value.error_dict["issued_by"][0].code == "not_your_name"
    assert Directive.objects.count() == 0


def test_leader_naming_themselves_and_coordinator_for_a_leader_are_accepted(world):
    leader = world["users"][Role.LEADER]
    own = services.issue_directive(
        actor=leader, data=_data(), departments=[world["dept_a"]], issued_by=leader
    )
    behalf = services.issue_directive(
        actor=world["users"][Role.COORDINATOR],
        data=_data(),
        departments=[world["dept_a"]],
        issued_by=leader,
    )
    assert [own.issued_by_id, behalf.issued_by_id] == [leader.pk, leader.pk]
    assert services.allowed_actions(actor=leader, directive=behalf) == ["due"]


def test_directive_form_has_issuer_field_for_the_coordinator_only(world):
    leader_form = DirectiveForm(user=world["users"][Role.LEADER])
    coordinator_form = DirectiveForm(user=world["users"][Role.COORDINATOR])
    assert ["issued_by" in leader_form.fields, "issued_by" in coordinator_form.fields] == [
        False,
        True,
    ]


def test_directive_issue_page_by_a_leader_ignores_a_posted_issuer(client, world):
    other_leader = user_with_role(Role.LEADER, username="leader2")
    leader = world["users"][Role.LEADER]
    client.force_login(leader)
    data = _data()
    response = client.post(
        reverse("meetings:directive-issue"),
        {
            "title": data["title"],
            "text": data["text"],
            "due_on": data["due_on"].isoformat(),
            "departments": [world["dept_a"].pk],
            "issued_by": other_leader.pk,
        },
    )
    assert response.status_code == 302
    assert list(Directive.objects.values_list("issued_by", flat=True)) == [leader.pk]


def test_api_leader_naming_another_issuer_is_a_422(world):
    other_leader = user_with_role(Role.LEADER, username="leader2")
    data = _data()
    response = Api(world["users"][Role.LEADER]).post(
        "/api/v1/directives",
        {
            "title": data["title"],
            "text": data["text"],
            "due_on": data["due_on"].isoformat(),
            "department_ids": [world["dept_a"].pk],
            "issued_by_id": other_leader.pk,
        },
    )
    assert response.status_code == 422, response.content
    assert Directive.objects.count() == 0


# --- finding 6: the most important red projects are proposed, the rest announced ---------------


def test_proposed_red_projects_most_important_first(world, monkeypatch):
    monkeypatch.setattr(services, "PROPOSAL_LIMIT", 3)
    _red(world, "district_a", "A nhỏ", planned_investment=10)
    big = _red(world, "district_a", "B lớn", planned_investment=900)
    major = _red(world, "district_b", "C trọng điểm", planned_investment=5, major_flag=True)
    medium = _red(world, "district_b", "D vừa", planned_investment=300)
    same = _red(world, "district_b", "AA vừa", planned_investment=300)
    coordinator = world["users"][Role.COORDINATOR]
    proposals = services.propose_agenda(actor=coordinator)
    assert [p.project for p in proposals if p.project] == [major, big, same]
    assert services.red_projects_left_out(actor=coordinator) == 2
    assert medium not in [p.project for p in proposals]


def test_meeting_form_says_how_many_red_projects_are_left_out(client, world, monkeypatch):
    monkeypatch.setattr(services, "PROPOSAL_LIMIT", 1)
    for name in ("Một", "Hai", "Ba"):
        _red(world, "district_a", name)
    client.force_login(world["users"][Role.COORDINATOR])
    response = client.get(reverse("meetings:meeting-create"))
    assert response.context["red_left_out"] == 2
    assert response.context["red_list_url"] == reverse("projects:project-list") + "?light=red"
    assert 'data-testid="red-left-out"' in response.content.decode()


def test_meeting_form_says_nothing_when_every_red_project_is_proposed(client, world):
    _red(world, "district_a", "Một")
    client.force_login(world["users"][Role.COORDINATOR])
    response = client.get(reverse("meetings:meeting-create"))
    assert response.context["red_left_out"] == 0
    assert 'data-testid="red-left-out"' not in response.content.decode()


# --- finding 7: agenda creation and moves are audited -----------------------------------------


def _agenda_log(action):
    return LogEntry.objects.filter(content_type__model="agendaitem", action=action)


def test_create_meeting_and_move_item_write_audit_entries(world):
    coordinator = world["users"][Role.COORDINATOR]
    for name in ("Một", "Hai", "Ba"):
        _red(world, "district_a", name)
    meeting = services.create_meeting(
        actor=coordinator,
        data={
            "kind": MeetingKind.LEADING_GROUP,
            "title": "Họp BCĐ",
            "starts_at": timezone.now() + datetime.timedelta(days=2),
        },
        proposals=services.propose_agenda(actor=coordinator),
    )
    created = _agenda_log(LogEntry.Action.CREATE)
    assert [created.count(), created.filter(actor=coordinator).count()] == [3, 3]
    first, second, third = meeting.agenda.order_by("position").values_list("title", flat=True)
    services.move_agenda_item(actor=coordinator, item=meeting.agenda.get(position=3), offset=-1)
    updated = _agenda_log(LogEntry.Action.UPDATE).filter(actor=coordinator)
    assert updated.count() == 2
    assert list(meeting.agenda.order_by("position").values_list("title", flat=True)) == [
        first,
        third,
        second,
    ]


# --- finding 9: a huge meeting key is no 500 ---------------------------------------------------

HUGE = "99999999999999999999"


@pytest.mark.parametrize("name", ["meetings:directive-list", "meetings:directive-inbox"])
@pytest.mark.parametrize("value", [HUGE, "1.5", "-3", "abc"])
def test_directive_lists_with_a_bad_meeting_key_show_no_rows(client, world, name, value):
    DirectiveFactory(issued_by=world["users"][Role.LEADER], departments=[world["dept_a"]])
    client.force_login(world["users"][Role.DEPARTMENT])
    response = client.get(reverse(name), {"meeting": value})
    assert response.status_code == 200
    assert list(response.context["rows"]) == []


def test_directive_export_with_a_huge_meeting_key_is_no_500(client, world):
    client.force_login(world["users"][Role.DEPARTMENT])
    response = client.get(reverse("meetings:directive-list"), {"meeting": HUGE, "export": "xlsx"})
    assert response.status_code in (200, 302)


def test_api_directives_with_a_huge_meeting_key_is_a_422(world):
    response = Api(world["users"][Role.DEPARTMENT]).get("/api/v1/directives", {"meeting": HUGE})
    assert response.status_code == 422, response.content


def test_directive_list_meeting_filter_still_works(client, world):
    meeting = MeetingFactory()
    at_meeting = DirectiveFactory(
        issued_by=world["users"][Role.LEADER], departments=[world["dept_a"]], meeting=meeting
    )
    DirectiveFactory(issued_by=world["users"][Role.LEADER], departments=[world["dept_a"]])
    client.force_login(world["users"][Role.DEPARTMENT])
    response = client.get(reverse("meetings:directive-list"), {"meeting": meeting.pk})
    assert [obj.pk for obj, *_rest in response.context["rows"]] == [at_meeting.pk]


# --- findings 10 and 11: the reopen notification, overdue at once ------------------------------


def _done(world, **kwargs):
    return DirectiveFactory(
        issued_by=world["users"][Role.LEADER],
        departments=[world["dept_a"]],
        status=DirectiveStatus.DONE,
        done_at=timezone.now(),
        **kwargs,
    )


def test_reopen_sends_its_own_notification_with_the_reason(
    world, django_capture_on_commit_callbacks
):
    directive = _done(world)
    officer = world["users"][Role.DEPARTMENT]
    with django_capture_on_commit_callbacks(execute=True):
        services.reopen_directive(
            actor=world["users"][Role.LEADER], directive=directive, reason="Thiếu biên bản"
        )
    sent = Notification.objects.filter(user=officer)
    assert list(sent.values_list("kind", flat=True)) == [Kind.DIRECTIVE_REOPENED]
    assert sent.get().params["comment"] == "Thiếu biên bản"
    assert "Thiếu biên bản" in sent.get().message()
    event = directive.updates.get(kind="reopened")
    assert notices.reopened(directive, reason="Thiếu biên bản", event_pk=event.pk) == 0
    assert sent.count() == 1


def test_reopen_twice_notifies_twice(world, django_capture_on_commit_callbacks):
    directive = _done(world)
    leader = world["users"][Role.LEADER]
    officer = world["users"][Role.DEPARTMENT]
    with django_capture_on_commit_callbacks(execute=True):
        services.reopen_directive(actor=leader, directive=directive, reason="Lần một")
        services.complete_directive(actor=officer, directive=directive, evidence="Xong")
        services.reopen_directive(actor=leader, directive=directive, reason="Lần hai")
    reopened = Notification.objects.filter(user=officer, kind=Kind.DIRECTIVE_REOPENED)
    assert sorted(n.params["comment"] for n in reopened) == ["Lần hai", "Lần một"]


def test_reopen_past_due_is_overdue_at_once_and_lists_agree(client, world):
    today = timezone.localdate()
    directive = _done(world, due_on=today - datetime.timedelta(days=3))
    reopened = services.reopen_directive(
        actor=world["users"][Role.LEADER], directive=directive, reason="Chưa đạt"
    )
    assert reopened.is_overdue is True
    client.force_login(world["users"][Role.DEPARTMENT])
    listed = client.get(reverse("meetings:directive-list"), {"overdue": "yes"})
    proposed = services.propose_agenda(actor=world["users"][Role.COORDINATOR])
    assert [obj.pk for obj, *_rest in listed.context["rows"]] == [directive.pk]
    assert [p.directive for p in proposed if p.directive] == [reopened]


def test_reopen_before_due_is_not_overdue(world):
    directive = _done(world, due_on=timezone.localdate() + datetime.timedelta(days=3))
    reopened = services.reopen_directive(
        actor=world["users"][Role.LEADER], directive=directive, reason="Chưa đạt"
    )
    assert reopened.is_overdue is False


def test_change_due_date_recomputes_overdue(world):
    today = timezone.localdate()
    directive = DirectiveFactory(
        issued_by=world["users"][Role.LEADER],
        departments=[world["dept_a"]],
        due_on=today - datetime.timedelta(days=2),
        is_overdue=True,
    )
    moved = services.change_due_date(
        actor=world["users"][Role.LEADER],
        directive=directive,
        due_on=today + datetime.timedelta(days=5),
        reason="Chờ vốn",
    )
    assert moved.is_overdue is False


# --- finding 13: the directive list at 360 px ---------------------------------------------------


def test_directive_list_hides_the_due_date_column_below_sm(client, world):
    DirectiveFactory(issued_by=world["users"][Role.LEADER], departments=[world["dept_a"]])
    client.force_login(world["users"][Role.DEPARTMENT])
    response = client.get(reverse("meetings:directive-list"))
    columns = {column.name: column.css for column in response.context["columns"]}
    assert columns["due_on"] == "text-nowrap d-none d-sm-table-cell"
    assert columns["status"] == ""
