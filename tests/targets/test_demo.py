"""The demo's targets: three years for the city and its districts, campaigns, two published
rankings, targets set around the records (some reached, some not)."""

import datetime
import random

import pytest

from tests.targets.factories import build_records
from vanco.accounts.enums import Role
from vanco.demo.targets import generate_targets
from vanco.targets.models import Campaign, RankingSnapshot, Target

pytestmark = pytest.mark.django_db


def test_generate_targets_gives_three_years_campaigns_and_two_snapshots(world):
    build_records(world)
    coordinator = world["users"][Role.COORDINATOR]
    counts = generate_targets(
        rng=random.Random(1), today=datetime.date(2026, 6, 30), actor=coordinator
    )
    # The city, district A and county B (communes get none): 3 years × 3 × 8 metrics.
    assert counts == {
        "targets.Target": 72,
        "targets.Campaign": 4,
        "targets.RankingSnapshot": 2,
    }
    assert sorted(set(Target.objects.values_list("year", flat=True))) == [2024, 2025, 2026]
    assert sorted(Campaign.objects.values_list("first_year", "last_year")) == [
        (2024, 2024),
        (2024, 2026),
        (2025, 2025),
        (2026, 2026),
    ]
    assert sorted(
        (s.first_year, s.published_at.date().isoformat(), s.entries.count())
        for s in RankingSnapshot.objects.all()
    ) == [(2024, "2025-01-20", 2), (2025, "2026-01-20", 2)]
