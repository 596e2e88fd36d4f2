"""The command dashboard's figures: one place, so the bulletin shows the same numbers.

Every figure starts at ``visible_to(user)`` (a locality officer's dashboard counts only their
locality), is one grouped SQL query (never a query per row) and carries the ``url`` of the list
behind it, built from the list's own filter parameters so that the list shows the same count.
The grouped figures are kept in the cache under the reader's scope, the question, the language
and the version of the tables they read (core.figures.cached): a repeated question costs a few
indexed lookups, and any change is seen at once.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import Substr, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vanco.core import access
from vanco.core import figures as cache
from vanco.core.tree import PATH_DIGITS
from vanco.industries.models import Industry
from vanco.obstacles.enums import OPEN_STATUSES, UNRESOLVED_STATUSES
from vanco.obstacles.models import Obstacle
from vanco.org.models import Locality
from vanco.projects.dispatch import COUNTED
from vanco.projects.enums import NO_LIGHT_STAGES, PIPELINE, Light, Stage
from vanco.projects.lights import reasons_text
from vanco.projects.models import DispatchPeriod, ProgressReport, Project

ZERO = Decimal("0.000")


def _money(value) -> Decimal:
    """A sum of amounts with the money fields' three decimals (None: nothing, 0)."""
    return ZERO if value is None else Decimal(value).quantize(ZERO)


@dataclass(frozen=True)
class Filters:
    start: datetime.date  # a year (1 Jan–31 Dec) or a dispatch period's dates
    end: datetime.date
    industry_id: int | None = None
    locality_id: int | None = None  # the locality's whole subtree

    @classmethod
    def year(cls, year: int, **kwargs) -> "Filters":
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31), **kwargs)

    def key(self) -> tuple:
        return (self.start, self.end, self.industry_id, self.locality_id)


# ---------------------------------------------------------------------------------------------
# Scoped querysets and list URLs


def _locality_path(user, filters: Filters) -> str | None:
    """The chosen locality's path, or "" for the whole city; None: not visible to the user."""
    if filters.locality_id is None:
        return ""
    return (
        Locality.objects.visible_to(user)
        .filter(pk=filters.locality_id)
        .values_list("path", flat=True)
        .first()
    )


def projects(user, filters: Filters, *, path: str | None = ""):
    qs = Project.objects.visible_to(user).order_by()
    if path is None:
        return qs.none()
    if filters.industry_id is not None:
        qs = qs.filter(industry_id=filters.industry_id)
    if path:
        qs = qs.filter(locality__path__startswith=path)
    return qs


def obstacles(user, filters: Filters, *, path: str | None = ""):
    qs = Obstacle.objects.visible_to(user).order_by()
    if path is None:
        return qs.none()
    if filters.industry_id is not None:
        qs = qs.filter(industry_id=filters.industry_id)
    if path:
        qs = qs.filter(locality__path__startswith=path)
    return qs


def reports(user, filters: Filters, *, path: str | None = ""):
    """Counted progress reports (submitted or accepted) of the visible, filtered projects, in
    the dispatch periods ending within the filters' dates (found first: a few rows, so the
    reports are read through their (period, status) index, or, for a narrower reader or
    filter, through (project, period) from the few projects concerned)."""
    if path is None:
        return ProgressReport.objects.none()
    periods = list(
        DispatchPeriod.objects.filter(
            ends_on__gte=filters.start, ends_on__lte=filters.end
        ).values_list("pk", flat=True)
    )
    qs = ProgressReport.objects.visible_to(user)
    if path or filters.industry_id is not None or not access.scope_for(user).whole_city:
        # Read from the few projects concerned, through their (project, period) index.
        qs = qs.filter(project_id__in=projects(user, filters, path=path).values("pk"))
    return qs.order_by().filter(period_id__in=periods, status__in=COUNTED)


def _url(name: str, filters: Filters, **params) -> str:
    query = {}
    if filters.industry_id is not None:
        query["industry"] = filters.industry_id
    if filters.locality_id is not None:
        query["locality"] = filters.locality_id
    query.update({k: v for k, v in params.items() if v is not None})
    url = reverse(name)
    return f"{url}?{urlencode(query)}" if query else url


def project_url(filters: Filters, **params) -> str:
    return _url("projects:project-list", filters, **params)


def obstacle_url(filters: Filters, **params) -> str:
    # The "all obstacles" tab: the list otherwise opens on the reader's own inbox or preset.
    return _url("obstacles:obstacle-list", filters, view="all", **params)


def _iso(day: datetime.date) -> str:
    return day.isoformat()


def _bounds(start: datetime.date, end: datetime.date):
    tz = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    last = min(end, datetime.date.max - datetime.timedelta(days=1))
    high = datetime.datetime.combine(
        last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return low, high


def _cached(name, user, filters, question, models, compute):
    return cache.cached(
        f"dashboard-{name}", user, (filters.key(), question, get_language()), models, compute
    )


PROJECT_MODELS = (Project, Locality, Industry)
OBSTACLE_MODELS = (Obstacle, Locality)


# ---------------------------------------------------------------------------------------------
# The big numbers


def summary(user, filters: Filters, *, today: datetime.date) -> dict:
    """The row of big numbers (see the module docstring of each key in `SUMMARY_KEYS`)."""
    return _cached(
        "summary",
        user,
        filters,
        (today,),
        (*PROJECT_MODELS, Obstacle, ProgressReport),
        lambda: _summary(user, filters, today=today),
    )


def _summary(user, filters: Filters, *, today: datetime.date) -> dict:
    path = _locality_path(user, filters)
    start, end = filters.start, filters.end
    signed = Q(signing_date__gte=start, signing_date__lte=end)
    started = Q(start_date__gte=start, start_date__lte=end)
    # The completion date, or the operation date when none was recorded (as the targets and
    # the project list's completed_from/completed_to filter count it).
    completed = Q(completion_date__gte=start, completion_date__lte=end) | Q(
        completion_date__isnull=True, operation_date__gte=start, operation_date__lte=end
    )
    red = Q(light=Light.RED) & ~Q(stage__in=NO_LIGHT_STAGES)
    p = projects(user, filters, path=path).aggregate(
        projects_total=Count("pk"),
        planned_investment=Sum("planned_investment"),
        signed_count=Count("pk", filter=signed),
        signed_amount=Sum("signed_amount", filter=signed),
        started_count=Count("pk", filter=started),
        completed_count=Count("pk", filter=completed),
        red_count=Count("pk", filter=red),
    )
    funds_by_month = funds_over_time(user, filters)
    as_of = min(today, end)
    low, high = _bounds(start, end)
    resolved = Q(resolved_at__gte=low, resolved_at__lt=high)
    o = obstacles(user, filters, path=path).aggregate(
        obstacles_open=Count("pk", filter=Q(status__in=UNRESOLVED_STATUSES)),
        obstacles_overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_on__lt=as_of)),
        obstacles_resolved=Count("pk", filter=resolved),
        obstacles_resolved_on_time=Count("pk", filter=resolved & Q(resolved_on_time=True)),
    )
    return {
        "projects_total": p["projects_total"],
        "planned_investment": _money(p["planned_investment"]),
        "signed_count": p["signed_count"],
        "signed_amount": _money(p["signed_amount"]),
        "started_count": p["started_count"],
        "completed_count": p["completed_count"],
        "funds_in_place": funds_by_month[-1]["cumulative"] if funds_by_month else ZERO,
        "red_count": p["red_count"],
        **o,
    }


def summary_urls(filters: Filters, *, today: datetime.date | None = None) -> dict[str, str]:
    """The list behind each big number (same filters, same count)."""
    start, end = _iso(filters.start), _iso(filters.end)
    today = today or timezone.localdate()
    if filters.end < today:
        # Overdue at the end of a past range: still open and due before that day.
        overdue = obstacle_url(filters, status_group="open", due_before=_iso(filters.end))
    else:
        overdue = obstacle_url(filters, deadline="overdue")
    projects_all = project_url(filters)
    resolved = obstacle_url(filters, resolved_from=start, resolved_to=end)
    return {
        "projects_total": projects_all,
        "planned_investment": projects_all,
        "signed_count": project_url(filters, signed_from=start, signed_to=end),
        "signed_amount": project_url(filters, signed_from=start, signed_to=end),
        "started_count": project_url(filters, started_from=start, started_to=end),
        "completed_count": project_url(filters, completed_from=start, completed_to=end),
        "funds_in_place": project_url(filters, funds_from=start, funds_to=end),
        "red_count": project_url(filters, light=Light.RED),
        "obstacles_open": obstacle_url(filters, status_group="unresolved"),
        "obstacles_overdue": overdue,
        "obstacles_resolved": resolved,
        "obstacles_resolved_on_time": obstacle_url(
            filters, resolved_from=start, resolved_to=end, on_time="yes"
        ),
    }


# ---------------------------------------------------------------------------------------------
# Charts


def pipeline_by_stage(user, filters: Filters) -> list[dict]:
    """Projects per stage (pipeline order, then paused and dropped): count and planned amount."""

    def compute():
        path = _locality_path(user, filters)
        grouped = {
            row["stage"]: row
            for row in projects(user, filters, path=path)
            .values("stage")
            .annotate(count=Count("pk"), amount=Sum("planned_investment"))
        }
        rows = []
        for stage in (*PIPELINE, Stage.PAUSED, Stage.DROPPED):
            row = grouped.get(stage, {})
            rows.append(
                {
                    "stage": str(stage),
                    "label": str(Stage(stage).label),
                    "count": row.get("count", 0),
                    "amount": _money(row.get("amount")),
                    "url": project_url(filters, stage=str(stage)),
                }
            )
        return rows

    return _cached("pipeline", user, filters, (), PROJECT_MODELS, compute)


def by_industry(user, filters: Filters) -> list[dict]:
    """Projects per leading industry (largest planned amount first)."""

    def compute():
        path = _locality_path(user, filters)
        grouped = list(
            projects(user, filters, path=path)
            .values("industry_id")
            .annotate(count=Count("pk"), amount=Sum("planned_investment"))
        )
        names = dict(
            Industry.objects.filter(pk__in=[row["industry_id"] for row in grouped]).values_list(
                "pk", "name"
            )
        )
        rows = [
            {
                "industry_id": row["industry_id"],
                "label": names.get(row["industry_id"], ""),
                "count": row["count"],
                "amount": _money(row["amount"]),
                "url": project_url(
                    Filters(filters.start, filters.end, None, filters.locality_id),
                    industry=row["industry_id"],
                ),
            }
            for row in grouped
        ]
        return sorted(rows, key=lambda r: (-r["amount"], -r["count"], r["label"]))

    return _cached("industry", user, filters, (), PROJECT_MODELS, compute)


def by_locality(user, filters: Filters) -> list[dict]:
    """Projects per locality one level below the chosen one (districts and parks of the city
    when none is chosen); projects of the chosen locality itself form their own row."""

    def compute():
        path = _locality_path(user, filters)
        if path is None:
            return []
        prefix = len(path) + PATH_DIGITS + 1 if path else 1 + 2 * (PATH_DIGITS + 1)
        grouped = list(
            projects(user, filters, path=path)
            .annotate(group_path=Substr("locality__path", 1, prefix))
            .values("group_path")
            .annotate(count=Count("pk"), amount=Sum("planned_investment"))
        )
        localities = {
            loc.path: loc
            for loc in Locality.objects.filter(path__in=[row["group_path"] for row in grouped])
        }
        rows = []
        for row in grouped:
            locality = localities.get(row["group_path"])
            if locality is None:
                continue
            rows.append(
                {
                    "locality_id": locality.pk,
                    "code": locality.code,
                    "label": locality.name,
                    "count": row["count"],
                    "amount": _money(row["amount"]),
                    # The chosen locality's (or the city's) own projects have no list of
                    # their own: the locality filter always takes the whole subtree.
                    "url": project_url(
                        Filters(filters.start, filters.end, filters.industry_id, None),
                        locality=locality.pk,
                    )
                    if locality.depth > 0 and locality.path != path
                    else None,
                }
            )
        return sorted(rows, key=lambda r: (-r["count"], r["label"]))

    return _cached("locality", user, filters, (), PROJECT_MODELS, compute)


def red_projects(user, filters: Filters, *, limit: int = 10) -> tuple[int, list[dict]]:
    """The red projects (active stages), largest first, with the reasons in words."""
    path = _locality_path(user, filters)
    qs = (
        projects(user, filters, path=path)
        .filter(light=Light.RED)
        .exclude(stage__in=NO_LIGHT_STAGES)
    )
    count = qs.count()
    rows = [
        {
            "project": project,
            "reasons": reasons_text(project.light_reasons),
            "url": project.get_absolute_url(),
        }
        for project in qs.select_related("locality").order_by("-planned_investment", "pk")[:limit]
    ]
    return count, rows


def overdue_obstacles(
    user, filters: Filters, *, today: datetime.date, limit: int = 10
) -> tuple[int, list[dict]]:
    """Open obstacles past their due date (as of min(today, end)), the oldest due first."""
    path = _locality_path(user, filters)
    as_of = min(today, filters.end)
    qs = obstacles(user, filters, path=path).filter(status__in=OPEN_STATUSES, due_on__lt=as_of)
    count = qs.count()
    rows = [
        {
            "obstacle": obstacle,
            "days_overdue": (as_of - obstacle.due_on).days,
            "url": obstacle.get_absolute_url(),
        }
        for obstacle in qs.select_related("lead_department", "project").order_by("due_on", "pk")[
            :limit
        ]
    ]
    return count, rows


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _month_end(first: datetime.date) -> datetime.date:
    return _add_months(first, 1) - datetime.timedelta(days=1)


def satisfaction_trend(user, filters: Filters, *, months: int = 12) -> list[dict]:
    """Average satisfaction (1–5) of the obstacles closed with a rating, per month, for the
    `months` months ending with the filters' end."""
    last = _month_start(filters.end)
    first = _add_months(last, -(months - 1))

    def compute():
        path = _locality_path(user, filters)
        low, high = _bounds(first, _month_end(last))
        grouped = {
            (
                row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
            ): row
            for row in obstacles(user, filters, path=path)
            .filter(closed_at__gte=low, closed_at__lt=high, rating__isnull=False)
            .annotate(month=TruncMonth("closed_at"))
            .values("month")
            .annotate(average=Avg("rating"), count=Count("pk"))
        }
        rows = []
        for i in range(months):
            month = _add_months(first, i)
            row = grouped.get(month, {})
            average = row.get("average")
            rows.append(
                {
                    "month": month,
                    "average": Decimal(str(average)).quantize(Decimal("0.01"), ROUND_HALF_UP)
                    if average is not None
                    else None,
                    "count": row.get("count", 0),
                    "url": obstacle_url(
                        filters,
                        closed_from=_iso(month),
                        closed_to=_iso(_month_end(month)),
                        rated="yes",
                    ),
                }
            )
        return rows

    return _cached("satisfaction", user, filters, (months,), OBSTACLE_MODELS, compute)


def funds_over_time(user, filters: Filters) -> list[dict]:
    """Funds put in place per month (reports of periods ending that month), and cumulative."""

    def compute():
        path = _locality_path(user, filters)
        # Summed per period in SQL, then per month of the period's end (a few periods).
        per_period = dict(
            reports(user, filters, path=path)
            .values("period_id")
            .annotate(amount=Sum("funds_this_period"))
            .values_list("period_id", "amount")
        )
        grouped: dict = {}
        for period_id, ends_on in DispatchPeriod.objects.filter(
            pk__in=list(per_period)
        ).values_list("pk", "ends_on"):
            month = _month_start(ends_on)
            grouped[month] = grouped.get(month, ZERO) + _money(per_period[period_id])
        rows, total = [], ZERO
        month = _month_start(filters.start)
        while month <= filters.end:
            amount = grouped.get(month, ZERO)
            total += amount
            rows.append(
                {
                    "month": month,
                    "amount": amount,
                    "cumulative": total,
                    "url": project_url(
                        filters, funds_from=_iso(month), funds_to=_iso(_month_end(month))
                    ),
                }
            )
            month = _add_months(month, 1)
        return rows

    return _cached("funds", user, filters, (), (*PROJECT_MODELS, ProgressReport), compute)


MONEY_KEYS = frozenset({"planned_investment", "signed_amount", "funds_in_place"})

SUMMARY_LABELS = {
    "projects_total": lambda: _("Projects"),
    "planned_investment": lambda: _("Planned investment"),
    "signed_count": lambda: _("Signed"),
    "signed_amount": lambda: _("Signed amount"),
    "started_count": lambda: _("Started"),
    "completed_count": lambda: _("Completed"),
    "funds_in_place": lambda: _("Funds in place"),
    "red_count": lambda: _("Red projects"),
    "obstacles_open": lambda: _("Obstacles not resolved"),
    "obstacles_overdue": lambda: _("Obstacles overdue"),
    "obstacles_resolved": lambda: _("Obstacles resolved"),
    "obstacles_resolved_on_time": lambda: _("Resolved on time"),
}


# ---------------------------------------------------------------------------------------------
# The map

#: Projects drawn as points at most (the major and the red ones first, largest first).
MAX_POINTS = 2000


def _group_depth(path: str) -> int:
    """The depth of the localities one level below the chosen one (the city's districts)."""
    return path.count("/") - 1 if path else 1


def map_data(user, filters: Filters) -> dict:
    """The GeoJSON of the localities one level below the chosen one (those with a boundary),
    their project counts, and the projects to draw as points.

    Points: projects with coordinates that are major or red, largest first, at most
    MAX_POINTS; `points_total` is how many projects have coordinates at all."""

    def compute():
        path = _locality_path(user, filters)
        if path is None:
            return {"geojson": None, "areas": [], "points": [], "points_total": 0}
        counts = {row["locality_id"]: row for row in by_locality(user, filters)}
        localities = (
            Locality.objects.visible_to(user)
            .filter(depth=_group_depth(path), boundary__isnull=False, path__startswith=path)
            .values("pk", "name", "code", "boundary")
        )
        features, areas = [], []
        for loc in localities:
            features.append(
                {
                    "type": "Feature",
                    "properties": {"name": loc["name"], "code": loc["code"]},
                    "geometry": loc["boundary"],
                }
            )
            row = counts.get(loc["pk"], {})
            areas.append(
                {
                    "locality_id": loc["pk"],
                    "label": loc["name"],
                    "count": row.get("count", 0),
                    "url": project_url(
                        Filters(filters.start, filters.end, filters.industry_id, None),
                        locality=loc["pk"],
                    ),
                }
            )
        located = projects(user, filters, path=path).filter(
            latitude__isnull=False, longitude__isnull=False
        )
        shown = located.filter(Q(is_major=True) | Q(light=Light.RED)).order_by(
            "-planned_investment", "pk"
        )[:MAX_POINTS]
        points = [
            {
                "name": f"{code} · {name}",
                "lat": float(lat),
                "lng": float(lng),
                "red": light == Light.RED,
                "url": reverse("projects:project-detail", args=[pk]),
            }
            for pk, code, name, lat, lng, light in shown.values_list(
                "pk", "code", "name", "latitude", "longitude", "light"
            )
        ]
        return {
            "geojson": {"type": "FeatureCollection", "features": features} if features else None,
            "areas": areas,
            "points": points,
            "points_total": located.count(),
        }

    return _cached("map", user, filters, (MAX_POINTS,), PROJECT_MODELS, compute)
