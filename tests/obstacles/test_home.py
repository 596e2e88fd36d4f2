"""Obstacle figures on the home page: a department officer's inbox and year, the coordinator's
and the leader's city-wide figures; each figure links to a list of the same count."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import EnterpriseFactory, ObstacleFactory
from vanco.accounts.enums import Role
from vanco.obstacles.enums import Level, Status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_as_found():
    """Requests activate the user's language for the thread; put back what was active so
    later tests that read lazy labels are not affected."""
    before = translation.get_language()
    yield
    translation.activate(before) if before else translation.deactivate()


HOME = reverse("home")


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def build(world, copies: int = 1) -> None:
    """Per copy (today's dates, so every figure falls in this year):

    dept A: a1 closed on time (10 days, rated 5), a2 resolved late (20 days),
            a3 in progress overdue, a4 assigned due tomorrow, a5 accepted due in 30 days;
    a6: led by dept B, dept A cooperating, assigned, due in 30 days;
    dept B: b1 closed on time (4 days, rated 2), b2 assigned, overdue, escalated to the group;
    n1: submitted, not yet assigned.
    """
    now = timezone.now()
    today = timezone.localdate()
    dept_a, dept_b = world["dept_a"], world["dept_b"]
    firm = EnterpriseFactory(locality=world["district_a"])

    def make(dept, status, **extra):
        return ObstacleFactory(enterprise=firm, lead_department=dept, status=status, **extra)

    def days(n):
        return today + datetime.timedelta(days=n)

    for _copy in range(copies):
        make(
            dept_a,
            Status.CLOSED,
            resolved_at=now,
            closed_at=now,
            resolved_on_time=True,
            days_to_resolve=10,
            rating=5,
        )
        make(dept_a, Status.RESOLVED, resolved_at=now, resolved_on_time=False, days_to_resolve=20)
        make(dept_a, Status.IN_PROGRESS, due_on=days(-1))
        make(dept_a, Status.ASSIGNED, due_on=days(1))
        make(dept_a, Status.ACCEPTED, due_on=days(30))
        make(dept_b, Status.ASSIGNED, due_on=days(30)).cooperating_departments.add(dept_a)
        make(
            dept_b,
            Status.CLOSED,
            resolved_at=now,
            closed_at=now,
            resolved_on_time=True,
            days_to_resolve=4,
            rating=2,
        )
        make(dept_b, Status.ASSIGNED, due_on=days(-2), escalation_level=Level.GROUP)
        make(None, Status.SUBMITTED)


def _count(client, url: str) -> int:
    response = client.get(url + "&per_page=100")
    assert response.status_code == 200
    return response.context["paginator"].count


def test_home_department_officer_sees_inbox_and_year_figures(world):
    build(world)
    client = client_for(world["users"][Role.DEPARTMENT])
    response = client.get(HOME)
    figures = response.context["department_obstacles"]
    assert (figures["open"], figures["due_soon"], figures["overdue"]) == (4, 1, 1)
    [item] = figures["departments"]
    row = item["row"]
    assert (row.key, row.resolved, row.on_time, str(row.on_time_share)) == (
        world["dept_a"].pk,
        2,
        1,
        "50.0",
    )
    assert (str(row.median_days), str(row.average_rating)) == ("15.0", "5.00")
    assert "city_obstacles" not in response.context
    assert b'data-testid="home-department-obstacles"' in response.content


def test_home_department_figures_link_to_inbox_lists_of_same_count(world):
    build(world)
    client = client_for(world["users"][Role.DEPARTMENT])
    figures = client.get(HOME).context["department_obstacles"]
    assert figures["open_url"] == "/obstacles/?view=inbox"
    assert _count(client, figures["open_url"]) == figures["open"]
    assert _count(client, figures["due_soon_url"]) == figures["due_soon"]
    assert _count(client, figures["overdue_url"]) == figures["overdue"]
    [item] = figures["departments"]
    assert _count(client, item["on_time_url"]) == item["row"].on_time
    assert _count(client, item["resolved_url"]) == item["row"].resolved
    assert _count(client, item["rated_url"]) == 1


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.LEADER])
def test_home_city_figures_for_coordinator_and_leader(world, role):
    build(world)
    client = client_for(world["users"][role])
    response = client.get(HOME)
    f = response.context["city_obstacles"]
    assert (f["to_assign"], f["overdue"], f["agenda"]) == (1, 2, 1)
    assert (f["resolved"], f["on_time"], str(f["on_time_share"])) == (3, 2, "66.7")
    assert (f["rated"], str(f["rating"])) == (2, "3.50")
    assert "department_obstacles" not in response.context
    assert b'data-testid="home-city-obstacles"' in response.content


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.LEADER])
def test_home_city_figures_link_to_lists_of_same_count(world, role):
    build(world)
    client = client_for(world["users"][role])
    f = client.get(HOME).context["city_obstacles"]
    for figure, url in (
        ("to_assign", "to_assign_url"),
        ("overdue", "overdue_url"),
        ("agenda", "agenda_url"),
        ("on_time", "on_time_url"),
        ("resolved", "resolved_url"),
        ("rated", "rated_url"),
    ):
        assert _count(client, f[url]) == f[figure], figure


def test_home_coordinator_links_open_the_named_tabs(world):
    client = client_for(world["users"][Role.COORDINATOR])
    f = client.get(HOME).context["city_obstacles"]
    assert (f["to_assign_url"], f["agenda_url"]) == (
        "/obstacles/?view=to_assign",
        "/obstacles/?view=agenda",
    )


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.LOCALITY, Role.CADRE, Role.ENTERPRISE])
def test_home_other_roles_get_no_obstacle_figures(world, role):
    build(world)
    response = client_for(world["users"][role]).get(HOME)
    assert response.status_code == 200
    assert ("city_obstacles" in response.context, "department_obstacles" in response.context) == (
        False,
        False,
    )


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(HOME).status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.LEADER, Role.DEPARTMENT])
def test_home_query_count_does_not_grow_with_obstacles(world, role):
    client = client_for(world["users"][role])
    build(world)
    small = _queries(client)
    build(world, copies=15)
    large = _queries(client)
    assert large == small
    assert small <= 30
