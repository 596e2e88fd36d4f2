"""Read-side figures of obstacles: metrics per lead department and per locality, and the
concentration of unresolved obstacles by category × leading industry.

Every figure starts at ``Obstacle.objects.visible_to(user)``: a department officer's metrics
cover only the obstacles they may see. Each measure is one grouped SQL query (the median
picks its middle rows with window functions), so the cost does not grow with the number of
groups shown.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, Q, Window
from django.db.models.functions import RowNumber, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanco.core import figures
from vanco.core.tree import PATH_DIGITS
from vanco.industries.models import Industry
from vanco.obstacles.enums import OPEN_STATUSES, UNRESOLVED_STATUSES, Category
from vanco.obstacles.models import Obstacle
from vanco.org.models import Department, Locality

#: "/<city>/<district>/": the path prefix of a top-level district, county or park.
TOP_PATH_LENGTH = 1 + 2 * (PATH_DIGITS + 1)

DEPARTMENT = "department"
LOCALITY = "locality"


def default_range(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """This year up to today."""
    today = today or timezone.localdate()
    return datetime.date(today.year, 1, 1), today


def _bounds(date_from: datetime.date, date_to: datetime.date):
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=tz)
    # The day after date_to, kept inside the calendar (a typed 31/12/9999 is "no end").
    last = min(date_to, datetime.date.max - datetime.timedelta(days=1))
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def _group_expression(by: str):
    if by == DEPARTMENT:
        return F("lead_department_id")
    if by == LOCALITY:
        return Substr("locality__path", 1, TOP_PATH_LENGTH)
    raise ValueError(by)


@dataclass
class MetricsRow:
    """One department's or one top-level locality's figures (key None: not yet assigned)."""

    key: object
    label: str
    filter_value: int | None = None
    raised: int = 0
    resolved: int = 0
    on_time: int = 0
    median_days: Decimal | None = None
    overdue: int = 0
    average_rating: Decimal | None = None
    extra: dict = field(default_factory=dict)

    @property
    def on_time_share(self) -> Decimal | None:
        """Percentage of the resolved obstacles that were resolved by their due date."""
        if not self.resolved:
            return None
        return (Decimal(100 * self.on_time) / self.resolved).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def _median_by(qs, key_expression) -> dict:
    """The median days to resolve per group: SQL numbers the rows of each group by days and
    keeps only the one or two middle rows; their mean is the median."""
    ranked = (
        qs.filter(days_to_resolve__isnull=False)
        .annotate(
            group_key=key_expression,
            position=Window(
                RowNumber(), partition_by=[key_expression], order_by=[F("days_to_resolve").asc()]
            ),
            group_size=Window(Count("pk"), partition_by=[key_expression]),
        )
        .filter(
            position__gte=(F("group_size") + 1) / 2,
            position__lte=(F("group_size") + 2) / 2,
        )
        .values_list("group_key", "days_to_resolve")
    )
    middles: dict = {}
    for key, days in ranked:
        middles.setdefault(key, []).append(days)
    return {
        key: (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        for key, values in middles.items()
    }


def metrics(
    user,
    *,
    by: str,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    today: datetime.date | None = None,
) -> list[MetricsRow]:
    """Figures per lead department (``by="department"``) or per top-level locality
    (``by="locality"``) for obstacles the user may see:

    raised (raised in the range), resolved and resolved on time (resolved in the range),
    median days to resolve (of those), overdue now (open and past due today, whatever the
    range) and average satisfaction (ratings of obstacles closed in the range).

    The figures are kept in the cache under the user's scope, the question and the data's
    version (the latest change of any obstacle or locality), so a repeated question costs two
    indexed lookups and any change is seen at once.
    """
    today = today or timezone.localdate()
    default_from, default_to = default_range(today)
    date_from, date_to = date_from or default_from, date_to or default_to
    rows = figures.cached(
        "obstacle-metrics",
        user,
        (by, date_from, date_to, today),
        (Obstacle, Locality),
        lambda: _figures(user, by=by, date_from=date_from, date_to=date_to, today=today),
    )
    _label(rows, by)
    return sorted(rows.values(), key=lambda r: (r.key is None, r.label))


def _figures(user, *, by, date_from, date_to, today) -> dict:
    start, end = _bounds(date_from, date_to)
    key = _group_expression(by)
    base = Obstacle.objects.visible_to(user).order_by()
    raised = Q(raised_at__gte=start, raised_at__lt=end)
    resolved = Q(resolved_at__gte=start, resolved_at__lt=end)
    overdue = Q(status__in=OPEN_STATUSES, due_on__lt=today)
    rated = Q(closed_at__gte=start, closed_at__lt=end, rating__isnull=False)
    rows: dict = {}
    # One pass over the obstacles that count for any figure, every figure a filtered count.
    for group_key, n_raised, n_resolved, n_on_time, n_overdue, average in (
        base.filter(raised | resolved | overdue | rated)
        .annotate(group_key=key)
        .values("group_key")
        .annotate(
            n_raised=Count("pk", filter=raised),
            n_resolved=Count("pk", filter=resolved),
            n_on_time=Count("pk", filter=resolved & Q(resolved_on_time=True)),
            n_overdue=Count("pk", filter=overdue),
            average=Avg("rating", filter=rated),
        )
        .values_list("group_key", "n_raised", "n_resolved", "n_on_time", "n_overdue", "average")
    ):
        row = MetricsRow(key=group_key, label="")
        row.raised, row.resolved, row.on_time, row.overdue = (
            n_raised,
            n_resolved,
            n_on_time,
            n_overdue,
        )
        if average is not None:
            row.average_rating = Decimal(str(average)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        rows[group_key] = row
    for group_key, median in _median_by(base.filter(resolved), key).items():
        rows.setdefault(group_key, MetricsRow(key=group_key, label="")).median_days = median
    return rows


def _label(rows: dict, by: str) -> None:
    keys = [k for k in rows if k is not None]
    if by == DEPARTMENT:
        names = dict(Department.objects.filter(pk__in=keys).values_list("pk", "name"))
        for key, metrics_row in rows.items():
            metrics_row.filter_value = key
            metrics_row.label = names.get(key, "") if key is not None else str(_("Not assigned"))
        return
    localities = dict(
        Locality.objects.filter(path__in=keys).values_list("path", "pk"),
    )
    names = dict(Locality.objects.filter(path__in=keys).values_list("path", "name"))
    for key, metrics_row in rows.items():
        metrics_row.filter_value = localities.get(key)
        metrics_row.label = names.get(key, "")


def metrics_total(rows: list[MetricsRow]) -> MetricsRow:
    """The sums of the rows (the median and the average are not additive: left empty)."""
    total = MetricsRow(key="total", label=str(_("Total")))
    for metrics_row in rows:
        total.raised += metrics_row.raised
        total.resolved += metrics_row.resolved
        total.on_time += metrics_row.on_time
        total.overdue += metrics_row.overdue
    return total


@dataclass
class Concentration:
    categories: list  # [(value, label)]
    industries: list  # [(id or None, name)]
    counts: dict  # {(category, industry_id): count}
    maximum: int
    total: int

    def cell(self, category, industry_id) -> int:
        return self.counts.get((category, industry_id), 0)


def concentration(user, *, locality: Locality | None = None) -> Concentration:
    """Counts of unresolved obstacles (submitted or open) the user may see, by category ×
    leading industry; within one locality's subtree when given."""
    qs = Obstacle.objects.visible_to(user).filter(status__in=UNRESOLVED_STATUSES).order_by()
    if locality is not None:
        qs = qs.filter(locality__path__startswith=locality.path)
    counts = {
        (category, industry_id): n
        for category, industry_id, n in qs.values("category", "industry_id")
        .annotate(n=Count("pk"))
        .values_list("category", "industry_id", "n")
    }
    used_categories = {category for category, _industry in counts}
    categories = [(c.value, c.label) for c in Category if c.value in used_categories]
    industry_ids = {industry_id for _category, industry_id in counts}
    industries = list(
        Industry.objects.filter(pk__in=[i for i in industry_ids if i is not None])
        .order_by("sort_order", "name")
        .values_list("pk", "name")
    )
    if None in industry_ids:
        industries.append((None, str(_("No leading industry"))))
    return Concentration(
        categories=categories,
        industries=industries,
        counts=counts,
        maximum=max(counts.values(), default=0),
        total=sum(counts.values()),
    )
