"""Actuals against a small fixed dataset whose figures are written out by hand, the drill-down
lists counting exactly the same records, scoping and the number of queries."""

from decimal import Decimal

import pytest

from tests.targets.factories import build_records
from vanco.accounts.enums import Role
from vanco.targets.actuals import actuals, drilldown_url

pytestmark = pytest.mark.django_db

Y2025 = range(2025, 2026)

# Hand-computed from tests/targets/factories.build_records, 2025:
# DA (with its commune): signed P1 (03/2025, 100) + P2 (07/2025, 50); started P1; completed
# none (P5's completion date is 2024, its later operation date does not count); funds P1's
# submitted 30 (P2's report is not submitted); visits 03/03 and 31/12; obstacles resolved 3,
# on time 2 → 66.67 %; ratings 4 and 5 → 4.50.
# DB: P3 signed 31/12/2024 (not 2025); started P3; completed P3 (completion) + P4 (operation
# date, no completion date); funds P3's accepted 20; one visit; one obstacle resolved late →
# 0.00 %; rating 2 → 2.00.
EXPECTED_DA = {
    "projects_signed": Decimal("2"),
    "amount_signed": Decimal("150"),
    "funds_in_place": Decimal("30"),
    "projects_started": Decimal("1"),
    "projects_completed": Decimal("0"),
    "visits": Decimal("2"),
    "obstacle_on_time_rate": Decimal("66.67"),
    "satisfaction": Decimal("4.50"),
}
EXPECTED_DB = {
    "projects_signed": Decimal("0"),
    "amount_signed": Decimal("0"),
    "funds_in_place": Decimal("20"),
    "projects_started": Decimal("1"),
    "projects_completed": Decimal("2"),
    "visits": Decimal("1"),
    "obstacle_on_time_rate": Decimal("0.00"),
    "satisfaction": Decimal("2.00"),
}
EXPECTED_CITY = {
    "projects_signed": Decimal("2"),
    "amount_signed": Decimal("150"),
    "funds_in_place": Decimal("50"),
    "projects_started": Decimal("2"),
    "projects_completed": Decimal("2"),
    "visits": Decimal("3"),
    "obstacle_on_time_rate": Decimal("50.00"),
    "satisfaction": Decimal("3.67"),
}


def figures_of(result: dict, locality) -> dict:
    return {metric: value for (pk, metric), value in result.items() if pk == locality.pk}


def test_actuals_equal_hand_computed_figures(world):
    build_records(world)
    coordinator = world["users"][Role.COORDINATOR]
    result = actuals(coordinator, years=Y2025)
    assert figures_of(result, world["district_a"]) == EXPECTED_DA
    assert figures_of(result, world["district_b"]) == EXPECTED_DB
    assert figures_of(result, world["city"]) == EXPECTED_CITY
    assert figures_of(result, world["commune_b"]) == {
        **dict.fromkeys(EXPECTED_DA, Decimal("0")),
        "obstacle_on_time_rate": None,
        "satisfaction": None,
    }


def test_actuals_over_two_years_sum_counts_and_pool_rates(world):
    build_records(world)
    coordinator = world["users"][Role.COORDINATOR]
    result = figures_of(
        actuals(coordinator, years=range(2024, 2026), locality_ids=[world["district_a"].pk]),
        world["district_a"],
    )
    # 2024 adds the obstacle resolved on time on 20/12/2024: 3 on time of 4 resolved.
    assert result["obstacle_on_time_rate"] == Decimal("75.00")
    assert result["projects_signed"] == Decimal("2")
    assert result["projects_completed"] == Decimal("1")  # P5, completed 01/12/2024
    assert result["visits"] == Decimal("2")


def test_actuals_only_count_what_the_reader_sees(world):
    build_records(world)
    officer_a = world["users"][Role.LOCALITY]
    result = actuals(officer_a, years=Y2025)
    # The officer of district A sees district A's records only: district B shows zeros and
    # the city is district A's share.
    assert result[world["district_b"].pk, "projects_completed"] == Decimal("0")
    assert result[world["city"].pk, "visits"] == Decimal("2")
    assert result[world["city"].pk, "funds_in_place"] == Decimal("30")


def test_actuals_refuse_years_with_a_gap(world):
    with pytest.raises(ValueError):
        actuals(world["users"][Role.COORDINATOR], years=(2023, 2025))


def _funds_column():
    from vanco.projects.views.dispatch import REPORT_COLUMNS

    return next(column for column in REPORT_COLUMNS if column.name == "funds_this_period")


REPORT_FUNDS = _funds_column()


def _listed(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["paginator"].count


@pytest.mark.parametrize("district", ["district_a", "district_b"])
def test_drilldown_lists_count_what_the_actuals_count(world, client, district):
    build_records(world)
    coordinator = world["users"][Role.COORDINATOR]
    client.force_login(coordinator)
    locality = world[district]
    result = figures_of(actuals(coordinator, years=Y2025), locality)
    for metric in ("projects_signed", "projects_started", "projects_completed", "visits"):
        assert _listed(client, drilldown_url(metric, Y2025, locality)) == result[metric], metric
    # Funds: the counted reports of periods ending in 2025 (one per district here), whose
    # totals row is the figure.
    funds = client.get(drilldown_url("funds_in_place", Y2025, locality))
    assert funds.context["paginator"].count == 1
    assert dict(funds.context["column_totals"])[REPORT_FUNDS] == result["funds_in_place"]
    on_time = _listed(client, drilldown_url("obstacle_on_time_rate", Y2025, locality))
    resolved = _listed(
        client, drilldown_url("obstacle_on_time_rate", Y2025, locality, part="resolved")
    )
    assert (Decimal(on_time * 100) / resolved).quantize(Decimal("0.01")) == result[
        "obstacle_on_time_rate"
    ]
    assert (
        _listed(client, drilldown_url("satisfaction", Y2025, locality))
        == {
            "district_a": 2,
            "district_b": 1,
        }[district]
    )


def test_actuals_take_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    coordinator = world["users"][Role.COORDINATOR]
    build_records(world)
    # Five data-version lookups (the cache key) and the grouped queries.
    with django_assert_max_num_queries(13):
        small = actuals(coordinator, years=Y2025)
    for _ in range(3):
        build_records(world)
    coordinator = type(coordinator).objects.get(pk=coordinator.pk)
    with django_assert_max_num_queries(13):
        large = actuals(coordinator, years=Y2025)
    # Asked again of unchanged data: the version lookups only.
    with django_assert_max_num_queries(5):
        assert actuals(coordinator, years=Y2025) == large
    assert large[world["city"].pk, "visits"] == small[world["city"].pk, "visits"] * 4
