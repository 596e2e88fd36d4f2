"""The projects API: list with the web list's filters, detail, create, update with version,
stage transition; scoping and the error format."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from tests.projects.test_views import make_projects
from vanco.accounts.enums import Role
from vanco.accounts.services import issue_token
from vanco.projects.enums import Stage
from vanco.projects.models import Project, ProjectStageChange

BASE = "/api/v1/projects"


class Api:
    def __init__(self, user):
        self.client = Client()
        _token, raw = issue_token(user=user)
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT_LANGUAGE": "en"}

    def get(self, url, params=None):
        return self.client.get(url, params or {}, **self.headers)

    def post(self, url, payload):
        return self.client.post(url, payload, content_type="application/json", **self.headers)

    def patch(self, url, payload):
        return self.client.patch(url, payload, content_type="application/json", **self.headers)


@pytest.fixture
def data(world):
    return make_projects(world)


@pytest.fixture
def coordinator_api(coordinator):
    return Api(coordinator)


@pytest.fixture
def officer_api(world):
    return Api(world["users"][Role.LOCALITY])


def codes(response) -> list[str]:
    assert response.status_code == 200
    return [item["code"] for item in response.json()["items"]]


def error(response, status: int) -> dict:
    assert response.status_code == status
    return response.json()["error"]


def test_api_project_list_is_scoped(data, coordinator_api, officer_api):
    assert codes(coordinator_api.get(BASE, {"sort": "code"})) == ["DA-1", "DA-2", "DA-3"]
    assert codes(officer_api.get(BASE, {"sort": "code"})) == ["DA-1", "DA-2"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (lambda d: {"stage": "signed"}, ["DA-1"]),
        (lambda d: {"industry": d["i1"].pk}, ["DA-1", "DA-3"]),
        (lambda d: {"locality": d["district_a"].pk}, ["DA-1", "DA-2"]),
        (lambda d: {"light": "green"}, ["DA-3"]),
        (lambda d: {"major": "1"}, ["DA-1", "DA-3"]),
        (
            lambda d: {"planned_start_from": "2026-01-01", "planned_start_to": "2026-04-01"},
            ["DA-1"],
        ),
        (lambda d: {"q": "khu cong nghe binh son"}, ["DA-3"]),
    ],
)
def test_api_project_list_filters(data, coordinator_api, params, expected):
    assert codes(coordinator_api.get(BASE, {**params(data), "sort": "code"})) == expected


def test_api_project_list_bad_filter_is_422(data, coordinator_api):
    body = error(coordinator_api.get(BASE, {"stage": "nonsense"}), 422)
    assert list(body["fields"]) == ["stage"]


def test_api_project_detail_scoping(data, officer_api):
    response = officer_api.get(f"{BASE}/{data['p1'].pk}")
    assert response.status_code == 200
    assert response.json()["investor_name"] == data["p1"].investor.name
    assert error(officer_api.get(f"{BASE}/{data['p3'].pk}"), 404)["code"] == "not_found"


def payload(data, **overrides):
    values = {
        "name": "Nhà máy linh kiện",
        "investor_id": data["p1"].investor.pk,
        "industry_id": data["i1"].pk,
        "chain_node_id": data["n1"].pk,
        "locality_id": data["district_a"].pk,
        "planned_investment": "75.25",
        "planned_start_date": "2027-02-01",
    }
    values.update(overrides)
    return values


def test_api_project_create(data, officer_api, world):
    response = officer_api.post(BASE, payload(data))
    assert response.status_code == 201
    body = response.json()
    project = Project.objects.get(pk=body["id"])
    assert (body["code"], body["stage"], body["version"]) == (project.code, "lead", 1)
    assert project.planned_investment == Decimal("75.250")
    assert project.locality == world["district_a"]


def test_api_project_create_outside_scope_is_refused(data, officer_api):
    body = error(officer_api.post(BASE, payload(data, locality_id=data["district_b"].pk)), 422)
    assert list(body["fields"]) == ["locality"]
    assert Project.objects.count() == 3


def test_api_project_create_forbidden_to_leader(data, world):
    api = Api(world["users"][Role.LEADER])
    assert error(api.post(BASE, payload(data)), 403)["code"] == "forbidden"


def test_api_project_update_with_version_and_conflict(data, officer_api):
    project = data["p2"]
    url = f"{BASE}/{project.pk}"
    response = officer_api.patch(url, {"version": 1, "name": "Xưởng đổi tên"})
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["version"]) == ("Xưởng đổi tên", 2)
    assert error(officer_api.patch(url, {"version": 1, "name": "Lần hai"}), 409)["code"] == (
        "conflict"
    )
    project.refresh_from_db()
    assert project.name == "Xưởng đổi tên"


def test_api_project_update_out_of_scope_is_404(data, officer_api):
    response = officer_api.patch(f"{BASE}/{data['p3'].pk}", {"version": 1, "name": "x"})
    assert error(response, 404)["code"] == "not_found"


def test_api_project_transition(data, officer_api):
    project = data["p2"]
    today = timezone.localdate()
    response = officer_api.post(
        f"{BASE}/{project.pk}/transition",
        {
            "to_stage": "signed",
            "effective_date": today.isoformat(),
            "signed_amount": "99.5",
            "version": 1,
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["from_stage"], body["to_stage"], body["project"]["stage"]) == (
        "lead",
        "signed",
        "signed",
    )
    assert body["project"]["signed_amount"] == "99.500"
    assert ProjectStageChange.objects.filter(project=project).count() == 1


def test_api_project_transition_version_conflict_is_409(data, officer_api):
    response = officer_api.post(
        f"{BASE}/{data['p2'].pk}/transition",
        {"to_stage": "negotiating", "effective_date": "2026-01-05", "version": 7},
    )
    assert error(response, 409)["code"] == "conflict"
    assert ProjectStageChange.objects.count() == 0


def test_api_project_transition_needs_signed_amount(data, coordinator_api):
    response = coordinator_api.post(
        f"{BASE}/{data['p2'].pk}/transition",
        {"to_stage": "signed", "effective_date": datetime.date(2026, 1, 5).isoformat()},
    )
    assert error(response, 422)["fields"] == {
        "signed_amount": ["A signed project needs the signed amount."]
    }


def test_api_project_transition_backwards_forbidden_to_locality_officer(data, officer_api):
    response = officer_api.post(
        f"{BASE}/{data['p1'].pk}/transition",
        {"to_stage": "lead", "effective_date": "2026-02-02", "reason": "Nhà đầu tư rút"},
    )
    assert error(response, 403)["code"] == "forbidden"
    data["p1"].refresh_from_db()
    assert data["p1"].stage == Stage.SIGNED


def test_api_project_transition_out_of_scope_is_404(data, officer_api):
    response = officer_api.post(
        f"{BASE}/{data['p3'].pk}/transition",
        {"to_stage": "completed", "effective_date": "2026-02-02"},
    )
    assert error(response, 404)["code"] == "not_found"
