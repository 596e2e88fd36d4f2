"""Common problems (services and pages), the metrics page and the concentration page."""

import io

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from tests.factories import EnterpriseFactory, ObstacleFactory
from tests.obstacles.test_metrics import build_dataset
from vanco.accounts.enums import Role
from vanco.obstacles import problems
from vanco.obstacles.enums import EventKind, ProblemStatus
from vanco.obstacles.models import CommonProblem, Obstacle

pytestmark = pytest.mark.django_db


@pytest.fixture
def problem(world):
    return CommonProblem.objects.create(title="Thiếu điện khu công nghiệp")


@pytest.fixture
def pair(world):
    first = ObstacleFactory(
        enterprise=EnterpriseFactory(locality=world["district_a"]), locality=world["district_a"]
    )
    second = ObstacleFactory(
        enterprise=EnterpriseFactory(locality=world["district_b"]), locality=world["district_b"]
    )
    return first, second


def client_for(user) -> Client:
    # Pages speak the user's saved language (the browser's Accept-Language is ignored).
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


# --- services -------------------------------------------------------------------------------


def test_group_obstacles_links_each_records_event_and_audit(world, problem, pair):
    coordinator = world["users"][Role.COORDINATOR]
    changed = problems.group_obstacles(
        actor=coordinator, problem=problem, obstacles=[pair[0].pk, pair[1]], comment="Cùng gốc"
    )
    assert [o.pk for o in changed] == [pair[0].pk, pair[1].pk]
    for obstacle in pair:
        obstacle.refresh_from_db()
        assert (obstacle.common_problem_id, obstacle.version) == (problem.pk, 2)
        events = list(obstacle.events.values_list("kind", "comment", "actor"))
        assert events[-1] == (EventKind.GROUPED, "Cùng gốc", coordinator.pk)
        entry = LogEntry.objects.get_for_object(obstacle).order_by("-pk").first()
        assert (entry.actor_id, entry.changes_dict["common_problem"][1]) == (
            coordinator.pk,
            problem.pk,
        )


def test_group_obstacles_twice_changes_nothing_the_second_time(world, problem, pair):
    coordinator = world["users"][Role.COORDINATOR]
    problems.group_obstacles(actor=coordinator, problem=problem, obstacles=pair)
    assert problems.group_obstacles(actor=coordinator, problem=problem, obstacles=pair) == []
    assert pair[0].events.filter(kind=EventKind.GROUPED).count() == 1


def test_group_obstacles_all_or_nothing_when_one_is_unknown(world, problem, pair):
    with pytest.raises(Http404):
        problems.group_obstacles(
            actor=world["users"][Role.COORDINATOR],
            problem=problem,
            obstacles=[pair[0].pk, 999999],
        )
    assert Obstacle.objects.filter(common_problem=problem).count() == 0
    assert pair[0].events.filter(kind=EventKind.GROUPED).count() == 0


def test_group_obstacles_refused_to_others_than_coordinator(world, problem, pair):
    for user in (world["users"][Role.LEADER], world["users"][Role.LOCALITY]):
        with pytest.raises(PermissionDenied):
            problems.group_obstacles(actor=user, problem=problem, obstacles=[pair[0].pk])
    with pytest.raises(Http404):
        problems.group_obstacles(
            actor=world["users"][Role.ENTERPRISE], problem=problem, obstacles=[pair[0].pk]
        )
    assert Obstacle.objects.filter(common_problem=problem).count() == 0


def test_group_obstacles_empty_choice_is_invalid(world, problem):
    with pytest.raises(ValidationError):
        problems.group_obstacles(
            actor=world["users"][Role.COORDINATOR], problem=problem, obstacles=[]
        )


def test_ungroup_obstacle_unlinks_with_event_and_checks_version(world, problem, pair):
    coordinator = world["users"][Role.COORDINATOR]
    problems.group_obstacles(actor=coordinator, problem=problem, obstacles=[pair[0]])
    with pytest.raises(ValidationError):
        problems.ungroup_obstacle(actor=coordinator, obstacle=pair[0], expected_version=1)
    obstacle = problems.ungroup_obstacle(actor=coordinator, obstacle=pair[0], expected_version=2)
    assert (obstacle.common_problem_id, obstacle.version) == (None, 3)
    events = obstacle.events.filter(kind__in=[EventKind.GROUPED, EventKind.UNGROUPED])
    assert list(events.order_by("pk").values_list("kind", flat=True)) == [
        EventKind.GROUPED,
        EventKind.UNGROUPED,
    ]
    # The note names the problem (worded in the language of whoever took the step).
    assert all("“Thiếu điện khu công nghiệp”" in e.comment for e in events)
    with pytest.raises(ValidationError):
        problems.ungroup_obstacle(actor=coordinator, obstacle=pair[0])


# --- pages ----------------------------------------------------------------------------------


def test_problem_pages_coordinator_creates_edits_and_groups(world, pair):
    client = client_for(world["users"][Role.COORDINATOR])
    response = client.post(
        reverse("obstacles:problem-create"),
        {"title": "Thủ tục môi trường kéo dài", "category": "environment", "status": "open"},
    )
    assert response.status_code == 302
    problem = CommonProblem.objects.get()
    response = client.post(
        reverse("obstacles:problem-edit", args=[problem.pk]),
        {
            "title": problem.title,
            "category": "environment",
            "status": ProblemStatus.IN_PROGRESS,
            "note": "Đang trình UBND",
            "version": 1,
        },
    )
    assert response.status_code == 302
    stale = client.post(
        reverse("obstacles:problem-edit", args=[problem.pk]),
        {"title": "X", "category": "environment", "status": "open", "version": 1},
    )
    assert stale.status_code == 400
    response = client.post(
        reverse("obstacles:problem-group", args=[problem.pk]),
        {"obstacles": f"VM-{pair[0].pk}, {pair[1].pk}"},
    )
    assert response.status_code == 302
    detail = client.get(reverse("obstacles:problem-detail", args=[problem.pk]))
    assert detail.status_code == 200
    assert [o.pk for o, _look in detail.context["rows"]] == sorted(
        [pair[0].pk, pair[1].pk], reverse=True
    )
    assert (detail.context["object"].status, detail.context["can_manage"]) == (
        ProblemStatus.IN_PROGRESS,
        True,
    )
    response = client.post(
        reverse("obstacles:problem-ungroup", args=[problem.pk, pair[0].pk]), {"version": 2}
    )
    assert response.status_code == 302
    assert list(Obstacle.objects.filter(common_problem=problem).values_list("pk", flat=True)) == [
        pair[1].pk
    ]


def test_problem_pages_access_by_role(world, problem, pair):
    problem_url = reverse("obstacles:problem-detail", args=[problem.pk])
    edit_url = reverse("obstacles:problem-edit", args=[problem.pk])
    group_url = reverse("obstacles:problem-group", args=[problem.pk])
    expected = {
        Role.COORDINATOR: (200, 200, 200),
        Role.LEADER: (200, 200, 403),
        Role.AUDITOR: (200, 200, 403),
        Role.DEPARTMENT: (200, 200, 403),
        Role.LOCALITY: (200, 200, 403),
        Role.CADRE: (200, 200, 403),
        Role.ENTERPRISE: (200, 404, 404),
    }
    seen = {}
    for role, user in world["users"].items():
        client = client_for(user)
        seen[role] = (
            client.get(reverse("obstacles:problem-list")).status_code,
            client.get(problem_url).status_code,
            client.get(edit_url).status_code,
        )
    assert seen == expected
    leader = client_for(world["users"][Role.LEADER])
    assert leader.post(group_url, {"obstacles": str(pair[0].pk)}).status_code == 403
    assert client_for(world["users"][Role.ENTERPRISE]).post(group_url, {}).status_code == 404


def test_problem_detail_shows_only_visible_obstacles(world, problem, pair):
    problems.group_obstacles(
        actor=world["users"][Role.COORDINATOR], problem=problem, obstacles=pair
    )
    response = client_for(world["users"][Role.LOCALITY]).get(
        reverse("obstacles:problem-detail", args=[problem.pk])
    )
    assert [o.pk for o, _look in response.context["rows"]] == [pair[0].pk]
    assert response.context["can_manage"] is False


def test_problem_list_export_has_the_filtered_rows(world):
    CommonProblem.objects.create(title="Đất đai", category="land")
    CommonProblem.objects.create(title="Điện", category="power")
    response = client_for(world["users"][Role.LEADER]).get(
        reverse("obstacles:problem-list"), {"category": "power", "export": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["Title", "Điện"]


def test_metrics_page_shows_figures_with_links_and_exports(world):
    build_dataset(world)
    client = client_for(world["users"][Role.COORDINATOR])
    url = reverse("obstacles:metrics")
    response = client.get(url, {"date_from": "2026-01-01", "date_to": "2026-06-30"})
    assert response.status_code == 200
    department = response.context["tables"][0]
    row, links = department["rows"][0]
    assert (row.label, row.raised, row.median_days) == ("Sở Kế hoạch và Đầu tư", 4, 15)
    assert links["raised"] == (
        f"/obstacles/?view=all&lead_department={world['dept_a'].pk}"
        "&raised_from=2026-01-01&raised_to=2026-06-30"
    )
    assert links["overdue"].replace("&", "&amp;") in response.content.decode()
    export = client.get(url, {"date_from": "2026-01-01", "date_to": "2026-06-30", "export": "xlsx"})
    book = load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[1][:3] == ("Sở Kế hoạch và Đầu tư", 4, 4)
    assert rows[-1][1:3] == (9, 6)


def test_metrics_and_concentration_pages_access_by_role(world):
    seen = {}
    for role, user in world["users"].items():
        client = client_for(user)
        seen[role] = (
            client.get(reverse("obstacles:metrics")).status_code,
            client.get(reverse("obstacles:concentration")).status_code,
        )
    assert seen == {
        Role.LEADER: (200, 200),
        Role.COORDINATOR: (200, 200),
        Role.AUDITOR: (200, 200),
        Role.DEPARTMENT: (200, 200),
        Role.LOCALITY: (200, 200),
        Role.CADRE: (403, 403),
        Role.ENTERPRISE: (403, 403),
    }


def test_concentration_page_cells_link_to_filtered_list(world):
    data = build_dataset(world)
    response = client_for(world["users"][Role.LEADER]).get(
        reverse("obstacles:concentration"), {"locality": world["district_b"].pk}
    )
    assert response.status_code == 200
    cells = {
        label: [count for count, _shade, _link in row] for label, row in response.context["rows"]
    }
    assert cells == {"Land and site clearance": [1, 0], "Power": [0, 1]}
    link = response.context["rows"][0][1][0][2]
    assert link == (
        f"/obstacles/?view=all&status_group=unresolved&category=land&industry={data['ind1'].pk}"
        f"&locality={world['district_b'].pk}"
    )


# --- bulk "add to a common problem" from the obstacle list ---------------------------------

BULK = reverse("obstacles:obstacle-bulk-group")
OBSTACLES = reverse("obstacles:obstacle-list")


@pytest.fixture
def language_as_found():
    """Put back the language the requests of a test activated for the thread."""
    before = translation.get_language()
    yield
    translation.activate(before) if before else translation.deactivate()


def test_bulk_group_from_list_links_every_ticked_obstacle(language_as_found, world, problem, pair):
    client = client_for(world["users"][Role.COORDINATOR])
    back = f"{OBSTACLES}?view=all"
    response = client.post(
        BULK, {"ids": [pair[0].pk, pair[1].pk], "problem": problem.pk, "next": back}
    )
    assert (response.status_code, response["Location"]) == (302, back)
    linked = sorted(Obstacle.objects.filter(common_problem=problem).values_list("pk", flat=True))
    assert linked == sorted([pair[0].pk, pair[1].pk])
    kinds = [o.events.order_by("-pk").first().kind for o in pair]
    assert kinds == [EventKind.GROUPED, EventKind.GROUPED]


def test_bulk_group_unknown_obstacle_is_404_and_changes_nothing(world, problem, pair):
    client = client_for(world["users"][Role.COORDINATOR])
    missing = Obstacle.objects.order_by("-pk").first().pk + 100
    response = client.post(BULK, {"ids": [pair[0].pk, missing], "problem": problem.pk})
    assert response.status_code == 404
    assert Obstacle.objects.filter(common_problem=problem).count() == 0


def test_bulk_group_unknown_problem_is_404(world, pair):
    client = client_for(world["users"][Role.COORDINATOR])
    response = client.post(BULK, {"ids": [pair[0].pk], "problem": 999999})
    assert response.status_code == 404


@pytest.mark.parametrize("role", [Role.LEADER, Role.DEPARTMENT, Role.LOCALITY, Role.ENTERPRISE])
def test_bulk_group_without_problems_manage_is_403(world, problem, pair, role):
    client = client_for(world["users"][role])
    response = client.post(BULK, {"ids": [pair[0].pk], "problem": problem.pk})
    assert response.status_code == 403
    assert Obstacle.objects.filter(common_problem=problem).count() == 0


def test_bulk_group_nothing_ticked_redirects_with_message(language_as_found, world, problem, pair):
    client = client_for(world["users"][Role.COORDINATOR])
    response = client.post(BULK, {"problem": problem.pk}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["Tick the obstacles to add first."]
    assert Obstacle.objects.filter(common_problem=problem).count() == 0


def test_bulk_group_foreign_next_falls_back_to_list(language_as_found, world, problem, pair):
    client = client_for(world["users"][Role.COORDINATOR])
    response = client.post(
        BULK, {"ids": [pair[0].pk], "problem": problem.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == OBSTACLES


def test_bulk_group_checkboxes_only_for_coordinator(language_as_found, world, problem, pair):
    coordinator = client_for(world["users"][Role.COORDINATOR]).get(OBSTACLES, {"view": "all"})
    leader = client_for(world["users"][Role.LEADER]).get(OBSTACLES, {"view": "all"})
    assert coordinator.context["group_problems"] == [(problem.pk, problem.title)]
    assert b'data-testid="bulk-group"' in coordinator.content
    assert coordinator.content.count(b'name="ids"') == 2
    assert b'data-testid="bulk-group"' not in leader.content
    assert b'name="ids"' not in leader.content
