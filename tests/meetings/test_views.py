"""Meeting and directive pages: who sees what (404 out of scope, 403 without the action), the
meeting prepared from the proposed agenda, the agenda edited through htmx, the steps of a
directive, the inbox counts, exports, and bounded queries whatever the data size."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.meetings.factories import DirectiveFactory, MeetingFactory
from vanco.accounts.enums import Role
from vanco.meetings import services
from vanco.meetings.enums import DirectiveStatus, MeetingStatus, UpdateKind
from vanco.meetings.models import AgendaItem, Directive, Meeting

pytestmark = pytest.mark.django_db


def login(client, world, role):
    user = world["users"].get(role) or world["others"][role]
    client.force_login(user)
    return client


def _directive(world, **kwargs):
    kwargs.setdefault("departments", [world["dept_a"]])
    return DirectiveFactory(issued_by=world["users"][Role.LEADER], **kwargs)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.LEADER, 200),
        (Role.COORDINATOR, 200),
        (Role.AUDITOR, 200),
        (Role.DEPARTMENT, 200),
        (Role.LOCALITY, 200),
        (Role.CADRE, 404),
        (Role.ENTERPRISE, 404),
    ],
)
def test_meeting_detail_readers_only(client, world, role, status):
    meeting = MeetingFactory()
    response = login(client, world, role).get(meeting.get_absolute_url())
    assert response.status_code == status


def test_directive_detail_scoped_to_assigned_department(client, world):
    mine = _directive(world)
    theirs = _directive(world, departments=[world["dept_b"]])
    login(client, world, Role.DEPARTMENT)
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("meetings:directive-step", args=[theirs.pk, "acknowledge"])).status_code
        == 404
    )
    listed = client.get(reverse("meetings:directive-list"))
    assert [obj.pk for obj, *_rest in listed.context["rows"]] == [mine.pk]


def test_directive_list_locality_sees_its_subtree_only(client, world):
    in_commune = _directive(world, departments=[], localities=[world["commune_a"]])
    _directive(world, departments=[], localities=[world["district_b"]])
    login(client, world, Role.LOCALITY)
    listed = client.get(reverse("meetings:directive-list"))
    assert [obj.pk for obj, *_rest in listed.context["rows"]] == [in_commune.pk]


def test_inbox_counts_new_in_progress_overdue(client, world):
    _directive(world)
    _directive(world, status=DirectiveStatus.IN_PROGRESS)
    _directive(
        world,
        status=DirectiveStatus.ACKNOWLEDGED,
        is_overdue=True,
        due_on=timezone.localdate() - datetime.timedelta(days=2),
    )
    _directive(world, status=DirectiveStatus.DONE)
    _directive(world, departments=[world["dept_b"]])
    response = login(client, world, Role.DEPARTMENT).get(reverse("meetings:directive-inbox"))
    assert response.status_code == 200
    assert response.context["inbox_counts"] == {"new": 1, "in_progress": 2, "overdue": 1}
    assert response.context["paginator"].count == 3


def test_inbox_needs_directives_work(client, world):
    response = login(client, world, Role.LEADER).get(reverse("meetings:directive-inbox"))
    assert response.status_code == 403


def test_directive_list_filters_overdue_and_exports(client, world):
    late = _directive(world, is_overdue=True)
    _directive(world)
    login(client, world, Role.COORDINATOR)
    listed = client.get(reverse("meetings:directive-list"), {"overdue": "yes"})
    assert [obj.pk for obj, *_rest in listed.context["rows"]] == [late.pk]
    exported = client.get(reverse("meetings:directive-list"), {"overdue": "yes", "export": "xlsx"})
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("application/vnd.openxmlformats")


def test_meeting_list_and_export(client, world):
    MeetingFactory(title="Họp BCĐ quý IV")
    login(client, world, Role.COORDINATOR)
    response = client.get(reverse("meetings:meeting-list"))
    assert [obj.title for obj, _cells in response.context["rows"]] == ["Họp BCĐ quý IV"]
    assert client.get(reverse("meetings:meeting-list"), {"export": "xlsx"}).status_code == 200


def test_coordinator_prepares_meeting_from_proposed_agenda(client, world):
    overdue = _directive(world, due_on=timezone.localdate() - datetime.timedelta(days=3))
    login(client, world, Role.COORDINATOR)
    page = client.get(reverse("meetings:meeting-create"))
    assert [p.directive for p in page.context["form"].proposal_list] == [overdue]
    response = client.post(
        reverse("meetings:meeting-create"),
        {
            "kind": "leading_group",
            "title": "Họp Ban chỉ đạo tháng 12",
            "starts_at": "2026-12-05T08:00",
            "location": "Hội trường UBND",
            "proposals": [f"overdue_directive:{overdue.pk}"],
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert list(meeting.agenda.values_list("directive", flat=True)) == [overdue.pk]


def test_meeting_create_forbidden_to_leader(client, world):
    response = login(client, world, Role.LEADER).get(reverse("meetings:meeting-create"))
    assert response.status_code == 403


def test_agenda_add_through_htmx_returns_the_agenda(client, world):
    meeting = MeetingFactory()
    login(client, world, Role.COORDINATOR)
    response = client.post(
        reverse("meetings:agenda-add", args=[meeting.pk]),
        {"title": "Tiến độ giải phóng mặt bằng"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Tiến độ giải phóng mặt bằng" in response.content.decode()
    assert "<html" not in response.content.decode()
    item = AgendaItem.objects.get()
    removed = client.post(reverse("meetings:agenda-item", args=[item.pk, "remove"]))
    assert removed.status_code == 302
    assert AgendaItem.objects.count() == 0


def test_agenda_add_refused_to_department(client, world):
    meeting = MeetingFactory()
    login(client, world, Role.DEPARTMENT)
    response = client.post(reverse("meetings:agenda-add", args=[meeting.pk]), {"title": "X"})
    assert response.status_code == 403
    assert AgendaItem.objects.count() == 0


def test_meeting_minutes_and_held(client, world):
    meeting = MeetingFactory()
    login(client, world, Role.COORDINATOR)
    client.post(
        reverse("meetings:meeting-minutes", args=[meeting.pk]),
        {"minutes": "Thống nhất giao Sở KH&ĐT chủ trì.", "version": meeting.version},
    )
    meeting.refresh_from_db()
    client.post(reverse("meetings:meeting-held", args=[meeting.pk]), {"version": meeting.version})
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.status) == (
        "Thống nhất giao Sở KH&ĐT chủ trì.",
        MeetingStatus.HELD,
    )


def test_leader_issues_directive_from_meeting(client, world, django_capture_on_commit_callbacks):
    meeting = MeetingFactory()
    leader = world["users"][Role.LEADER]
    login(client, world, Role.LEADER)
    due = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("meetings:directive-issue") + f"?meeting={meeting.pk}",
            {
                "title": "Báo cáo tiến độ KCN",
                "text": "Các đơn vị báo cáo trước ngày 20.",
                "issued_by": leader.pk,
                "due_on": due,
                "departments": [world["dept_a"].pk],
            },
        )
    directive = Directive.objects.get()
    assert response.status_code == 302
    assert (directive.meeting, directive.issued_by) == (meeting, leader)
    assert list(directive.departments.all()) == [world["dept_a"]]


def test_department_steps_through_the_pages(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    directive = _directive(world)
    login(client, world, Role.DEPARTMENT)
    page = client.get(directive.get_absolute_url())
    assert [name for name, _l, _i in page.context["actions"]] == ["acknowledge", "start"]
    dialog = client.get(
        reverse("meetings:directive-step", args=[directive.pk, "acknowledge"]),
        HTTP_HX_REQUEST="true",
    )
    assert dialog.status_code == 200
    client.post(
        reverse("meetings:directive-step", args=[directive.pk, "acknowledge"]),
        {"note": "", "version": directive.version},
    )
    directive.refresh_from_db()
    refused = client.post(
        reverse("meetings:directive-step", args=[directive.pk, "complete"]),
        {"evidence": "", "version": directive.version},
    )
    assert refused.status_code == 400
    client.post(
        reverse("meetings:directive-step", args=[directive.pk, "complete"]),
        {"evidence": "Đã ký biên bản bàn giao.", "version": directive.version},
    )
    directive.refresh_from_db()
    assert directive.status == DirectiveStatus.DONE
    assert list(directive.updates.values_list("kind", flat=True)) == [
        UpdateKind.ACKNOWLEDGED,
        UpdateKind.DONE,
    ]


def test_step_not_allowed_is_forbidden(client, world):
    directive = _directive(world)
    login(client, world, Role.LEADER)
    url = reverse("meetings:directive-step", args=[directive.pk, "acknowledge"])
    assert client.get(url).status_code == 403


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _grow(world, n):
    meeting = MeetingFactory()
    for i in range(n):
        directive = _directive(world, meeting=meeting, localities=[world["commune_a"]])
        services.comment_directive(
            actor=world["users"][Role.LEADER], directive=directive, note=f"Ghi chú {i}"
        )
        AgendaItem.objects.create(meeting=meeting, position=i + 1, title=f"Mục {i}")
        MeetingFactory()
    return meeting


@pytest.mark.parametrize(
    "url_name",
    ["meetings:meeting-list", "meetings:directive-list", "meetings:directive-inbox"],
)
def test_list_queries_bounded(client, world, url_name):
    role = Role.DEPARTMENT if url_name.endswith("inbox") else Role.COORDINATOR
    login(client, world, role)
    _grow(world, 2)
    small = _count(client, reverse(url_name))
    _grow(world, 15)
    large = _count(client, reverse(url_name))
    assert large == small
    assert large <= 20


def test_meeting_and_directive_detail_queries_bounded(client, world):
    login(client, world, Role.COORDINATOR)
    small_meeting = _grow(world, 2)
    small = _count(client, small_meeting.get_absolute_url())
    large_meeting = _grow(world, 15)
    large = _count(client, large_meeting.get_absolute_url())
    assert large == small
    directive = Directive.objects.filter(meeting=large_meeting).first()
    assert _count(client, directive.get_absolute_url()) <= 25


@pytest.mark.parametrize(
    "url_name", ["meeting-minutes", "meeting-held", "agenda-add", "attachment-upload"]
)
def test_meeting_posts_forbidden_to_readers_hidden_from_others(client, world, url_name):
    meeting = MeetingFactory()
    url = reverse(f"meetings:{url_name}", args=[meeting.pk])
    assert login(client, world, Role.DEPARTMENT).post(url, {}).status_code == 403
    assert login(client, world, Role.CADRE).post(url, {}).status_code == 404
    meeting.refresh_from_db()
    assert (meeting.status, meeting.version) == (MeetingStatus.PLANNED, 1)


def test_directive_comment_refused_to_auditor(client, world):
    directive = _directive(world)
    login(client, world, Role.AUDITOR)
    url = reverse("meetings:directive-comment", args=[directive.pk])
    assert client.post(url, {"note": ""}).status_code == 403
    assert login(client, world, Role.DEPARTMENT).post(url, {"note": "Đã nhận"}).status_code == 302
    assert list(directive.updates.values_list("kind", "note")) == [(UpdateKind.COMMENT, "Đã nhận")]
