"""The meetings and directives API: a directive's journey with version checks, 403/404 like
the web, scoping of the list, meetings with their proposed agenda."""

import datetime

import pytest
from django.utils import timezone

from tests.meetings.factories import DirectiveFactory, MeetingFactory
from tests.projects.test_api import Api
from vanco.accounts.enums import Role
from vanco.meetings.enums import DirectiveStatus

pytestmark = pytest.mark.django_db


def api(world, role) -> Api:
    return Api(world["users"].get(role) or world["others"][role])


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


def test_api_directive_journey(world):
    due = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    issued = api(world, Role.LEADER).post(
        "/api/v1/directives",
        {
            "title": "Hoàn thiện hồ sơ đất đai",
            "text": "Sở KH&ĐT phối hợp hoàn thiện.",
            "due_on": due,
            "department_ids": [world["dept_a"].pk],
        },
    )
    assert issued.status_code == 201, issued.content
    body = issued.json()
    pk = body["id"]
    assert (body["status"], body["department_ids"]) == ("issued", [world["dept_a"].pk])
    department = api(world, Role.DEPARTMENT)
    detail = department.get(f"/api/v1/directives/{pk}").json()
    assert detail["allowed_actions"] == ["acknowledge", "start"]
    acknowledged = department.post(
        f"/api/v1/directives/{pk}/acknowledge", {"version": detail["version"]}
    )
    assert acknowledged.status_code == 200
    stale = department.post(f"/api/v1/directives/{pk}/start", {"version": detail["version"]})
    assert error(stale, 409)["code"] == "conflict"
    version = acknowledged.json()["version"]
    done = department.post(
        f"/api/v1/directives/{pk}/complete", {"evidence": "Đã xong", "version": version}
    )
    assert done.json()["status"] == DirectiveStatus.DONE
    assert [u["kind"] for u in done.json()["updates"]] == ["issued", "acknowledged", "done"]
    reopened = api(world, Role.LEADER).post(
        f"/api/v1/directives/{pk}/reopen", {"reason": "Thiếu biên bản"}
    )
    assert reopened.json()["status"] == DirectiveStatus.IN_PROGRESS


def test_api_directive_scoping_and_refusals(world):
    theirs = DirectiveFactory(issued_by=world["users"][Role.LEADER], departments=[world["dept_b"]])
    mine = DirectiveFactory(issued_by=world["users"][Role.LEADER], departments=[world["dept_a"]])
    department = api(world, Role.DEPARTMENT)
    listed = department.get("/api/v1/directives").json()
    assert [item["id"] for item in listed["items"]] == [mine.pk]
    assert error(department.get(f"/api/v1/directives/{theirs.pk}"), 404)["code"] == "not_found"
    assert error(department.post(f"/api/v1/directives/{theirs.pk}/acknowledge", {}), 404)
    leader = api(world, Role.LEADER)
    assert error(leader.post(f"/api/v1/directives/{mine.pk}/acknowledge", {}), 403)
    cadre = api(world, Role.CADRE)
    assert error(cadre.get(f"/api/v1/directives/{mine.pk}"), 404)
    refused = department.post(
        "/api/v1/directives",
        {"title": "X", "text": "Y", "due_on": "2030-01-01", "department_ids": []},
    )
    assert error(refused, 403)["code"] == "forbidden"
    missing = department.post(f"/api/v1/directives/{mine.pk}/complete", {"evidence": "Xong"})
    assert error(missing, 422)["code"] == "wrong_status"


def test_api_meeting_create_with_proposals_and_agenda(world):
    overdue = DirectiveFactory(
        issued_by=world["users"][Role.LEADER],
        departments=[world["dept_a"]],
        due_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    coordinator = api(world, Role.COORDINATOR)
    proposals = coordinator.get("/api/v1/meetings/proposed-agenda").json()
    assert [p["key"] for p in proposals] == [f"overdue_directive:{overdue.pk}"]
    created = coordinator.post(
        "/api/v1/meetings",
        {
            "kind": "dispatch",
            "title": "Giao ban điều độ tháng 12",
            "starts_at": "2026-12-10T08:00:00+07:00",
            "proposals": [proposals[0]["key"]],
        },
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    added = coordinator.post(f"/api/v1/meetings/{pk}/agenda", {"title": "Vốn đầu tư công"})
    assert [(i["position"], i["source"]) for i in added.json()["agenda"]] == [
        (1, "overdue_directive"),
        (2, "other"),
    ]
    assert error(api(world, Role.LEADER).post(f"/api/v1/meetings/{pk}/agenda", {"title": "X"}), 403)
    assert error(api(world, Role.CADRE).get(f"/api/v1/meetings/{pk}"), 404)
    assert api(world, Role.DEPARTMENT).get("/api/v1/meetings").json()["count"] == 1


def test_api_meeting_list_reader_only(world):
    MeetingFactory()
    assert api(world, Role.ENTERPRISE).get("/api/v1/meetings").json()["count"] == 0
