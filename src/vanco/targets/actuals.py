"""THE definition of the actual figures set against targets (see enums.DEFINITIONS).

Used by the targets pages, the ranking, the dashboard and the annual report. Every figure is
computed from the reader's visible querysets only, over the records of each locality's subtree,
in one grouped query per family of records (projects by date, reports, visits, obstacles)
whatever the number of localities; the groups are rolled up the locality tree in Python.

Every figure has a `drilldown_url` to the list with exactly the records behind it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from vanco.core import figures
from vanco.enterprises.models import Visit
from vanco.obstacles.models import Obstacle
from vanco.org.models import Locality
from vanco.projects.dispatch import COUNTED
from vanco.projects.models import DispatchPeriod, ProgressReport, Project
from vanco.targets.enums import Metric

ZERO = Decimal("0")
HUNDRED = Decimal("100")
TWO_PLACES = Decimal("0.01")


def year_span(years) -> tuple[int, int]:
    """(first, last) of a range or tuple of consecutive years; refuses gaps."""
    values = sorted({int(year) for year in years})
    if not values:
        raise ValueError("No year given.")
    if values != list(range(values[0], values[-1] + 1)):
        raise ValueError("The years must follow one another.")
    return values[0], values[-1]


def date_bounds(years) -> tuple[datetime.date, datetime.date]:
    first, last = year_span(years)
    return datetime.date(first, 1, 1), datetime.date(last, 12, 31)


def _moment_bounds(start: datetime.date, end: datetime.date):
    """The instants bounding local days start..end (what the lists' `date__gte/lte` filters
    mean in the active time zone)."""
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz),
    )


def _ancestor_ids(path: str) -> list[int]:
    return [int(segment) for segment in path.strip("/").split("/") if segment]


def actuals(user, *, years, locality_ids=None) -> dict[tuple[int, str], Decimal | None]:
    """{(locality_id, metric): figure} over the given consecutive years, for the localities the
    user can see (all of them, or those of `locality_ids`). Counts and sums are Decimals (0 when
    nothing happened); the rates are None when there is nothing to rate.

    Kept in the cache under the reader's scope and the version of the records it reads: the
    dashboard, the ranking and the reports ask it again and again of millions of rows."""
    date_bounds(years)  # refuses a gap in the years before anything is cached
    question = (tuple(years), None if locality_ids is None else tuple(sorted(locality_ids)))
    return figures.cached(
        "actuals",
        user,
        question,
        (Project, ProgressReport, Visit, Obstacle, Locality),
        lambda: _actuals(user, years=years, locality_ids=locality_ids),
    )


def _actuals(user, *, years, locality_ids=None) -> dict[tuple[int, str], Decimal | None]:
    start, end = date_bounds(years)
    localities = Locality.objects.visible_to(user).order_by()
    paths = dict(localities.values_list("pk", "path"))
    wanted = set(paths) if locality_ids is None else {pk for pk in locality_ids if pk in paths}

    sums: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)

    def add(locality_id, key: str, amount) -> None:
        path = paths.get(locality_id)
        if path is None or not amount:
            return
        for ancestor in _ancestor_ids(path):
            if ancestor in wanted:
                sums[ancestor, key] += Decimal(amount)

    projects = Project.objects.visible_to(user).order_by()
    signed = Q(signing_date__gte=start, signing_date__lte=end)
    started = Q(start_date__gte=start, start_date__lte=end)
    completed = completed_q(start, end)
    for locality_id, n_signed, amount, n_started, n_completed in (
        projects.filter(signed | started | completed)
        .values("locality_id")
        .annotate(
            n_signed=Count("pk", filter=signed),
            amount=Sum("signed_amount", filter=signed),
            n_started=Count("pk", filter=started),
            n_completed=Count("pk", filter=completed),
        )
        .values_list("locality_id", "n_signed", "amount", "n_started", "n_completed")
    ):
        add(locality_id, Metric.PROJECTS_SIGNED, n_signed)
        add(locality_id, Metric.AMOUNT_SIGNED, amount)
        add(locality_id, Metric.PROJECTS_STARTED, n_started)
        add(locality_id, Metric.PROJECTS_COMPLETED, n_completed)

    # Summed per project from the reports' covering index (period, status, project, funds),
    # then added up by the projects' localities: joining each of a year's ~700,000 reports to
    # its project cost seconds on the large data.
    periods = list(
        DispatchPeriod.objects.filter(ends_on__gte=start, ends_on__lte=end).values_list(
            "pk", flat=True
        )
    )
    funds_by_project = dict(
        ProgressReport.objects.visible_to(user)
        .order_by()
        .filter(status__in=COUNTED, period_id__in=periods)
        .values("project_id")
        .annotate(funds=Sum("funds_this_period"))
        .values_list("project_id", "funds")
    )
    if funds_by_project:
        for project_id, locality_id in projects.values_list("pk", "locality_id").iterator(
            chunk_size=5000
        ):
            if project_id in funds_by_project:
                add(locality_id, Metric.FUNDS_IN_PLACE, funds_by_project[project_id])

    for locality_id, n_visits in (
        Visit.objects.visible_to(user)
        .order_by()
        .filter(visited_on__gte=start, visited_on__lte=end)
        .values("enterprise__locality_id")
        .annotate(n=Count("pk"))
        .values_list("enterprise__locality_id", "n")
    ):
        add(locality_id, Metric.VISITS, n_visits)

    moment_from, moment_to = _moment_bounds(start, end)
    resolved = Q(resolved_at__gte=moment_from, resolved_at__lt=moment_to)
    rated = Q(closed_at__gte=moment_from, closed_at__lt=moment_to, rating__isnull=False)
    for locality_id, n_resolved, n_on_time, n_rated, rating_sum in (
        Obstacle.objects.visible_to(user)
        .order_by()
        .filter(resolved | rated)
        .values("locality_id")
        .annotate(
            n_resolved=Count("pk", filter=resolved),
            n_on_time=Count("pk", filter=resolved & Q(resolved_on_time=True)),
            n_rated=Count("pk", filter=rated),
            rating_sum=Sum("rating", filter=rated),
        )
        .values_list("locality_id", "n_resolved", "n_on_time", "n_rated", "rating_sum")
    ):
        add(locality_id, "resolved", n_resolved)
        add(locality_id, "on_time", n_on_time)
        add(locality_id, "rated", n_rated)
        add(locality_id, "rating_sum", rating_sum)

    result: dict[tuple[int, str], Decimal | None] = {}
    for pk in wanted:
        for metric in (
            Metric.PROJECTS_SIGNED,
            Metric.AMOUNT_SIGNED,
            Metric.FUNDS_IN_PLACE,
            Metric.PROJECTS_STARTED,
            Metric.PROJECTS_COMPLETED,
            Metric.VISITS,
        ):
            result[pk, metric.value] = sums.get((pk, metric), ZERO)
        n_resolved = sums.get((pk, "resolved"), ZERO)
        result[pk, Metric.OBSTACLE_ON_TIME_RATE.value] = (
            (sums.get((pk, "on_time"), ZERO) * HUNDRED / n_resolved).quantize(
                TWO_PLACES, ROUND_HALF_UP
            )
            if n_resolved
            else None
        )
        n_rated = sums.get((pk, "rated"), ZERO)
        result[pk, Metric.SATISFACTION.value] = (
            (sums.get((pk, "rating_sum"), ZERO) / n_rated).quantize(TWO_PLACES, ROUND_HALF_UP)
            if n_rated
            else None
        )
    return result


def completed_q(start: datetime.date, end: datetime.date, prefix: str = "") -> Q:
    """Completed in the span: the completion date, or the operation date when no completion
    date was recorded (a project may go straight into operation)."""
    completion, operation = f"{prefix}completion_date", f"{prefix}operation_date"
    return Q(**{f"{completion}__gte": start, f"{completion}__lte": end}) | Q(
        **{f"{completion}__isnull": True, f"{operation}__gte": start, f"{operation}__lte": end}
    )


def _url(name: str, params: dict) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def drilldown_url(metric: str, years, locality, *, part: str = "") -> str:
    """The list showing exactly the records behind the figure of `metric` over `years` for
    `locality` (a Locality or its id; its subtree is included).

    For the on-time rate, `part="resolved"` gives the denominator (all resolved obstacles); the
    default gives the numerator (those resolved on time). For satisfaction, the rated ones."""
    start, end = date_bounds(years)
    locality_id = getattr(locality, "pk", locality)
    first, last = start.isoformat(), end.isoformat()
    metric = Metric(metric)
    if metric in (Metric.PROJECTS_SIGNED, Metric.AMOUNT_SIGNED):
        return _url(
            "projects:project-list",
            {"signed_from": first, "signed_to": last, "locality": locality_id},
        )
    if metric == Metric.PROJECTS_STARTED:
        return _url(
            "projects:project-list",
            {"started_from": first, "started_to": last, "locality": locality_id},
        )
    if metric == Metric.PROJECTS_COMPLETED:
        return _url(
            "projects:project-list",
            {"completed_from": first, "completed_to": last, "locality": locality_id},
        )
    if metric == Metric.FUNDS_IN_PLACE:
        # The counted reports of the span: the list's totals row is the figure.
        return _url(
            "projects:report-list",
            {
                "bucket": "counted",
                "period_ends_from": first,
                "period_ends_to": last,
                "locality": locality_id,
            },
        )
    if metric == Metric.VISITS:
        return _url(
            "enterprises:visit-list",
            {"visited_from": first, "visited_to": last, "locality": locality_id},
        )
    if metric == Metric.OBSTACLE_ON_TIME_RATE:
        params = {"view": "all", "resolved_from": first, "resolved_to": last}
        params["locality"] = locality_id
        if part != "resolved":
            params["on_time"] = "yes"
        return _url("obstacles:obstacle-list", params)
    return _url(
        "obstacles:obstacle-list",
        {
            "view": "all",
            "closed_from": first,
            "closed_to": last,
            "rated": "yes",
            "locality": locality_id,
        },
    )
