"""What a bulletin and an annual report say: sections of rows, computed from what the
generating user may see, in the active language. The same sections become the PDF's tables and
the Excel's sheets (raw values there, numbers formatted for the locale in the PDF).

The summary figures of a bulletin come from `vanco.dashboard.figures` (the same functions the
dashboard shows, so the bulletin and the dashboard never disagree), the actuals of the annual
report from `vanco.targets.actuals` (the one definition of each measure).
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from vanco.dashboard import figures as dashboard
from vanco.meetings.enums import OPEN_STATUSES as OPEN_DIRECTIVES
from vanco.meetings.models import Directive
from vanco.obstacles.models import Obstacle
from vanco.org.enums import LocalityKind
from vanco.org.models import Locality
from vanco.projects.enums import ReportStatus
from vanco.projects.models import ProgressReport, Project
from vanco.targets.actuals import actuals, completed_q
from vanco.targets.enums import Metric
from vanco.targets.models import Target

#: rows of one section printed in the PDF; the Excel has them all
PDF_MAX_ROWS = 300
#: "every row" for the dashboard's list functions, which take a limit
ALL_ROWS = 1_000_000


@dataclasses.dataclass
class Column:
    label: str
    numeric: bool = False
    width: int = 2  # relative width in the PDF; 0 = as wide as the content


@dataclasses.dataclass
class Section:
    key: str
    title: str
    columns: list[Column]
    rows: list[list] = dataclasses.field(default_factory=list)
    empty: str = ""


@dataclasses.dataclass
class Document:
    title: str
    subject: str
    city: str
    sections: list[Section]

    def section(self, key: str) -> Section:
        return next(section for section in self.sections if section.key == key)


def city_name() -> str:
    city = Locality.objects.filter(kind=LocalityKind.CITY, parent__isnull=True).first()
    return city.name if city else ""


# --- the summary figures --------------------------------------------------------------------


def _scalar(value) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def summary_label(key: str) -> str:
    return str(dashboard.SUMMARY_LABELS[key]())


def bulletin_summary(user, period) -> dict:
    """{key: value} of the period's summary figures, as the dashboard computes them."""
    filters = dashboard.Filters(period.starts_on, period.ends_on, None, None)
    summary = dashboard.summary(user, filters, today=period.ends_on)
    return {key: value for key, value in summary.items() if _scalar(value)}


# --- sections -------------------------------------------------------------------------------


def in_period(field: str, start: datetime.date, end: datetime.date) -> Q:
    """Projects whose `field` date falls in the period; "completed" is the targets' definition
    (the completion date, or the operation date when none was recorded)."""
    if field == "completion_date":
        return completed_q(start, end)
    return Q(**{f"{field}__range": (start, end)})


def _project_columns(amount_label: str | None = None) -> list[Column]:
    columns = [
        Column(pgettext("project", "Code"), width=0),
        Column(_("Project"), width=4),
        Column(_("Investor"), width=3),
        Column(_("Locality"), width=2),
    ]
    if amount_label:
        columns.append(Column(amount_label, numeric=True, width=0))
    return columns


def _project_rows(qs, amount_field: str | None = None) -> list[list]:
    qs = qs.select_related("investor", "locality").order_by("code")
    rows = []
    for project in qs:
        row = [project.code, project.name, str(project.investor or ""), str(project.locality)]
        if amount_field:
            row.append(getattr(project, amount_field))
        rows.append(row)
    return rows


def bulletin(user, period, progress=lambda percent: None) -> Document:
    start, end = period.starts_on, period.ends_on
    projects = Project.objects.visible_to(user)
    sections = []
    summary = bulletin_summary(user, period)
    sections.append(
        Section(
            "summary",
            _("Summary figures"),
            [Column(_("Figure"), width=4), Column(_("Value"), numeric=True, width=1)],
            [[summary_label(key), value] for key, value in summary.items()],
        )
    )
    progress(20)
    for key, title, field in (
        ("signed", _("Newly signed projects"), "signing_date"),
        ("started", _("Projects started"), "start_date"),
        ("completed", _("Projects completed"), "completion_date"),
    ):
        rows = _project_rows(
            projects.filter(in_period(field, start, end)), amount_field="signed_amount"
        )
        sections.append(
            Section(
                key,
                title,
                _project_columns(_("Signed amount")),
                rows,
                _("No project in this period."),
            )
        )
    progress(40)
    filters = dashboard.Filters(start, end, None, None)
    _count, red_rows = dashboard.red_projects(user, filters, limit=ALL_ROWS)
    red = [(row["project"], row["reasons"]) for row in red_rows]
    generated_on = formats.date_format(timezone.localdate(), "SHORT_DATE_FORMAT")
    sections.append(
        Section(
            "red",
            # Lights are today's: a bulletin made after its period says so.
            _("Red list on %(date)s") % {"date": generated_on},
            [
                Column(pgettext("project", "Code"), width=0),
                Column(_("Project"), width=3),
                Column(_("Locality"), width=2),
                Column(_("Reasons"), width=4),
            ],
            [[p.code, p.name, str(p.locality), "; ".join(reasons)] for p, reasons in red],
            _("No red project."),
        )
    )
    progress(55)
    obstacles = Obstacle.objects.visible_to(user).select_related("lead_department", "locality")
    resolved = obstacles.filter(resolved_at__date__range=(start, end)).order_by("resolved_at")
    sections.append(
        Section(
            "resolved",
            _("Obstacles resolved"),
            [
                Column(_("Obstacle"), width=4),
                Column(_("Lead department"), width=3),
                Column(_("Resolved on"), width=0),
                Column(_("Days"), numeric=True, width=0),
            ],
            [
                [
                    o.title,
                    str(o.lead_department or ""),
                    timezone.localdate(o.resolved_at),
                    o.days_to_resolve,
                ]
                for o in resolved
            ],
            _("No obstacle resolved in this period."),
        )
    )
    _count, overdue_rows = dashboard.overdue_obstacles(user, filters, today=end, limit=ALL_ROWS)
    overdue = [(row["obstacle"], row["days_overdue"]) for row in overdue_rows]
    sections.append(
        Section(
            "overdue",
            _("Overdue obstacles"),
            [
                Column(_("Obstacle"), width=4),
                Column(_("Lead department"), width=3),
                Column(_("Due date"), width=0),
                Column(_("Days overdue"), numeric=True, width=0),
            ],
            [[o.title, str(o.lead_department or ""), o.due_on, days] for o, days in overdue],
            _("No overdue obstacle."),
        )
    )
    progress(70)
    missing = (
        ProgressReport.objects.visible_to(user)
        .filter(period=period, status__in=(ReportStatus.DUE, ReportStatus.RETURNED))
        .select_related("project__locality")
        .order_by("project__code")
    )
    sections.append(
        Section(
            "missing",
            _("Missing progress reports"),
            [
                Column(pgettext("project", "Code"), width=0),
                Column(_("Project"), width=4),
                Column(_("Locality"), width=2),
                Column(_("Status"), width=0),
            ],
            [
                [r.project.code, r.project.name, str(r.project.locality), r.get_status_display()]
                for r in missing
            ],
            _("Every progress report of this period is in."),
        )
    )
    sections.append(directives_section(user, start, end))
    progress(80)
    return Document(
        title=_("Dispatch bulletin"),
        subject=_("Period %(period)s (%(start)s – %(end)s)")
        % {
            "period": period.label,
            "start": formats.date_format(start, "SHORT_DATE_FORMAT"),
            "end": formats.date_format(end, "SHORT_DATE_FORMAT"),
        },
        city=city_name(),
        sections=sections,
    )


def directives_section(user, start: datetime.date, end: datetime.date) -> Section:
    """The directives in force during the period: still open at its end, or done within it;
    their status is today's (the section's title says so)."""
    rows = []
    directives = (
        Directive.objects.visible_to(user)
        .filter(issued_at__date__lte=end)
        .filter(Q(status__in=OPEN_DIRECTIVES) | Q(done_at__date__gte=start, done_at__date__lte=end))
        .order_by("due_on", "pk")
    )
    overdue_word = _("overdue")
    for directive in directives:
        status = directive.get_status_display()
        if directive.status in OPEN_DIRECTIVES and directive.due_on < end:
            status = f"{status} ({overdue_word})"
        done = timezone.localdate(directive.done_at) if directive.done_at else None
        rows.append([directive.title, status, directive.due_on, done])
    return Section(
        "directives",
        _("Directives, status on %(date)s")
        % {"date": formats.date_format(timezone.localdate(), "SHORT_DATE_FORMAT")},
        [
            Column(_("Directive"), width=5),
            Column(_("Status"), width=2),
            Column(_("Due date"), width=0),
            Column(_("Done on"), width=0),
        ],
        rows,
        _("No directive in force in this period."),
    )


def targets_section(user, year: int) -> Section:
    """Results against the year's targets, per locality and metric (targets.actuals is THE
    definition of the actual figures)."""
    targets = list(
        Target.objects.visible_to(user)
        .filter(year=year)
        .select_related("locality")
        .order_by("locality__path", "metric")
    )
    figures = actuals(user, years=[year], locality_ids={t.locality_id for t in targets})
    rows = []
    for target in targets:
        actual = figures.get((target.locality_id, target.metric))
        share = None
        if actual is not None and target.value:
            share = (Decimal(actual) * 100 / target.value).quantize(Decimal("0.01"))
        rows.append(
            [str(target.locality), target.get_metric_display(), target.value, actual, share]
        )
    return Section(
        "targets",
        _("Results against targets"),
        [
            Column(_("Locality"), width=3),
            Column(_("Target"), width=3),
            Column(_("Planned"), numeric=True, width=0),
            Column(_("Achieved"), numeric=True, width=0),
            Column(_("Share of target (%)"), numeric=True, width=0),
        ],
        rows,
        _("No target was set for this year."),
    )


def annual(user, year: int, progress=lambda percent: None) -> Document:
    """Results of a year against the targets, then by district or park (each with its whole
    subtree, as the targets count them) and by leading industry."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    columns = [
        Column(_("Signed projects"), numeric=True, width=1),
        Column(_("Amount signed"), numeric=True, width=1),
        Column(_("Projects started"), numeric=True, width=1),
        Column(_("Projects completed"), numeric=True, width=1),
    ]
    sections = [targets_section(user, year)]
    progress(30)
    top = list(
        Locality.objects.visible_to(user).filter(parent__parent__isnull=True, parent__isnull=False)
    )
    visible_ids = {locality.pk for locality in top}
    if not top:
        # A locality officer: their own localities are the top of what they see.
        top = list(Locality.objects.visible_to(user).order_by("path"))
        top = [
            locality
            for locality in top
            if not any(locality.path.startswith(other.path) for other in top if other != locality)
        ]
        visible_ids = {locality.pk for locality in top}
    figures = actuals(user, years=[year], locality_ids=visible_ids)
    metrics = (
        Metric.PROJECTS_SIGNED,
        Metric.AMOUNT_SIGNED,
        Metric.PROJECTS_STARTED,
        Metric.PROJECTS_COMPLETED,
    )

    def figure(locality, metric):
        value = figures.get((locality.pk, metric)) or Decimal("0")
        return value if metric == Metric.AMOUNT_SIGNED else int(value)

    rows = [
        [locality.name, *(figure(locality, metric) for metric in metrics)]
        for locality in sorted(top, key=lambda locality: locality.path)
    ]
    sections.append(
        Section(
            "by_locality",
            _("Results by locality"),
            [Column(_("Locality"), width=3), *columns],
            rows,
            _("No result this year."),
        )
    )
    progress(55)
    projects = Project.objects.visible_to(user)
    signed = Q(signing_date__range=(start, end))
    by_industry = (
        projects.values("industry_id", "industry__name", "industry__sort_order")
        .annotate(
            signed=Count("pk", filter=signed),
            amount=Sum("signed_amount", filter=signed),
            started=Count("pk", filter=Q(start_date__range=(start, end))),
            completed=Count("pk", filter=completed_q(start, end)),
        )
        .order_by("industry__sort_order", "industry__name")
    )
    rows = [
        [
            row["industry__name"] or "—",
            row["signed"],
            row["amount"] or Decimal("0"),
            row["started"],
            row["completed"],
        ]
        for row in by_industry
        if row["signed"] or row["started"] or row["completed"]
    ]
    sections.append(
        Section(
            "by_industry",
            _("Results by industry"),
            [Column(_("Leading industry"), width=3), *columns],
            rows,
            _("No result this year."),
        )
    )
    progress(75)
    return Document(
        title=_("Annual work report"),
        subject=_("Year %(year)s") % {"year": year},
        city=city_name(),
        sections=sections,
    )


# --- formatting for the PDF -----------------------------------------------------------------


def display(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    if isinstance(value, (Decimal, float)):
        return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def typst_data(document: Document, *, language: str, generated: str) -> dict:
    sections = []
    for section in document.sections:
        rows = [[display(value) for value in row] for row in section.rows[:PDF_MAX_ROWS]]
        note = ""
        if len(section.rows) > PDF_MAX_ROWS:
            note = _("Showing %(shown)s of %(total)s rows; the Excel file has them all.") % {
                "shown": PDF_MAX_ROWS,
                "total": len(section.rows),
            }
        sections.append(
            {
                "title": section.title,
                "columns": [column.label for column in section.columns],
                "numeric": [column.numeric for column in section.columns],
                "widths": [column.width for column in section.columns],
                "rows": rows,
                "empty": section.empty,
                "note": note,
            }
        )
    return {
        "lang": {"zh-hans": "zh"}.get(language, language),
        "title": document.title,
        "subject": document.subject,
        "city": document.city,
        "generated": generated,
        "page_word": _("Page"),
        "sections": sections,
    }
