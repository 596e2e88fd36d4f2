"""ECharts options of the dashboard, built on the server from dashboard.figures (labels in the
reader's language; every item carries the "url" of its list, which charts.js opens on click)."""

from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from vanco.projects.templatetags.vanco_projects import money_unit

#: Colours of the pipeline (lead → operation), then paused and dropped.
STAGE_COLOURS = [
    "#9aa5b1",
    "#6c8ebf",
    "#3d7dd8",
    "#2a5db0",
    "#e69b00",
    "#2e9e5b",
    "#1b7a43",
    "#b07cc6",
    "#c0392b",
]
MAP_NAME = "vanco-localities"


def _num(value) -> float:
    return float(value) if isinstance(value, Decimal) else value


def _grid(**extra) -> dict:
    return {"left": 8, "right": 24, "top": 56, "bottom": 8, "containLabel": True, **extra}


def _bars(rows, *, label_key="label", horizontal=False, colours=None) -> dict:
    """Count bars and planned-amount bars side by side, each item linking to its list."""
    labels = [row[label_key] for row in rows]
    count_data = []
    amount_data = []
    for i, row in enumerate(rows):
        colour = {"itemStyle": {"color": colours[i % len(colours)]}} if colours else {}
        count_data.append({"value": row["count"], "url": row["url"], **colour})
        amount_data.append({"value": _num(row["amount"]), "url": row["url"], **colour})
    category = {
        "type": "category",
        "data": labels,
        "axisLabel": {"width": 110, "overflow": "truncate"},
    }
    if not horizontal:
        category["axisLabel"].update({"interval": 0, "rotate": 30})
    value_count = {
        "type": "value",
        "name": _("Projects"),
        "minInterval": 1,
        "axisLabel": {"hideOverlap": True},
    }
    value_amount = {
        "type": "value",
        "name": money_unit(),
        "splitLine": {"show": False},
        "axisLabel": {"hideOverlap": True},
    }
    axes = (
        {"yAxis": {**category, "inverse": True}, "xAxis": [value_count, value_amount]}
        if horizontal
        else {"xAxis": category, "yAxis": [value_count, value_amount]}
    )
    index_key = "xAxisIndex" if horizontal else "yAxisIndex"
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": _grid(),
        **axes,
        "series": [
            {"type": "bar", "name": _("Projects"), "data": count_data, index_key: 0},
            {
                "type": "bar",
                "name": _("Planned investment (%(unit)s)") % {"unit": money_unit()},
                "data": amount_data,
                index_key: 1,
                "itemStyle": {"opacity": 0.55},
            },
        ],
    }


def pipeline_option(rows) -> dict:
    return _bars(rows, horizontal=True, colours=STAGE_COLOURS)


def industry_option(rows) -> dict:
    return _bars(rows, horizontal=True)


def locality_option(rows) -> dict:
    return _bars(rows, horizontal=True)


def _month_label(month) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def satisfaction_option(rows) -> dict:
    return {
        "tooltip": {"trigger": "axis"},
        "grid": _grid(),
        "xAxis": {"type": "category", "data": [_month_label(row["month"]) for row in rows]},
        "yAxis": {"type": "value", "min": 1, "max": 5, "name": _("Satisfaction (1–5)")},
        "series": [
            {
                "type": "line",
                "name": _("Average satisfaction"),
                "connectNulls": True,
                "symbolSize": 10,
                "data": [
                    {
                        "value": _num(row["average"]) if row["average"] is not None else None,
                        "url": row["url"],
                    }
                    for row in rows
                ],
            }
        ],
    }


def funds_option(rows) -> dict:
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": _grid(),
        "xAxis": {"type": "category", "data": [_month_label(row["month"]) for row in rows]},
        "yAxis": {"type": "value", "name": money_unit()},
        "series": [
            {
                "type": "bar",
                "name": _("Funds in place this month"),
                "data": [{"value": _num(row["amount"]), "url": row["url"]} for row in rows],
            },
            {
                "type": "line",
                "name": _("Cumulative"),
                "data": [{"value": _num(row["cumulative"]), "url": row["url"]} for row in rows],
            },
        ],
    }


def map_option(areas: list[dict], points: list[dict]) -> dict:
    """Localities coloured by their project count (click: their projects), projects as points
    (click: the project; red ones in red)."""
    highest = max((area["count"] for area in areas), default=0)
    return {
        "tooltip": {"trigger": "item"},
        "visualMap": {
            "min": 0,
            "max": max(highest, 1),
            "orient": "horizontal",
            "left": "center",
            "bottom": 0,
            "itemWidth": 10,
            "itemHeight": 120,
            "calculable": True,
            "seriesIndex": 0,
            "inRange": {"color": ["#e8f1fb", "#2a5db0"]},
            "text": [_("More projects"), _("Fewer")],
        },
        "geo": {
            "map": MAP_NAME,
            "roam": True,
            "top": 8,
            "bottom": 48,
            "label": {"show": False},
            "itemStyle": {"borderColor": "#555", "areaColor": "#f4f4f4"},
            "emphasis": {"label": {"show": True}},
        },
        "series": [
            {
                "type": "map",
                "name": _("Projects"),
                "geoIndex": 0,
                "data": [
                    {"name": area["label"], "value": area["count"], "url": area["url"]}
                    for area in areas
                ],
            },
            {
                "type": "scatter",
                "name": _("Project"),
                "coordinateSystem": "geo",
                "symbolSize": 7,
                "data": [
                    {
                        "name": point["name"],
                        "value": [point["lng"], point["lat"]],
                        "url": point["url"],
                        "itemStyle": {"color": "#c0392b" if point["red"] else "#1b7a43"},
                    }
                    for point in points
                ],
            },
        ],
    }
