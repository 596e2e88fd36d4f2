"""The command dashboard's API: the same figures as the page (same filters, same scoping:
everything starts at ``visible_to``), and the locality boundaries the reader may see.

Amounts are decimal strings in the deployment's money unit; every figure carries the ``url`` of
the list behind it (a path of the web app).
"""

from django.utils import timezone
from ninja import Query, Router, Schema

from vanco.api.errors import FormInvalid, form_errors
from vanco.core import access
from vanco.dashboard import figures as f
from vanco.dashboard.views import DashboardForm
from vanco.org.models import Locality

router = Router(tags=["dashboard"])


class DashboardQuery(Schema):
    year: int | None = None
    period: int | None = None
    industry: int | None = None
    locality: int | None = None


def _filters(request, query: DashboardQuery) -> f.Filters:
    data = {key: value for key, value in query.dict().items() if value is not None}
    form = DashboardForm(data, user=request.user, today=timezone.localdate())
    if not form.is_valid():
        raise FormInvalid(form_errors(form))
    return form.filters()


@router.get("/dashboard", url_name="dashboard_figures")
def dashboard_figures(request, query: Query[DashboardQuery]):
    """Every figure of the command dashboard for a year (default: this year) or a dispatch
    period, optionally one leading industry and one locality (with its sub-localities)."""
    access.require(request.user, "dashboard.read")
    filters = _filters(request, query)
    user, today = request.user, timezone.localdate()
    values = f.summary(user, filters, today=today)
    urls = f.summary_urls(filters, today=today)
    red_count, red_rows = f.red_projects(user, filters)
    overdue_count, overdue_rows = f.overdue_obstacles(user, filters, today=today)
    return {
        "start": filters.start,
        "end": filters.end,
        "industry": filters.industry_id,
        "locality": filters.locality_id,
        "summary": {key: {"value": values[key], "url": urls[key]} for key in f.SUMMARY_LABELS},
        "pipeline_by_stage": f.pipeline_by_stage(user, filters),
        "by_industry": f.by_industry(user, filters),
        "by_locality": f.by_locality(user, filters),
        "red_projects": {
            "count": red_count,
            "url": urls["red_count"],
            "items": [
                {
                    "id": row["project"].pk,
                    "code": row["project"].code,
                    "name": row["project"].name,
                    "locality": row["project"].locality.name,
                    "planned_investment": row["project"].planned_investment,
                    "reasons": row["reasons"],
                    "url": row["url"],
                }
                for row in red_rows
            ],
        },
        "overdue_obstacles": {
            "count": overdue_count,
            "url": urls["obstacles_overdue"],
            "items": [
                {
                    "id": row["obstacle"].pk,
                    "number": row["obstacle"].number,
                    "title": row["obstacle"].title,
                    "due_on": row["obstacle"].due_on,
                    "days_overdue": row["days_overdue"],
                    "lead_department": str(row["obstacle"].lead_department or ""),
                    "url": row["url"],
                }
                for row in overdue_rows
            ],
        },
        "satisfaction_trend": f.satisfaction_trend(user, filters),
        "funds_over_time": f.funds_over_time(user, filters),
    }


@router.get("/dashboard/boundaries", url_name="dashboard_boundaries")
def dashboard_boundaries(request):
    """The boundaries of the localities the reader may see, as a GeoJSON FeatureCollection
    (features: id, code, name, kind, parent_id, depth)."""
    access.require(request.user, "dashboard.read")
    rows = (
        Locality.objects.visible_to(request.user)
        .filter(boundary__isnull=False)
        .order_by("path")
        .values("pk", "code", "name", "kind", "parent_id", "depth", "boundary")
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": row["pk"],
                "properties": {
                    "id": row["pk"],
                    "code": row["code"],
                    "name": row["name"],
                    "kind": row["kind"],
                    "parent_id": row["parent_id"],
                    "depth": row["depth"],
                },
                "geometry": row["boundary"],
            }
            for row in rows
        ],
    }
