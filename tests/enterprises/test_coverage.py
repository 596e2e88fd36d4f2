"""Coverage per top-level locality: operating enterprises, share paired, share visited this
quarter, with a pairing behind — scoped, exportable."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.enterprises.factories import read_xlsx
from tests.factories import EnterpriseFactory, PairingFactory, VisitFactory
from vanco.accounts.enums import Role
from vanco.accounts.models import User
from vanco.enterprises.enums import EnterpriseStatus
from vanco.enterprises.pairings import coverage_by_locality

TODAY = datetime.date(2026, 11, 27)
URL = reverse("enterprises:coverage")


@pytest.fixture(autouse=True)
def _english_messages(request):
    with translation.override("en"):
        if "world" in request.fixturenames:
            request.getfixturevalue("world")
            User.objects.update(language="en")
        yield


@pytest.fixture
def spread(world):
    """District A: 4 operating (one in its commune) + 1 closed; district B: 2 operating."""
    a = [EnterpriseFactory(locality=world["district_a"]) for _index in range(3)]
    a.append(EnterpriseFactory(locality=world["commune_a"]))
    EnterpriseFactory(locality=world["district_a"], status=EnterpriseStatus.CLOSED)
    b = [EnterpriseFactory(locality=world["commune_b"]) for _index in range(2)]
    # A: two paired (one behind), one of them and one unpaired visited this quarter.
    PairingFactory(enterprise=a[0], next_visit_due=TODAY + datetime.timedelta(days=10))
    PairingFactory(enterprise=a[3], next_visit_due=TODAY - datetime.timedelta(days=3))
    PairingFactory(enterprise=a[1], next_visit_due=TODAY, ends_on=datetime.date(2026, 5, 1))
    VisitFactory(enterprise=a[0], visited_on=datetime.date(2026, 10, 1))
    VisitFactory(enterprise=a[2], visited_on=datetime.date(2026, 11, 20))
    VisitFactory(enterprise=a[1], visited_on=datetime.date(2026, 9, 30))
    # B: one paired, visited last quarter only.
    PairingFactory(enterprise=b[0], next_visit_due=TODAY + datetime.timedelta(days=40))
    VisitFactory(enterprise=b[0], visited_on=datetime.date(2026, 9, 1))
    return a, b


def _summary(rows):
    return [
        (
            row["locality"].code,
            row["enterprises"],
            row["paired"],
            row["paired_share"],
            row["visited"],
            row["visited_share"],
            row["behind"],
        )
        for row in rows
    ]


def test_coverage_by_locality_groups_by_district(world, spread):
    since, rows = coverage_by_locality(world["users"][Role.COORDINATOR], today=TODAY)
    assert since == datetime.date(2026, 10, 1)
    assert _summary(rows) == [("DB", 2, 1, 50, 0, 0, 0), ("DA", 4, 2, 50, 2, 50, 1)]


def test_coverage_by_locality_scoped_to_user(world, spread):
    _since, rows = coverage_by_locality(world["users"][Role.LOCALITY], today=TODAY)
    assert _summary(rows) == [("DA", 4, 2, 50, 2, 50, 1)]


def test_coverage_page_shows_totals(client, world, spread):
    client.force_login(world["users"][Role.COORDINATOR])
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["totals"]["enterprises"] == 6
    assert response.context["totals"]["paired"] == 3


def test_coverage_page_export(client, world, spread):
    client.force_login(world["users"][Role.LOCALITY])
    response = client.get(URL, {"export": "xlsx"})
    rows = read_xlsx(b"".join(response.streaming_content))
    assert response.status_code == 200
    assert rows[0][:3] == ["Locality", "Operating enterprises", "Paired"]
    assert rows[1][:4] == [world["district_a"].name, 4, 2, 50]
    assert len(rows) == 2


def test_coverage_page_enterprise_user_sees_own_company_only(client, world):
    client.force_login(world["users"][Role.ENTERPRISE])
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["rows"] == []


def test_coverage_page_queries_bounded(client, world):
    client.force_login(world["users"][Role.COORDINATOR])
    EnterpriseFactory(locality=world["district_a"])
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    for locality in (world["commune_a"], world["district_b"], world["commune_b"]) * 4:
        PairingFactory(enterprise=EnterpriseFactory(locality=locality), next_visit_due=TODAY)
    with CaptureQueriesContext(connection) as large:
        assert client.get(URL).status_code == 200
    assert len(large) == len(small)


def test_coverage_follows_a_new_visit_at_once(world, spread):
    from vanco.enterprises.pairings import log_visit

    coordinator = world["users"][Role.COORDINATOR]
    _since, before = coverage_by_locality(coordinator, today=TODAY)
    _a, b = spread
    enterprise = b[1]
    log_visit(
        actor=coordinator,
        data={
            "enterprise": enterprise,
            "visited_on": TODAY,
            "form": "phone",
            "summary": "Hỏi thăm tình hình sản xuất.",
        },
    )
    _since, after = coverage_by_locality(coordinator, today=TODAY)
    visited = {row["locality"].code: row["visited"] for row in after}
    assert ({row["locality"].code: row["visited"] for row in before}["DB"], visited["DB"]) == (0, 1)
