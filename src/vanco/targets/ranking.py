"""The ranking of localities against their targets, and its publication.

    score = Σ wₘ × min(actualₘ / targetₘ, cap) / Σ wₘ × 100

over the metrics m that carry a weight above zero AND, for that locality, a target above zero
for every year of the span AND an actual figure (a rate with nothing to rate has none). A metric
left out for a locality is shown as such in its breakdown, and the weights of the metrics that
remain are what the score is divided by (so a missing target neither rewards nor punishes).

Over several years, counts and amounts are summed (targets and actuals); rates are pooled over
the span (all obstacles resolved in it, all ratings in it) and set against the average of the
yearly targets. The city itself (the root) is not ranked: its districts and parks are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanco.core import access
from vanco.core.audit import acting_as
from vanco.org.models import Locality
from vanco.targets.actuals import actuals, year_span
from vanco.targets.enums import RATE_METRICS, Metric
from vanco.targets.models import Campaign, RankingEntry, RankingSnapshot, Target

HUNDRED = Decimal("100")
TWO_PLACES = Decimal("0.01")

FORMULA = "score = Σ wₘ × min(actualₘ / targetₘ, cap) / Σ wₘ × 100"

COUNTED, NO_TARGET, NO_FIGURE = "counted", "no_target", "no_figure"


def _q(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(TWO_PLACES, ROUND_HALF_UP)


@dataclass
class Line:
    metric: str
    weight: Decimal
    target: Decimal | None = None
    actual: Decimal | None = None
    completion: Decimal | None = None  # per cent, before the cap
    points: Decimal | None = None  # this metric's share of the score
    status: str = NO_TARGET

    @property
    def metric_label(self) -> str:
        return str(Metric(self.metric).label)

    def as_json(self) -> dict:
        def text(value):
            return None if value is None else str(value)

        return {
            "metric": self.metric,
            "weight": text(self.weight),
            "target": text(self.target),
            "actual": text(self.actual),
            "completion": text(self.completion),
            "points": text(self.points),
            "status": self.status,
        }


@dataclass
class Row:
    locality: Locality
    lines: list[Line] = field(default_factory=list)
    score: Decimal | None = None
    rank: int | None = None


def clean_weights(weights: dict) -> dict[str, Decimal]:
    """The metrics that count, in the metrics' order, with their weight as a Decimal."""
    return {
        metric: Decimal(str(weights[metric]))
        for metric in Metric.values
        if metric in weights and Decimal(str(weights[metric])) > 0
    }


def compute_ranking(user, *, years, weights: dict, cap) -> list[Row]:
    """Every non-root locality the user can see that has a target for a weighted metric in the
    span, scored and ranked (equal scores share a rank: 1, 1, 3). Localities whose every metric
    was left out come last, without score or rank."""
    first, last = year_span(years)
    span = range(first, last + 1)
    weights = clean_weights(weights)
    cap = Decimal(str(cap))
    yearly: dict[tuple[int, str], dict[int, Decimal]] = defaultdict(dict)
    for locality_id, metric, year, value in (
        Target.objects.visible_to(user)
        .filter(year__in=list(span), metric__in=list(weights), locality__depth__gt=0)
        .values_list("locality_id", "metric", "year", "value")
    ):
        yearly[locality_id, metric][year] = value
    locality_ids = sorted({locality_id for locality_id, _m in yearly})
    localities = {
        locality.pk: locality
        for locality in Locality.objects.visible_to(user).filter(pk__in=locality_ids)
    }
    figures = actuals(user, years=span, locality_ids=list(localities))
    rows = []
    for locality_id, locality in localities.items():
        row = Row(locality=locality)
        counted_weight = Decimal("0")
        weighted = Decimal("0")
        for metric, weight in weights.items():
            line = Line(metric=metric, weight=weight)
            values = yearly.get((locality_id, metric), {})
            if len(values) == len(span) and all(value > 0 for value in values.values()):
                total = sum(values.values(), Decimal("0"))
                line.target = _q(total / len(span)) if metric in RATE_METRICS else total
            line.actual = figures.get((locality_id, metric))
            if line.target is None:
                line.status = NO_TARGET
            elif line.actual is None:
                line.status = NO_FIGURE
            else:
                line.status = COUNTED
                line.completion = _q(line.actual * HUNDRED / line.target)
                counted_weight += weight
                weighted += weight * min(line.completion, cap)
            row.lines.append(line)
        if counted_weight:
            row.score = _q(weighted / counted_weight)
            for line in row.lines:
                if line.status == COUNTED:
                    line.points = _q(weight_share(line, counted_weight, cap))
        rows.append(row)
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), r.locality.path))
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        if row.score is None:
            break
        if row.score != previous:
            rank, previous = position, row.score
        row.rank = rank
    return rows


def weight_share(line: Line, counted_weight: Decimal, cap: Decimal) -> Decimal:
    return line.weight * min(line.completion, cap) / counted_weight


def campaign_ranking(user, campaign: Campaign) -> list[Row]:
    return compute_ranking(
        user, years=campaign.years, weights=campaign.weights, cap=campaign.completion_cap
    )


def publish_ranking(*, actor, campaign: Campaign, title: str = "") -> RankingSnapshot:
    """Freeze today's ranking of `campaign`: weights, cap, formula and every locality's figures
    as they are now. The snapshot is never changed afterwards (nobody may edit it)."""
    access.require(actor, "rankings.publish")
    access.require(actor, "rankings.live")
    campaign = access.visible_or_404(Campaign, actor, campaign.pk)
    with transaction.atomic(), acting_as(actor):
        rows = campaign_ranking(actor, campaign)
        now = timezone.now()
        snapshot = RankingSnapshot(
            campaign=campaign,
            title=(title or "").strip()
            or _("%(campaign)s — as of %(date)s")
            % {"campaign": campaign.name, "date": timezone.localdate(now).strftime("%d/%m/%Y")},
            published_by=actor,
            published_at=now,
            first_year=campaign.first_year,
            last_year=campaign.last_year,
            weights={
                metric: str(weight) for metric, weight in clean_weights(campaign.weights).items()
            },
            completion_cap=campaign.completion_cap,
            formula=FORMULA,
            data_date=timezone.localdate(now),
        )
        snapshot.save()
        # Saved one by one (a few dozen localities): each entry is audited with its actor.
        for row in rows:
            RankingEntry(
                snapshot=snapshot,
                locality=row.locality,
                rank=row.rank,
                score=row.score,
                breakdown=[line.as_json() for line in row.lines],
            ).save()
    return snapshot


def snapshot_lines(entry: RankingEntry) -> list[Line]:
    """A published entry's breakdown as Lines, for the same templates as the live ranking."""
    lines = []
    for item in entry.breakdown:

        def number(key, item=item):
            return None if item.get(key) is None else Decimal(item[key])

        lines.append(
            Line(
                metric=item["metric"],
                weight=number("weight"),
                target=number("target"),
                actual=number("actual"),
                completion=number("completion"),
                points=number("points"),
                status=item["status"],
            )
        )
    return lines
