"""Dashboard figures against values computed by hand on a small fixed dataset; each figure's
list shows the same count; a locality officer's figures cover only their locality."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    DispatchPeriodFactory,
    EnterpriseFactory,
    IndustryFactory,
    ObstacleFactory,
    ProgressReportFactory,
    ProjectFactory,
)
from vanco.accounts.enums import Role
from vanco.dashboard import figures as f
from vanco.obstacles.enums import Status
from vanco.projects.enums import Light, ReportStatus, Stage
from vanco.projects.lights import reasons_text

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year


def day(month: int, dom: int, year: int = YEAR) -> datetime.date:
    return datetime.date(year, month, dom)


def at(value: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(
        value, datetime.time(12), tzinfo=timezone.get_current_timezone()
    )


RED_REASON = [{"code": "not_started", "params": {"days": 120}}]


def build_dataset(world) -> dict:
    """Six projects, eight obstacles, three counted reports:

    project  locality     industry  stage               planned  signed (date)         light
    p1       district_a   ind1      signed              100      80 (this year 10/2)   red
    p2       commune_a    ind2      under_construction  200      150 (last year)       -
             (started 1/3 this year)
    p3       district_b   ind1      completed           300      250 (this year 5/1)   red
             (completed 1/6 this year)
    p4       district_b   ind1      in_operation        50       - ; operation 1/4     -
    p5       district_a   ind2      lead                25                             -
    p6       district_b   ind1      dropped             10                             -

    Reports (period ending in this year): p1 12 submitted, p2 30 accepted, p3 7 returned (not
    counted), p3 5 accepted last year (not in range).

    obstacles  locality     status       due         resolved (on time)  closed, rating
    o1         district_a   in_progress  today-10
    o2         district_a   assigned     today+10
    o3         district_b   accepted     today-3
    o4         district_a   submitted
    o5         commune_a    closed                   this year 2/1 yes   2/2, 5
    o6         district_b   resolved                 this year 3/1 no
    o7         district_b   closed                   last year (out)     last year, 1
    o8         district_a   closed                   this year 2/5 yes   2/6, 3
    """
    ind1, ind2 = IndustryFactory(name="Cơ khí"), IndustryFactory(name="Điện tử")
    firm_a = EnterpriseFactory(locality=world["district_a"])
    firm_b = EnterpriseFactory(locality=world["district_b"])

    def project(locality, industry, stage, planned, **extra):
        firm = firm_a if locality.path.startswith(world["district_a"].path) else firm_b
        return ProjectFactory(
            investor=firm,
            locality=locality,
            industry=industry,
            stage=stage,
            planned_investment=Decimal(planned),
            **extra,
        )

    p = {
        1: project(
            world["district_a"],
            ind1,
            Stage.SIGNED,
            "100",
            signed_amount=Decimal("80"),
            signing_date=day(2, 10),
            light=Light.RED,
            light_reasons=RED_REASON,
        ),
        2: project(
            world["commune_a"],
            ind2,
            Stage.UNDER_CONSTRUCTION,
            "200",
            signed_amount=Decimal("150"),
            signing_date=day(5, 1, YEAR - 1),
            start_date=day(3, 1),
        ),
        3: project(
            world["district_b"],
            ind1,
            Stage.COMPLETED,
            "300",
            signed_amount=Decimal("250"),
            signing_date=day(1, 5),
            completion_date=day(6, 1),
            light=Light.RED,
            light_reasons=RED_REASON,
        ),
        4: project(world["district_b"], ind1, Stage.IN_OPERATION, "50", operation_date=day(4, 1)),
        5: project(world["district_a"], ind2, Stage.LEAD, "25"),
        6: project(world["district_b"], ind1, Stage.DROPPED, "10"),
    }
    this_year = DispatchPeriodFactory(
        label="this", starts_on=day(3, 1), ends_on=day(3, 31), due_on=day(4, 5)
    )
    last_year = DispatchPeriodFactory(
        cycle=this_year.cycle,
        label="last",
        starts_on=day(3, 1, YEAR - 1),
        ends_on=day(3, 31, YEAR - 1),
        due_on=day(4, 5, YEAR - 1),
    )
    for proj, period, funds, status in (
        (p[1], this_year, "12", ReportStatus.SUBMITTED),
        (p[2], this_year, "30", ReportStatus.ACCEPTED),
        (p[3], this_year, "7", ReportStatus.RETURNED),
        (p[3], last_year, "5", ReportStatus.ACCEPTED),
    ):
        ProgressReportFactory(
            project=proj, period=period, funds_this_period=Decimal(funds), status=status
        )

    def obstacle(locality, status, **extra):
        firm = firm_a if locality.path.startswith(world["district_a"].path) else firm_b
        return ObstacleFactory(enterprise=firm, locality=locality, status=status, **extra)

    dept = world["dept_a"]
    obstacle(
        world["district_a"],
        Status.IN_PROGRESS,
        lead_department=dept,
        due_on=TODAY - datetime.timedelta(days=10),
    )
    obstacle(
        world["district_a"],
        Status.ASSIGNED,
        lead_department=dept,
        due_on=TODAY + datetime.timedelta(days=10),
    )
    obstacle(
        world["district_b"],
        Status.ACCEPTED,
        lead_department=dept,
        due_on=TODAY - datetime.timedelta(days=3),
    )
    obstacle(world["district_a"], Status.SUBMITTED)
    obstacle(
        world["commune_a"],
        Status.CLOSED,
        resolved_at=at(day(2, 1)),
        resolved_on_time=True,
        closed_at=at(day(2, 2)),
        rating=5,
    )
    obstacle(
        world["district_b"], Status.RESOLVED, resolved_at=at(day(3, 1)), resolved_on_time=False
    )
    obstacle(
        world["district_b"],
        Status.CLOSED,
        resolved_at=at(day(6, 1, YEAR - 1)),
        resolved_on_time=True,
        closed_at=at(day(6, 2, YEAR - 1)),
        rating=1,
    )
    obstacle(
        world["district_a"],
        Status.CLOSED,
        resolved_at=at(day(2, 5)),
        resolved_on_time=True,
        closed_at=at(day(2, 6)),
        rating=3,
    )
    return {"projects": p, "ind1": ind1, "ind2": ind2}


def user(world, role):
    return world["users"][role]


THIS_YEAR = f.Filters.year(YEAR)


def test_summary_matches_hand_computed_figures(world):
    build_dataset(world)
    assert f.summary(user(world, Role.LEADER), THIS_YEAR, today=TODAY) == {
        "projects_total": 6,
        "planned_investment": Decimal("685.000"),
        "signed_count": 2,
        "signed_amount": Decimal("330.000"),
        "started_count": 1,
        "completed_count": 2,
        "funds_in_place": Decimal("42.000"),
        "red_count": 2,
        "obstacles_open": 4,
        "obstacles_overdue": 2,
        "obstacles_resolved": 3,
        "obstacles_resolved_on_time": 2,
    }


def test_summary_of_locality_officer_counts_only_their_locality(world):
    build_dataset(world)
    assert f.summary(user(world, Role.LOCALITY), THIS_YEAR, today=TODAY) == {
        "projects_total": 3,
        "planned_investment": Decimal("325.000"),
        "signed_count": 1,
        "signed_amount": Decimal("80.000"),
        "started_count": 1,
        "completed_count": 0,
        "funds_in_place": Decimal("42.000"),
        "red_count": 1,
        "obstacles_open": 3,
        "obstacles_overdue": 1,
        "obstacles_resolved": 2,
        "obstacles_resolved_on_time": 2,
    }


def test_summary_filters_by_industry_and_locality_subtree(world):
    data = build_dataset(world)
    filters = f.Filters.year(YEAR, industry_id=data["ind2"].pk, locality_id=world["district_a"].pk)
    values = f.summary(user(world, Role.LEADER), filters, today=TODAY)
    assert (values["projects_total"], values["planned_investment"], values["funds_in_place"]) == (
        2,
        Decimal("225.000"),
        Decimal("30.000"),
    )


def test_summary_of_other_locality_is_empty_for_locality_officer(world):
    build_dataset(world)
    filters = f.Filters.year(YEAR, locality_id=world["district_b"].pk)
    values = f.summary(user(world, Role.LOCALITY), filters, today=TODAY)
    assert (values["projects_total"], values["obstacles_open"]) == (0, 0)


def test_pipeline_by_stage_counts_and_amounts(world):
    build_dataset(world)
    rows = f.pipeline_by_stage(user(world, Role.LEADER), THIS_YEAR)
    assert [(r["stage"], r["count"], r["amount"]) for r in rows] == [
        ("lead", 1, Decimal("25.000")),
        ("negotiating", 0, Decimal("0.000")),
        ("signed", 1, Decimal("100.000")),
        ("approved", 0, Decimal("0.000")),
        ("under_construction", 1, Decimal("200.000")),
        ("completed", 1, Decimal("300.000")),
        ("in_operation", 1, Decimal("50.000")),
        ("paused", 0, Decimal("0.000")),
        ("dropped", 1, Decimal("10.000")),
    ]


def test_by_industry_and_by_locality_group_in_sql(world):
    data = build_dataset(world)
    leader = user(world, Role.LEADER)
    assert [
        (r["industry_id"], r["count"], r["amount"]) for r in f.by_industry(leader, THIS_YEAR)
    ] == [
        (data["ind1"].pk, 4, Decimal("460.000")),
        (data["ind2"].pk, 2, Decimal("225.000")),
    ]
    assert [
        (r["locality_id"], r["count"], r["amount"]) for r in f.by_locality(leader, THIS_YEAR)
    ] == [
        (world["district_b"].pk, 3, Decimal("360.000")),
        (world["district_a"].pk, 3, Decimal("325.000")),
    ]
    below_a = f.by_locality(leader, f.Filters.year(YEAR, locality_id=world["district_a"].pk))
    assert [(r["locality_id"], r["count"]) for r in below_a] == [
        (world["district_a"].pk, 2),
        (world["commune_a"].pk, 1),
    ]


def test_red_projects_and_overdue_obstacles_lists(world):
    data = build_dataset(world)
    leader = user(world, Role.LEADER)
    count, rows = f.red_projects(leader, THIS_YEAR)
    assert (count, [r["project"].pk for r in rows]) == (
        2,
        [data["projects"][3].pk, data["projects"][1].pk],
    )
    assert rows[0]["reasons"] == reasons_text(RED_REASON)
    count, rows = f.overdue_obstacles(leader, THIS_YEAR, today=TODAY)
    assert (count, [r["days_overdue"] for r in rows]) == (2, [10, 3])


def test_satisfaction_trend_averages_per_month(world):
    build_dataset(world)
    rows = f.satisfaction_trend(
        user(world, Role.LEADER), f.Filters(day(1, 1), day(3, 31)), months=3
    )
    assert [(r["month"], r["average"], r["count"]) for r in rows] == [
        (day(1, 1), None, 0),
        (day(2, 1), Decimal("4.00"), 2),
        (day(3, 1), None, 0),
    ]


def test_funds_over_time_is_cumulative(world):
    build_dataset(world)
    rows = f.funds_over_time(user(world, Role.LEADER), f.Filters(day(2, 1), day(4, 30)))
    assert [(r["month"], r["amount"], r["cumulative"]) for r in rows] == [
        (day(2, 1), Decimal("0.000"), Decimal("0.000")),
        (day(3, 1), Decimal("42.000"), Decimal("42.000")),
        (day(4, 1), Decimal("0.000"), Decimal("42.000")),
    ]


def _list_count(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["paginator"].count


@pytest.mark.parametrize("role", [Role.LEADER, Role.LOCALITY])
def test_every_count_links_to_a_list_of_the_same_count(client, world, role):
    build_dataset(world)
    reader = user(world, role)
    client.force_login(reader)
    values = f.summary(reader, THIS_YEAR, today=TODAY)
    urls = f.summary_urls(THIS_YEAR, today=TODAY)
    counted = [key for key, value in values.items() if isinstance(value, int)]
    assert {key: _list_count(client, urls[key]) for key in counted} == {
        key: values[key] for key in counted
    }
    for row in f.pipeline_by_stage(reader, THIS_YEAR):
        assert _list_count(client, row["url"]) == row["count"], row["stage"]
    for row in f.by_industry(reader, THIS_YEAR) + f.by_locality(reader, THIS_YEAR):
        # The chosen locality's own projects have no list of their own (no link).
        if row["url"] is not None:
            assert _list_count(client, row["url"]) == row["count"], row["label"]
    for row in f.satisfaction_trend(reader, THIS_YEAR):
        assert _list_count(client, row["url"]) == row["count"], row["month"]


def test_overdue_of_a_past_year_links_to_a_list_of_the_same_count(client, world):
    build_dataset(world)
    leader = user(world, Role.LEADER)
    client.force_login(leader)
    # As of the last day of the year before: open obstacles due before then.
    last_year = f.Filters.year(YEAR - 1)
    figure = f.summary(leader, last_year, today=TODAY)["obstacles_overdue"]
    url = f.summary_urls(last_year, today=TODAY)["obstacles_overdue"]
    assert "due_before" in url
    assert _list_count(client, url) == figure


def test_cached_figures_see_a_change_at_once(world):
    data = build_dataset(world)
    leader = user(world, Role.LEADER)
    assert f.summary(leader, THIS_YEAR, today=TODAY)["red_count"] == 2
    project = data["projects"][1]
    project.light = Light.GREEN
    project.save()
    assert f.summary(leader, THIS_YEAR, today=TODAY)["red_count"] == 1


def test_funds_url_lists_the_projects_with_funds(client, world):
    build_dataset(world)
    client.force_login(user(world, Role.LEADER))
    url = f.summary_urls(THIS_YEAR)["funds_in_place"]
    assert _list_count(client, url) == 2
    assert url.startswith(reverse("projects:project-list"))
