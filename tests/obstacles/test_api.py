"""The obstacle API: list with filters, detail with events, create, each transition with its
version check, common problems, metrics; scoping and the error format."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import ENTERPRISE_TAX_CODE
from tests.factories import EnterpriseFactory, ObstacleFactory
from tests.obstacles.test_metrics import build_dataset
from tests.projects.test_api import Api
from vanco.accounts.enums import Role
from vanco.obstacles.enums import Category, EventKind, Status
from vanco.obstacles.models import CommonProblem, Obstacle

pytestmark = pytest.mark.django_db

BASE = "/api/v1/obstacles"


@pytest.fixture
def company(world):
    return EnterpriseFactory(tax_code=ENTERPRISE_TAX_CODE, locality=world["district_a"])


@pytest.fixture
def other_company(world):
    return EnterpriseFactory(locality=world["district_b"])


def api(world, role) -> Api:
    user = world["users"].get(role) or world["others"][role]
    return Api(user)


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


def file_obstacle(world, company) -> dict:
    response = api(world, Role.ENTERPRISE).post(
        BASE,
        {
            "title": "Chưa được cấp điện 22kV",
            "description": "Nhà máy chờ đấu nối từ tháng 9.",
            "category": Category.POWER,
            "enterprise_id": company.pk,
        },
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_api_obstacle_journey_from_filing_to_rating(world, company):
    filed = file_obstacle(world, company)
    pk = filed["id"]
    assert (filed["status"], filed["source"], filed["enterprise_id"]) == (
        Status.SUBMITTED,
        "enterprise",
        company.pk,
    )
    coordinator, officer = api(world, Role.COORDINATOR), api(world, Role.DEPARTMENT)
    enterprise = api(world, Role.ENTERPRISE)
    assigned = coordinator.post(
        f"{BASE}/{pk}/assign",
        {"lead_department_id": world["dept_a"].pk, "version": filed["version"]},
    ).json()
    assert (assigned["status"], assigned["lead_department_id"]) == (
        Status.ASSIGNED,
        world["dept_a"].pk,
    )
    version = assigned["version"]
    for step, payload in (
        ("accept", {}),
        ("start", {"comment": "Đang làm việc với EVN"}),
        ("resolve", {"resolution": "Đã đấu nối"}),
    ):
        response = officer.post(f"{BASE}/{pk}/{step}", {**payload, "version": version})
        assert response.status_code == 200, response.content
        version = response.json()["version"]
    closed = enterprise.post(
        f"{BASE}/{pk}/confirm", {"rating": 4, "comment": "Cảm ơn", "version": version}
    ).json()
    assert (closed["status"], closed["rating"]) == (Status.CLOSED, 4)
    assert [event["kind"] for event in closed["events"]] == [
        EventKind.CREATED,
        EventKind.ASSIGNED,
        EventKind.ACCEPTED,
        EventKind.STARTED,
        EventKind.RESOLVED,
        EventKind.CLOSED,
    ]
    assert closed["events"][3]["comment"] == "Đang làm việc với EVN"


def test_api_transition_with_stale_version_is_409(world, company):
    filed = file_obstacle(world, company)
    coordinator = api(world, Role.COORDINATOR)
    payload = {"lead_department_id": world["dept_a"].pk, "version": filed["version"]}
    assert coordinator.post(f"{BASE}/{filed['id']}/assign", payload).status_code == 200
    assert error(coordinator.post(f"{BASE}/{filed['id']}/assign", payload), 409)["code"] == (
        "conflict"
    )
    assert Obstacle.objects.get(pk=filed["id"]).events.count() == 2


def test_api_transition_by_wrong_role_is_403_and_out_of_scope_is_404(world, company, other_company):
    filed = file_obstacle(world, company)
    payload = {"lead_department_id": world["dept_a"].pk}
    assert error(api(world, Role.LEADER).post(f"{BASE}/{filed['id']}/assign", payload), 403)[
        "code"
    ] == ("forbidden")
    hidden = ObstacleFactory(enterprise=other_company, locality=world["district_b"])
    assert error(
        api(world, Role.LOCALITY).post(f"{BASE}/{hidden.pk}/escalate", {"reason": "x"}), 404
    )["code"] == ("not_found")
    assert api(world, Role.ENTERPRISE).get(f"{BASE}/{hidden.pk}").status_code == 404


def test_api_wrong_state_is_422_with_message(world, company):
    filed = file_obstacle(world, company)
    response = api(world, Role.ENTERPRISE).post(f"{BASE}/{filed['id']}/confirm", {"rating": 5})
    assert error(response, 422)["code"] == "wrong_status"


def test_api_list_enterprise_user_sees_only_own_company(world, company, other_company):
    mine = ObstacleFactory(enterprise=company, locality=world["district_a"])
    ObstacleFactory(enterprise=other_company, locality=world["district_b"])
    response = api(world, Role.ENTERPRISE).get(BASE)
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], [item["id"] for item in body["items"]]) == (1, [mine.pk])


def test_api_list_filters_like_the_web_list(world):
    data = build_dataset(world)["obstacles"]
    coordinator = api(world, Role.COORDINATOR)
    overdue = coordinator.get(BASE, {"deadline": "overdue", "sort": "due_on"}).json()
    today = datetime.date.today()
    expected = sorted(
        (o for o in data.values() if o.is_overdue(today)), key=lambda o: (o.due_on, o.pk)
    )
    assert [item["id"] for item in overdue["items"]] == [o.pk for o in expected]
    by_department = coordinator.get(
        BASE, {"lead_department": world["dept_b"].pk, "locality": world["district_b"].pk}
    ).json()
    assert sorted(item["id"] for item in by_department["items"]) == [
        data[6].pk,
        data[7].pk,
        data[8].pk,
        data[9].pk,
    ]
    assert error(coordinator.get(BASE, {"status": "nonsense"}), 422)["fields"]["status"] != []


def test_api_list_queries_bounded_whatever_the_size(world, company):
    coordinator = api(world, Role.COORDINATOR)
    assert coordinator.get(BASE).status_code == 200  # warm the per-process caches
    counts = []
    for size in (2, 20):
        ObstacleFactory.create_batch(size, enterprise=company, locality=world["district_a"])
        with CaptureQueriesContext(connection) as queries:
            assert coordinator.get(BASE, {"limit": 50}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_api_detail_queries_bounded_whatever_the_timeline(world, company):
    filed = file_obstacle(world, company)
    enterprise = api(world, Role.ENTERPRISE)
    counts = []
    for extra in (1, 10):
        for index in range(extra):
            enterprise.post(f"{BASE}/{filed['id']}/comment", {"comment": f"Nhắc lần {index}"})
        with CaptureQueriesContext(connection) as queries:
            response = enterprise.get(f"{BASE}/{filed['id']}")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert len(response.json()["events"]) == 12


def test_api_problem_create_update_group_and_remove(world, company, other_company):
    coordinator = api(world, Role.COORDINATOR)
    created = coordinator.post(
        "/api/v1/problems", {"title": "Thiếu điện khu công nghiệp", "category": "power"}
    )
    assert created.status_code == 201, created.content
    problem = created.json()
    updated = coordinator.patch(
        f"/api/v1/problems/{problem['id']}",
        {"status": "in_progress", "version": problem["version"]},
    ).json()
    assert (updated["status"], updated["version"]) == ("in_progress", 2)
    first = ObstacleFactory(enterprise=company, locality=world["district_a"])
    second = ObstacleFactory(enterprise=other_company, locality=world["district_b"])
    grouped = coordinator.post(
        f"/api/v1/problems/{problem['id']}/group", {"obstacle_ids": [first.pk, second.pk]}
    )
    assert grouped.json() == {"changed": [first.pk, second.pk]}
    listed = coordinator.get(BASE, {"common_problem": problem["id"]}).json()
    assert sorted(item["id"] for item in listed["items"]) == [first.pk, second.pk]
    removed = coordinator.post(
        f"/api/v1/problems/{problem['id']}/remove",
        {"obstacle_id": first.pk, "version": first.version + 1},
    ).json()
    assert removed["common_problem_id"] is None
    assert [e["kind"] for e in removed["events"]] == [EventKind.GROUPED, EventKind.UNGROUPED]


def test_api_problem_write_needs_coordinator_and_read_needs_an_official(world):
    problem = CommonProblem.objects.create(title="Thủ tục đất đai")
    leader = api(world, Role.LEADER)
    assert leader.get(f"/api/v1/problems/{problem.pk}").status_code == 200
    assert error(leader.post("/api/v1/problems", {"title": "X"}), 403)["code"] == "forbidden"
    assert error(leader.post(f"/api/v1/problems/{problem.pk}/group", {"obstacle_ids": [1]}), 403)
    enterprise = api(world, Role.ENTERPRISE)
    assert enterprise.get(f"/api/v1/problems/{problem.pk}").status_code == 404
    assert enterprise.get("/api/v1/problems").json()["count"] == 0


def test_api_metrics_match_hand_computed_figures(world):
    build_dataset(world)
    response = api(world, Role.DEPARTMENT).get(
        "/api/v1/obstacle-metrics",
        {"by": "department", "date_from": "2026-01-01", "date_to": "2026-06-30"},
    )
    assert response.status_code == 200
    rows = response.json()["rows"]
    assert [
        (r["id"], r["raised"], r["resolved"], r["resolved_on_time"], r["on_time_percent"])
        for r in rows
    ] == [(world["dept_a"].pk, 4, 4, 2, 50.0)]
    assert (rows[0]["median_days_to_resolve"], rows[0]["average_rating"]) == (15.0, 3.5)


def test_api_metrics_refused_to_enterprise_and_cadre(world):
    for role in (Role.ENTERPRISE, Role.CADRE):
        assert error(api(world, role).get("/api/v1/obstacle-metrics"), 403)["code"] == "forbidden"


def test_api_concentration_counts_unresolved(world):
    data = build_dataset(world)
    response = api(world, Role.LEADER).get(
        "/api/v1/obstacle-concentration", {"locality": world["district_b"].pk}
    )
    assert response.json() == [
        {"category": "land", "industry_id": data["ind1"].pk, "count": 1},
        {"category": "power", "industry_id": data["ind2"].pk, "count": 1},
    ]


def test_api_obstacle_list_refuses_no_sort_with_500(world):
    from django.test import Client
    from django.utils import translation

    client = Client()
    client.force_login(world["users"][Role.COORDINATOR])
    with translation.override("en"):
        for sort in ("--title", "-", "title;drop"):
            response = client.get("/api/v1/obstacles", {"sort": sort})
            assert response.status_code == 200, sort
            response = client.get("/api/v1/projects", {"sort": sort})
            assert response.status_code == 200, sort
