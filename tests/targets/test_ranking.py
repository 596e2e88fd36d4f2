"""The ranking against hand-computed scores, multi-year campaigns, missing targets, and the
published snapshot that stays as it was published."""

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied

from tests.factories import VisitFactory
from tests.targets.factories import CampaignFactory, TargetFactory, build_records
from vanco.accounts.enums import Role
from vanco.targets.models import RankingEntry, RankingSnapshot
from vanco.targets.ranking import campaign_ranking, publish_ranking

pytestmark = pytest.mark.django_db


def set_targets(world):
    da, db, city = world["district_a"], world["district_b"], world["city"]
    TargetFactory(locality=da, metric="projects_signed", value=1)
    TargetFactory(locality=da, metric="visits", value=4)
    TargetFactory(locality=da, metric="obstacle_on_time_rate", value=80)
    TargetFactory(locality=db, metric="projects_signed", value=2)
    TargetFactory(locality=db, metric="visits", value=1)
    # The city is not ranked, whatever its targets.
    TargetFactory(locality=city, metric="visits", value=1)


def campaign_2025():
    return CampaignFactory(
        weights={"projects_signed": "2", "visits": "1", "obstacle_on_time_rate": "1"},
        completion_cap=Decimal("120"),
    )


def by_code(rows) -> dict:
    return {row.locality.code: row for row in rows}


def test_ranking_scores_equal_hand_computed_values(world):
    build_records(world)
    set_targets(world)
    rows = campaign_ranking(world["users"][Role.COORDINATOR], campaign_2025())
    assert [row.locality.code for row in rows] == ["DA", "DB"]
    da, db = by_code(rows)["DA"], by_code(rows)["DB"]
    # DA: signed 2 of 1 → 200 %, capped at 120; visits 2 of 4 → 50 %; on time 66.67 of 80
    # → 83.34 %. Score = (2×120 + 1×50 + 1×83.34) / (2+1+1) = 373.34 / 4 = 93.34.
    assert da.score == Decimal("93.34")
    assert da.rank == 1
    assert [(line.metric, line.completion, line.points) for line in da.lines] == [
        ("projects_signed", Decimal("200.00"), Decimal("60.00")),
        ("visits", Decimal("50.00"), Decimal("12.50")),
        ("obstacle_on_time_rate", Decimal("83.34"), Decimal("20.84")),
    ]
    # DB: signed 0 of 2 → 0 %; visits 1 of 1 → 100 %; no on-time target: left out, so the
    # weights are 2 + 1. Score = (2×0 + 1×100) / 3 = 33.33.
    assert db.score == Decimal("33.33")
    assert db.rank == 2
    assert [line.status for line in db.lines] == ["counted", "counted", "no_target"]


def test_ranking_gives_equal_scores_the_same_rank(world):
    for district in ("district_a", "district_b"):
        TargetFactory(locality=world[district], metric="visits", value=5)
    rows = campaign_ranking(
        world["users"][Role.COORDINATOR], CampaignFactory(weights={"visits": "1"})
    )
    assert [(row.locality.code, row.score, row.rank) for row in rows] == [
        ("DA", Decimal("0.00"), 1),
        ("DB", Decimal("0.00"), 1),
    ]


def test_ranking_over_a_campaign_of_two_years(world):
    build_records(world)
    da = world["district_a"]
    TargetFactory(locality=da, year=2024, metric="visits", value=1)
    TargetFactory(locality=da, year=2025, metric="visits", value=3)
    TargetFactory(locality=da, year=2024, metric="obstacle_on_time_rate", value=70)
    TargetFactory(locality=da, year=2025, metric="obstacle_on_time_rate", value=80)
    TargetFactory(locality=da, year=2025, metric="projects_signed", value=1)  # 2024 missing
    campaign = CampaignFactory(
        first_year=2024,
        last_year=2025,
        weights={"projects_signed": "1", "visits": "1", "obstacle_on_time_rate": "1"},
    )
    (row,) = campaign_ranking(world["users"][Role.COORDINATOR], campaign)
    lines = {line.metric: line for line in row.lines}
    # Visits: targets summed 1 + 3 = 4, actual 2 → 50 %. On time: targets averaged
    # (70 + 80) / 2 = 75, actual pooled 3 of 4 = 75 % → 100 %. Signed: no 2024 target, left out.
    assert (lines["visits"].target, lines["visits"].completion) == (Decimal("4"), Decimal("50.00"))
    assert (lines["obstacle_on_time_rate"].target, lines["obstacle_on_time_rate"].actual) == (
        Decimal("75.00"),
        Decimal("75.00"),
    )
    assert lines["projects_signed"].status == "no_target"
    assert row.score == Decimal("75.00")


def test_published_snapshot_stays_as_published_after_new_records(world):
    build_records(world)
    set_targets(world)
    coordinator = world["users"][Role.COORDINATOR]
    campaign = campaign_2025()
    snapshot = publish_ranking(actor=coordinator, campaign=campaign, title="Kết quả 2025")
    before = list(
        RankingEntry.objects.filter(snapshot=snapshot).values_list("locality__code", "score")
    )
    assert before == [("DA", Decimal("93.34")), ("DB", Decimal("33.33"))]
    entries = LogEntry.objects.get_for_objects(RankingEntry.objects.filter(snapshot=snapshot))
    assert [entry.actor for entry in entries] == [coordinator, coordinator]
    # Two more visits in district A: the live ranking moves, the snapshot does not.
    for day in (1, 2):
        VisitFactory(
            enterprise=RankingEntry.objects.get(
                snapshot=snapshot, rank=1
            ).locality.enterprises.first(),
            visited_on=datetime.date(2025, 10, day),
        )
    live = by_code(campaign_ranking(coordinator, campaign))
    # Visits 4 of 4 → 100 %: (240 + 100 + 83.34) / 4 = 105.84.
    assert live["DA"].score == Decimal("105.84")
    after = list(
        RankingEntry.objects.filter(snapshot=snapshot).values_list("locality__code", "score")
    )
    assert after == before
    snapshot.refresh_from_db()
    assert snapshot.weights == {
        "projects_signed": "2",
        "visits": "1",
        "obstacle_on_time_rate": "1",
    }
    assert snapshot.title == "Kết quả 2025"


def test_publishing_needs_the_coordinator(world):
    with pytest.raises(PermissionDenied):
        publish_ranking(actor=world["users"][Role.LEADER], campaign=campaign_2025())
    assert RankingSnapshot.objects.count() == 0
