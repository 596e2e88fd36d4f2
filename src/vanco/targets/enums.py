"""The metrics a locality is given targets for, with their units and plain-words definitions.

The definitions are what the UI shows next to every figure; `vanco.targets.actuals` computes
exactly what they say."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Metric(models.TextChoices):
    PROJECTS_SIGNED = "projects_signed", pgettext_lazy("target metric", "Projects signed")
    AMOUNT_SIGNED = "amount_signed", pgettext_lazy("target metric", "Amount signed")
    FUNDS_IN_PLACE = "funds_in_place", pgettext_lazy("target metric", "Funds in place")
    PROJECTS_STARTED = "projects_started", pgettext_lazy("target metric", "Projects started")
    PROJECTS_COMPLETED = (
        "projects_completed",
        pgettext_lazy("target metric", "Projects completed or in operation"),
    )
    VISITS = "visits", pgettext_lazy("target metric", "Enterprise visits")
    OBSTACLE_ON_TIME_RATE = (
        "obstacle_on_time_rate",
        pgettext_lazy("target metric", "Obstacles resolved on time"),
    )
    SATISFACTION = "satisfaction", pgettext_lazy("target metric", "Average satisfaction")


#: Metrics that are rates or averages: over several years they are pooled (all resolved
#: obstacles, all ratings of the span), and their targets averaged, never summed.
RATE_METRICS = frozenset({Metric.OBSTACLE_ON_TIME_RATE, Metric.SATISFACTION})

#: Metrics counted in records (whole numbers).
COUNT_METRICS = frozenset(
    {Metric.PROJECTS_SIGNED, Metric.PROJECTS_STARTED, Metric.PROJECTS_COMPLETED, Metric.VISITS}
)

UNITS = {
    Metric.PROJECTS_SIGNED: pgettext_lazy("unit", "projects"),
    Metric.PROJECTS_STARTED: pgettext_lazy("unit", "projects"),
    Metric.PROJECTS_COMPLETED: pgettext_lazy("unit", "projects"),
    Metric.VISITS: pgettext_lazy("unit", "visits"),
    Metric.OBSTACLE_ON_TIME_RATE: pgettext_lazy("unit", "%"),
    Metric.SATISFACTION: pgettext_lazy("unit", "points (1–5)"),
}

DEFINITIONS = {
    Metric.PROJECTS_SIGNED: _(
        "Number of projects whose contract signing date falls in the year, hosted in the "
        "locality or any locality under it."
    ),
    Metric.AMOUNT_SIGNED: _(
        "Total signed amount of the projects whose contract signing date falls in the year, "
        "hosted in the locality or any locality under it (a project without a signed amount "
        "counts as zero)."
    ),
    Metric.FUNDS_IN_PLACE: _(
        "Funds put in place reported in the submitted or accepted progress reports of the "
        "dispatch periods ending in the year, for projects hosted in the locality or under it."
    ),
    Metric.PROJECTS_STARTED: _(
        "Number of projects whose actual construction start date falls in the year, hosted in "
        "the locality or under it."
    ),
    Metric.PROJECTS_COMPLETED: _(
        "Number of projects that were completed in the year (completion date, or the operation "
        "date when no completion date was recorded), hosted in the locality or under it."
    ),
    Metric.VISITS: _(
        "Number of logged visits to enterprises of the locality or of any locality under it, "
        "dated in the year."
    ),
    Metric.OBSTACLE_ON_TIME_RATE: _(
        "Of the obstacles of the locality (or under it) resolved in the year, the share resolved "
        "by their due date, in per cent. No resolved obstacle: no figure."
    ),
    Metric.SATISFACTION: _(
        "Average satisfaction rating (1 to 5) given to the obstacles of the locality (or under "
        "it) closed in the year. No rating: no figure."
    ),
}


MONEY_METRICS = frozenset({Metric.AMOUNT_SIGNED, Metric.FUNDS_IN_PLACE})


def unit(metric: str) -> str:
    """The unit shown after a figure: the deployment's money unit for amounts."""
    if metric in MONEY_METRICS:
        from vanco.projects.templatetags.vanco_projects import money_unit

        return money_unit()
    return str(UNITS[Metric(metric)])


def definition(metric: str):
    return DEFINITIONS[Metric(metric)]
