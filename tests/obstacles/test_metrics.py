"""Metrics and the concentration matrix against figures computed by hand on a fixed dataset."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import EnterpriseFactory, IndustryFactory, ObstacleFactory
from vanco.accounts.enums import Role
from vanco.obstacles import queries
from vanco.obstacles.enums import Category, Status

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 30)
RANGE = {"date_from": datetime.date(2026, 1, 1), "date_to": TODAY, "today": TODAY}


def at(day: str) -> datetime.datetime:
    return datetime.datetime.combine(
        datetime.date.fromisoformat(day),
        datetime.time(12),
        tzinfo=timezone.get_current_timezone(),
    )


def build_dataset(world) -> dict:
    """Ten obstacles, see the table in each test: dept A leads 1–5, dept B 6–9, 10 unassigned.

    no  dept  locality    raised      status       resolved (days, on time)  rating  due
    1   A     commune_a   2026-02-01  closed       2026-02-11 (10, yes)      5
    2   A     district_a  2026-03-01  resolved     2026-03-21 (20, no)
    3   A     district_b  2026-04-01  closed       2026-04-05 (4, yes)       2
    4   A     district_a  2026-05-01  in_progress                                    06-01
    5   A     district_a  2025-12-01  resolved     2026-01-10 (40, no)
    6   B     district_b  2026-02-01  resolved     2026-02-08 (7, yes)
    7   B     district_b  2026-03-01  assigned                                       07-10
    8   B     district_b  2026-03-02  accepted                                       06-29
    9   B     commune_b   2026-01-05  closed       2026-01-20 (15, yes)      4
    10  -     district_a  2026-06-01  submitted
    """
    ind1, ind2 = IndustryFactory(name="Cơ khí"), IndustryFactory(name="Điện tử")
    firm_a = EnterpriseFactory(locality=world["district_a"])
    firm_b = EnterpriseFactory(locality=world["district_b"])
    dept_a, dept_b = world["dept_a"], world["dept_b"]

    def make(dept, locality, raised, status, **extra):
        firm = firm_a if locality.path.startswith(world["district_a"].path) else firm_b
        return ObstacleFactory(
            enterprise=firm,
            locality=locality,
            lead_department=dept,
            raised_at=at(raised),
            status=status,
            **extra,
        )

    def resolved(day, days, on_time, **extra):
        return {
            "resolved_at": at(day),
            "days_to_resolve": days,
            "resolved_on_time": on_time,
            **extra,
        }

    o = {}
    o[1] = make(
        dept_a,
        world["commune_a"],
        "2026-02-01",
        Status.CLOSED,
        **resolved("2026-02-11", 10, True, closed_at=at("2026-02-12"), rating=5),
    )
    o[2] = make(
        dept_a,
        world["district_a"],
        "2026-03-01",
        Status.RESOLVED,
        **resolved("2026-03-21", 20, False),
    )
    o[3] = make(
        dept_a,
        world["district_b"],
        "2026-04-01",
        Status.CLOSED,
        **resolved("2026-04-05", 4, True, closed_at=at("2026-04-06"), rating=2),
    )
    o[4] = make(
        dept_a,
        world["district_a"],
        "2026-05-01",
        Status.IN_PROGRESS,
        due_on=datetime.date(2026, 6, 1),
        industry=ind1,
    )
    o[5] = make(
        dept_a,
        world["district_a"],
        "2025-12-01",
        Status.RESOLVED,
        **resolved("2026-01-10", 40, False),
    )
    o[6] = make(
        dept_b,
        world["district_b"],
        "2026-02-01",
        Status.RESOLVED,
        **resolved("2026-02-08", 7, True),
    )
    o[7] = make(
        dept_b,
        world["district_b"],
        "2026-03-01",
        Status.ASSIGNED,
        due_on=datetime.date(2026, 7, 10),
        industry=ind1,
    )
    o[8] = make(
        dept_b,
        world["district_b"],
        "2026-03-02",
        Status.ACCEPTED,
        due_on=datetime.date(2026, 6, 29),
        industry=ind2,
        category=Category.POWER,
    )
    o[9] = make(
        dept_b,
        world["commune_b"],
        "2026-01-05",
        Status.CLOSED,
        **resolved("2026-01-20", 15, True, closed_at=at("2026-01-21"), rating=4),
    )
    o[10] = make(None, world["district_a"], "2026-06-01", Status.SUBMITTED)
    return {"obstacles": o, "ind1": ind1, "ind2": ind2}


def figures(rows):
    return {
        row.label: (
            row.raised,
            row.resolved,
            row.on_time,
            row.on_time_share,
            row.median_days,
            row.overdue,
            row.average_rating,
        )
        for row in rows
    }


def test_metrics_by_department_match_hand_computed_figures(world):
    build_dataset(world)
    rows = queries.metrics(world["users"][Role.COORDINATOR], by=queries.DEPARTMENT, **RANGE)
    assert figures(rows) == {
        "Sở Kế hoạch và Đầu tư": (
            4,
            4,
            2,
            Decimal("50.0"),
            Decimal("15.0"),
            1,
            Decimal("3.50"),
        ),
        "Sở Xây dựng": (4, 2, 2, Decimal("100.0"), Decimal("11.0"), 1, Decimal("4.00")),
        "Chưa giao": (1, 0, 0, None, None, 0, None),
    }
    assert [row.filter_value for row in rows] == [world["dept_a"].pk, world["dept_b"].pk, None]


def test_metrics_by_locality_group_communes_under_their_district(world):
    build_dataset(world)
    rows = queries.metrics(world["users"][Role.LEADER], by=queries.LOCALITY, **RANGE)
    assert figures(rows) == {
        "Quận Ánh Dương": (4, 3, 1, Decimal("33.3"), Decimal("20.0"), 1, Decimal("5.00")),
        "Huyện Bình Sơn": (5, 3, 3, Decimal("100.0"), Decimal("7.0"), 1, Decimal("3.00")),
    }
    assert {row.label: row.filter_value for row in rows} == {
        "Quận Ánh Dương": world["district_a"].pk,
        "Huyện Bình Sơn": world["district_b"].pk,
    }


def test_metrics_department_officer_counts_only_visible_obstacles(world):
    build_dataset(world)
    officer = world["users"][Role.DEPARTMENT]
    by_department = queries.metrics(officer, by=queries.DEPARTMENT, **RANGE)
    by_locality = queries.metrics(officer, by=queries.LOCALITY, **RANGE)
    assert figures(by_department) == {
        "Sở Kế hoạch và Đầu tư": (
            4,
            4,
            2,
            Decimal("50.0"),
            Decimal("15.0"),
            1,
            Decimal("3.50"),
        ),
    }
    assert figures(by_locality) == {
        "Quận Ánh Dương": (3, 3, 1, Decimal("33.3"), Decimal("20.0"), 1, Decimal("5.00")),
        "Huyện Bình Sơn": (1, 1, 1, Decimal("100.0"), Decimal("4.0"), 0, Decimal("2.00")),
    }


def test_metrics_date_range_limits_raised_and_resolved(world):
    build_dataset(world)
    rows = queries.metrics(
        world["users"][Role.COORDINATOR],
        by=queries.DEPARTMENT,
        date_from=datetime.date(2026, 2, 1),
        date_to=datetime.date(2026, 3, 1),
        today=TODAY,
    )
    # Raised 1, 2, 6, 7; resolved 1 and 6 (on time, 10 and 7 days); 1 closed with 5 stars.
    assert figures(rows) == {
        "Sở Kế hoạch và Đầu tư": (
            2,
            1,
            1,
            Decimal("100.0"),
            Decimal("10.0"),
            1,
            Decimal("5.00"),
        ),
        "Sở Xây dựng": (2, 1, 1, Decimal("100.0"), Decimal("7.0"), 1, None),
    }


def test_metrics_total_sums_additive_figures(world):
    build_dataset(world)
    rows = queries.metrics(world["users"][Role.COORDINATOR], by=queries.DEPARTMENT, **RANGE)
    total = queries.metrics_total(rows)
    assert (total.raised, total.resolved, total.on_time, total.overdue) == (9, 6, 4, 2)
    assert total.on_time_share == Decimal("66.7")


def test_metrics_enterprise_user_sees_nothing_of_other_companies(world):
    build_dataset(world)
    rows = queries.metrics(world["users"][Role.ENTERPRISE], by=queries.DEPARTMENT, **RANGE)
    assert rows == []


def test_concentration_counts_unresolved_by_category_and_industry(world):
    data = build_dataset(world)
    matrix = queries.concentration(world["users"][Role.COORDINATOR])
    assert matrix.counts == {
        (Category.LAND, data["ind1"].pk): 2,
        (Category.LAND, None): 1,
        (Category.POWER, data["ind2"].pk): 1,
    }
    assert [value for value, _label in matrix.categories] == [Category.LAND, Category.POWER]
    assert [pk for pk, _name in matrix.industries] == [data["ind1"].pk, data["ind2"].pk, None]
    assert (matrix.maximum, matrix.total) == (2, 4)


def test_concentration_filtered_by_locality_keeps_its_subtree(world):
    data = build_dataset(world)
    matrix = queries.concentration(world["users"][Role.LEADER], locality=world["district_b"])
    assert matrix.counts == {
        (Category.LAND, data["ind1"].pk): 1,
        (Category.POWER, data["ind2"].pk): 1,
    }


def test_concentration_department_officer_sees_own_obstacles_only(world):
    data = build_dataset(world)
    matrix = queries.concentration(world["others"]["dept_b"])
    assert matrix.counts == {
        (Category.LAND, data["ind1"].pk): 1,
        (Category.POWER, data["ind2"].pk): 1,
    }


def test_metrics_accept_the_last_day_of_the_calendar(world):
    import datetime as dt

    from vanco.accounts.enums import Role as R
    from vanco.obstacles import queries

    rows = queries.metrics(
        world["users"][R.COORDINATOR],
        by="department",
        date_from=dt.date(2026, 1, 1),
        date_to=dt.date.max,
    )
    assert rows == []


def test_metrics_are_cached_per_scope_and_follow_every_change(world, django_assert_num_queries):
    from vanco.accounts.enums import Role as R
    from vanco.obstacles import queries, services

    coordinator = world["users"][R.COORDINATOR]
    obstacle = ObstacleFactory(enterprise=EnterpriseFactory(locality=world["district_a"]))
    first = queries.metrics(coordinator, by="department")
    # Asked again: the data version (two indexed MAX) and the labels, no figures recomputed.
    with django_assert_num_queries(2):
        again = queries.metrics(coordinator, by="department")
    assert [(r.key, r.raised) for r in again] == [(r.key, r.raised) for r in first]
    services.assign_obstacle(actor=coordinator, obstacle=obstacle, lead_department=world["dept_a"])
    after = queries.metrics(coordinator, by="department")
    assert [(r.label, r.raised) for r in after] == [(world["dept_a"].name, 1)]
    # Another scope never gets the coordinator's cached figures.
    assert queries.metrics(world["others"]["dept_b"], by="department") == []
