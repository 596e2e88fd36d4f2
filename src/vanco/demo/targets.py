"""Demo targets and rankings: three years of targets for the city and every district, county,
town and industrial park, set around what the demo's records actually achieve (some localities
above their targets, some below), a three-year competition and a yearly one per year, and the
published rankings of the two finished years.

Call after the pipeline and the serving (it reads their records):

    generate_targets(rng=random.Random(seed), today=today)

It reads the records as the coordinator `dieuphoi` (or `actor`, if given, which must hold the
coordinator role) and publishes in their name.
"""

import datetime
import random
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from vanco.core import access
from vanco.org.enums import LocalityKind
from vanco.org.models import Locality
from vanco.targets.actuals import actuals
from vanco.targets.enums import COUNT_METRICS, RATE_METRICS, Metric
from vanco.targets.models import Campaign, RankingSnapshot, Target
from vanco.targets.ranking import publish_ranking

TARGET_KINDS = (
    LocalityKind.CITY,
    LocalityKind.DISTRICT,
    LocalityKind.COUNTY,
    LocalityKind.TOWN,
    LocalityKind.INDUSTRIAL_PARK,
)
THREE_YEAR_WEIGHTS = {
    Metric.PROJECTS_SIGNED: "2",
    Metric.AMOUNT_SIGNED: "2",
    Metric.FUNDS_IN_PLACE: "2",
    Metric.PROJECTS_STARTED: "1",
    Metric.PROJECTS_COMPLETED: "1",
    Metric.VISITS: "1",
    Metric.OBSTACLE_ON_TIME_RATE: "1",
    Metric.SATISFACTION: "1",
}
YEARLY_WEIGHTS = {
    Metric.PROJECTS_SIGNED: "3",
    Metric.FUNDS_IN_PLACE: "3",
    Metric.PROJECTS_STARTED: "2",
    Metric.VISITS: "1",
    Metric.OBSTACLE_ON_TIME_RATE: "1",
}


def _coordinator(actor):
    if actor is not None and access.can(actor, "rankings.publish"):
        return actor
    return get_user_model()._default_manager.get(username="dieuphoi")


def _target(rng: random.Random, metric: str, actual, full_year_factor: Decimal) -> Decimal:
    """A plausible target: the year's pace of the records times 0.75–1.35 (so some localities
    end above it, some below), at least 1 for counts; rates near what happened."""
    if metric == Metric.OBSTACLE_ON_TIME_RATE:
        base = actual if actual is not None else Decimal("75")
        value = base + Decimal(rng.randint(-12, 15))
        return min(max(value, Decimal("50")), Decimal("98")).quantize(Decimal("1"))
    if metric == Metric.SATISFACTION:
        base = actual if actual is not None else Decimal("4")
        value = base + Decimal(rng.randint(-4, 5)) / 10
        return min(max(value, Decimal("3")), Decimal("5")).quantize(Decimal("0.1"))
    pace = (actual or Decimal("0")) * full_year_factor
    value = pace * Decimal(str(round(rng.uniform(0.75, 1.35), 2)))
    if metric in COUNT_METRICS:
        return max(value.quantize(Decimal("1"), ROUND_CEILING), Decimal("1"))
    return max(value.quantize(Decimal("1"), ROUND_HALF_UP), Decimal("10"))


def generate_targets(*, rng: random.Random, today: datetime.date, actor=None) -> dict[str, int]:
    """Targets for the three years ending with today's, campaigns and two published rankings.
    Returns rows created per model label."""
    coordinator = _coordinator(actor)
    years = range(today.year - 2, today.year + 1)
    localities = list(Locality.objects.filter(kind__in=TARGET_KINDS).order_by("path"))
    wanted = [locality.pk for locality in localities]
    rows = []
    for year in years:
        figures = actuals(coordinator, years=(year,), locality_ids=wanted)
        # The current year is set against the pace of the records so far.
        elapsed = (today - datetime.date(year, 1, 1)).days + 1
        factor = Decimal(365) / Decimal(elapsed) if year == today.year else Decimal(1)
        for locality in localities:
            for metric in Metric.values:
                actual = figures.get((locality.pk, metric))
                if metric not in RATE_METRICS and locality.kind == LocalityKind.INDUSTRIAL_PARK:
                    # Parks have few records: targets of their own size, not the district's.
                    actual = actual or Decimal(rng.randint(0, 3))
                rows.append(
                    Target(
                        year=year,
                        locality=locality,
                        metric=metric,
                        value=_target(rng, metric, actual, factor),
                        note="",
                    )
                )
    Target.objects.bulk_create(rows, batch_size=1000)

    campaigns = [
        Campaign(
            name=f"Thi đua ba năm {years[0]}–{years[-1]}",
            first_year=years[0],
            last_year=years[-1],
            weights={str(metric): weight for metric, weight in THREE_YEAR_WEIGHTS.items()},
            completion_cap=Decimal("120"),
            description="Phong trào thi đua thu hút đầu tư và phát triển công nghiệp giai đoạn "
            f"{years[0]}–{years[-1]} giữa các quận, huyện, thị xã và khu công nghiệp.",
        )
    ]
    campaigns += [
        Campaign(
            name=f"Thi đua năm {year}",
            first_year=year,
            last_year=year,
            weights={str(metric): weight for metric, weight in YEARLY_WEIGHTS.items()},
            completion_cap=Decimal("120"),
            description=f"Xếp hạng các địa phương theo kết quả thực hiện chỉ tiêu năm {year}.",
        )
        for year in years
    ]
    for campaign in campaigns:
        campaign.refresh_search_text()
    Campaign.objects.bulk_create(campaigns)

    snapshots = 0
    for campaign in Campaign.objects.filter(first_year__in=years[:-1], last_year__in=years[:-1]):
        snapshot = publish_ranking(
            actor=coordinator,
            campaign=campaign,
            title=f"Kết quả thi đua năm {campaign.first_year}",
        )
        # Published in the January after the year, as the leading group does.
        published = datetime.datetime.combine(
            datetime.date(campaign.first_year + 1, 1, 20),
            datetime.time(9, 0),
            tzinfo=timezone.get_current_timezone(),
        )
        RankingSnapshot.objects.filter(pk=snapshot.pk).update(
            published_at=published, data_date=published.date()
        )
        snapshots += 1
    return {
        "targets.Target": len(rows),
        "targets.Campaign": len(campaigns),
        "targets.RankingSnapshot": snapshots,
    }
