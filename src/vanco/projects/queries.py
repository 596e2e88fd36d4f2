"""Reads of the project pages, always starting from the user's visible rows."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Sum, Window

from vanco.projects.enums import ReportStatus
from vanco.projects.models import Attachment, ProgressReport, Project, ProjectLight
from vanco.projects.models import ProjectStageChange as StageChange

LIST_RELATED = ("investor", "locality", "industry", "officer", "leader", "chain_node")
DETAIL_RELATED = ("investor", "locality", "industry", "chain_node", "officer", "leader")
TIMELINE_LIMIT = 30
ATTACHMENT_LIMIT = 50
CHART_POINTS = 120
REPORTED = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


def project_list(user):
    return Project.objects.visible_to(user).select_related(*LIST_RELATED)


def totals(queryset) -> dict[str, Decimal]:
    """Sums of the filtered rows in one aggregate query."""
    sums = queryset.order_by().aggregate(
        planned_investment=Sum("planned_investment"),
        signed_amount=Sum("signed_amount"),
        funds_in_place=Sum("funds_in_place"),
    )
    return {key: value or Decimal("0") for key, value in sums.items()}


@dataclass(frozen=True)
class TimelineEntry:
    kind: str  # "stage", "report", "light"
    at: object  # datetime
    date: object  # the business date shown
    obj: object


def timeline(user, project, limit: int = TIMELINE_LIMIT) -> list[TimelineEntry]:
    """Stage changes, submitted reports and light changes of one project, newest first."""
    changes = (
        StageChange.objects.visible_to(user)
        .filter(project=project)
        .select_related("actor", "evidence")
        .order_by("-created_at", "-pk")[:limit]
    )
    reports = (
        ProgressReport.objects.visible_to(user)
        .filter(project=project, submitted_at__isnull=False)
        .select_related("period", "submitted_by")
        .order_by("-submitted_at", "-pk")[:limit]
    )
    lights = (
        ProjectLight.objects.visible_to(user)
        .filter(project=project)
        .select_related("period")
        .order_by("-period__starts_on", "-pk")[:limit]
    )
    entries = [TimelineEntry("stage", c.created_at, c.effective_date, c) for c in changes]
    entries += [TimelineEntry("report", r.submitted_at, r.period.ends_on, r) for r in reports]
    entries += [TimelineEntry("light", lt.computed_at, lt.period.ends_on, lt) for lt in lights]
    entries.sort(key=lambda entry: (entry.at, entry.kind), reverse=True)
    return entries[:limit]


def attachments(user, project, limit: int = ATTACHMENT_LIMIT):
    return list(
        Attachment.objects.visible_to(user)
        .filter(project=project)
        .select_related("uploaded_by", "report__period")
        .order_by("-created_at", "-pk")[:limit]
    )


def funds_series(user, project) -> dict:
    """Cumulative funds in place per reported period against the planned investment."""
    rows = (
        ProgressReport.objects.visible_to(user)
        .filter(project=project, status__in=REPORTED)
        .annotate(
            cumulative=Window(
                Sum("funds_this_period"), order_by=[F("period__starts_on").asc(), F("pk").asc()]
            )
        )
        .order_by("-period__starts_on", "-pk")
        .values_list("period__label", "period__ends_on", "cumulative")[:CHART_POINTS]
    )
    points = list(reversed(rows))
    planned = project.planned_investment or Decimal("0")
    return {
        "labels": [label for label, _ends, _cum in points],
        "dates": [ends.isoformat() for _label, ends, _cum in points],
        "funds": [float(cumulative or 0) for _label, _ends, cumulative in points],
        "plan": [float(planned) for _point in points],
    }
