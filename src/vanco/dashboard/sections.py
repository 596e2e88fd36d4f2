"""Dashboard sections built on other apps' figures: targets against actuals, overdue
directives, chain coverage. Each starts at the reader's visible rows (the other apps' own
functions do) and links every figure to the list behind it.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.urls import reverse

from vanco.core import access
from vanco.dashboard.figures import Filters
from vanco.org.models import Locality

#: Rows listed in the overdue directives section.
DIRECTIVES_LISTED = 5
#: Rows of the latest published ranking shown.
RANKING_LISTED = 5


def _subject_locality(user, filters: Filters) -> Locality | None:
    """Whose targets to show: the chosen locality, else the reader's own (a locality officer),
    else the city (the root)."""
    visible = Locality.objects.visible_to(user)
    if filters.locality_id is not None:
        return visible.filter(pk=filters.locality_id).first()
    scope = access.scope_for(user)
    if not scope.whole_city and scope.locality_paths:
        return visible.filter(path=sorted(scope.locality_paths)[0]).first()
    return visible.filter(depth=0).order_by("path").first()


def targets_section(user, filters: Filters) -> dict | None:
    """This year's targets of one locality against what happened (targets.actuals)."""
    from vanco.targets.actuals import actuals, drilldown_url
    from vanco.targets.enums import Metric
    from vanco.targets.models import Target

    year = filters.start.year
    locality = _subject_locality(user, filters)
    if locality is None:
        return None
    targets = dict(
        Target.objects.visible_to(user)
        .filter(year=year, locality=locality)
        .values_list("metric", "value")
    )
    if not targets:
        return {
            "template": "dashboard/_targets.html",
            "locality": locality,
            "year": year,
            "rows": [],
            "targets_url": reverse("targets:actuals")
            + "?"
            + urlencode({"year_from": year, "year_to": year}),
        }
    figures = actuals(user, years=[year], locality_ids=[locality.pk])
    rows = []
    for metric in Metric.values:
        if metric not in targets:
            continue
        target, actual = targets[metric], figures.get((locality.pk, metric))
        percent = (
            (actual * 100 / target).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if actual is not None and target
            else None
        )
        rows.append(
            {
                "metric": metric,
                "label": str(Metric(metric).label),
                "target": target,
                "actual": actual,
                "percent": percent,
                "bar": min(int(percent), 100) if percent is not None else 0,
                "url": drilldown_url(metric, [year], locality),
            }
        )
    return {
        "template": "dashboard/_targets.html",
        "locality": locality,
        "year": year,
        "rows": rows,
        "targets_url": reverse("targets:actuals")
        + "?"
        + urlencode({"year_from": year, "year_to": year}),
    }


def ranking_section(user) -> dict | None:
    """The latest published ranking of the localities (targets.ranking), its top rows."""
    from vanco.targets.models import RankingEntry, RankingSnapshot

    snapshot = RankingSnapshot.objects.visible_to(user).order_by("-published_at", "-pk").first()
    if snapshot is None:
        return None
    entries = (
        RankingEntry.objects.visible_to(user)
        .filter(snapshot=snapshot, rank__isnull=False)
        .select_related("locality")
        .order_by("rank", "locality__path")[:RANKING_LISTED]
    )
    return {
        "template": "dashboard/_ranking.html",
        "snapshot": snapshot,
        "entries": list(entries),
        "live_url": reverse("targets:ranking"),
    }


def directives_section(user, *, today: datetime.date) -> dict:
    """Directives past their due date and not done (the whole list behind the count)."""
    from vanco.meetings.enums import OPEN_STATUSES
    from vanco.meetings.models import Directive

    overdue = (
        Directive.objects.visible_to(user)
        .order_by()
        .filter(is_overdue=True, status__in=OPEN_STATUSES)
    )
    return {
        "template": "dashboard/_directives.html",
        "count": overdue.count(),
        "rows": [
            {"directive": directive, "days": (today - directive.due_on).days}
            for directive in overdue.order_by("due_on", "pk")[:DIRECTIVES_LISTED]
        ],
        "url": reverse("meetings:directive-list") + "?" + urlencode({"overdue": "yes"}),
    }


def coverage_section(user, filters: Filters) -> dict:
    from vanco.industries.queries import chain_coverage

    return {
        "template": "dashboard/_coverage.html",
        "rows": chain_coverage(user, filters.industry_id),
    }


def extra_sections(user, filters: Filters, *, today: datetime.date) -> list[dict]:
    sections = [
        targets_section(user, filters),
        ranking_section(user),
        directives_section(user, today=today),
        coverage_section(user, filters),
    ]
    return [section for section in sections if section is not None]
