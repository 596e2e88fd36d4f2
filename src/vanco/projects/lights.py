"""Traffic-light rules: one colour per project per period, with the reasons that made it.

`evaluate` is a pure function of the project, the period, the thresholds, the project's report
slot in the period and its lights of the periods before (newest first); it reads no database
and no clock (`today` is an argument), so every rule is tested on a simulated calendar.

Reasons are stored as codes with parameters, ``{"code": "behind_pace", "params": {"points": 35}}``,
and put into words in the reader's language by `reason_text`.
"""

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from vanco.projects.enums import LIGHT_SEVERITY, NO_LIGHT_STAGES, Light, ReportStatus, Stage

#: Stages before the construction starts.
PRE_CONSTRUCTION = frozenset({Stage.LEAD, Stage.NEGOTIATING, Stage.SIGNED, Stage.APPROVED})
IDLE_STAGES = frozenset({Stage.LEAD, Stage.NEGOTIATING})

BEHIND_PACE = "behind_pace"
#: Only a text key: stored reasons say `behind_pace` with ``"plan": "milestones"``.
BEHIND_MILESTONES = "behind_milestones"
NOT_STARTED = "not_started"
IDLE_LEAD = "idle_lead"
REPORT_MISSING = "report_missing"
REPORTS_MISSING_IN_A_ROW = "reports_missing_in_a_row"
YELLOW_IN_A_ROW = "yellow_in_a_row"
RECOVERING = "recovering"

#: `behind_pace` reasons measured against the project's milestone plan carry this "plan".
PLAN_MILESTONES = "milestones"

_MISSING_CODES = frozenset({REPORT_MISSING, REPORTS_MISSING_IN_A_ROW})


@dataclass(frozen=True)
class Thresholds:
    """The LightRules row's numbers (so `evaluate` also works on plain values in tests)."""

    yellow_behind_points: int = 10
    red_behind_points: int = 30
    not_started_days: int = 90
    idle_lead_days: int = 60
    missing_reports_red: int = 2
    yellow_periods_red: int = 2

    @classmethod
    def of(cls, rules) -> "Thresholds":
        return cls(**{name: getattr(rules, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class PastLight:
    """A project's light in an earlier period: its colour and the codes of its reasons."""

    light: str
    codes: frozenset[str]

    @classmethod
    def of(cls, project_light) -> "PastLight":
        return cls(
            light=project_light.light,
            codes=frozenset(reason.get("code", "") for reason in project_light.reasons or ()),
        )


def _reason(code: str, light: str, **params) -> tuple[str, dict]:
    return light, {"code": code, "params": params}


def _straight_line(project, as_of: datetime.date) -> Decimal | None:
    start, end = project.planned_start_date, project.planned_completion_date
    if not start or not end:
        return None
    if as_of <= start:
        return Decimal("0")
    if as_of >= end or end == start:
        return Decimal("100")
    return Decimal((as_of - start).days * 100) / Decimal((end - start).days)


def pace_points(project, milestones) -> list[tuple[datetime.date, Decimal]]:
    """The corners of the milestone plan: (planned start, 0 %), the milestones by date, and
    (planned completion, 100 %) when it is later than the last milestone."""
    points = sorted((date, Decimal(progress)) for date, progress in milestones)
    start, end = project.planned_start_date, project.planned_completion_date
    if start and (not points or start < points[0][0]):
        points.insert(0, (start, Decimal("0")))
    if end and end > points[-1][0]:
        points.append((end, Decimal("100")))
    return points


def planned_progress(project, as_of: datetime.date, milestones=()) -> Decimal | None:
    """The planned physical progress on `as_of`.

    Without milestones: the straight line from 0 % at the planned start to 100 % at the planned
    completion. With `milestones` (pairs of planned date and cumulative progress %): the broken
    line through `pace_points`; nothing is planned before its first point, and the last point's
    progress holds after it."""
    if not milestones:
        return _straight_line(project, as_of)
    points = pace_points(project, milestones)
    if as_of < points[0][0]:
        return Decimal("0")
    for (date_a, progress_a), (date_b, progress_b) in itertools.pairwise(points):
        if as_of < date_b:
            share = Decimal((as_of - date_a).days) / Decimal((date_b - date_a).days)
            return progress_a + (progress_b - progress_a) * share
    return points[-1][1]


def _last_activity(project) -> datetime.date | None:
    moment = project.last_activity_at or project.stage_changed_at or project.created_at
    # The local calendar day: activity at 06:00 in Hà Nội is that day, not the UTC day before.
    return timezone.localdate(moment) if moment else None


def _actual_progress(project, report) -> Decimal:
    if (
        report is not None
        and report.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
        and report.progress_percent is not None
    ):
        return report.progress_percent
    return project.progress_percent or Decimal("0")


def _streak(history, test) -> int:
    count = 0
    for past in history:
        if not test(past):
            break
        count += 1
    return count


def evaluate(project, period, rules, history, *, today: datetime.date, report=None, milestones=()):
    """The light of `project` in `period` as `(light, reasons)`.

    `history` holds the project's lights of the earlier periods, newest first (PastLight or
    ProjectLight). `report` is the project's slot in `period` (None when it has none).
    `milestones` is the project's milestone plan as (planned date, planned progress %) pairs;
    empty means the straight planned pace.
    Paused, dropped and operating projects carry no light: ``("", [])``.
    """
    if project.stage in NO_LIGHT_STAGES:
        return "", []
    thresholds = rules if isinstance(rules, Thresholds) else Thresholds.of(rules)
    history = [past if isinstance(past, PastLight) else PastLight.of(past) for past in history]
    # Dates are judged as of the end of the period (or today while it runs).
    as_of = min(today, period.ends_on)
    found: list[tuple[str, dict]] = []

    if project.stage in IDLE_STAGES:
        last = _last_activity(project)
        if last is not None and (as_of - last).days >= thresholds.idle_lead_days:
            found.append(_reason(IDLE_LEAD, Light.YELLOW, days=(as_of - last).days))

    if project.stage in PRE_CONSTRUCTION and project.planned_start_date:
        late = (as_of - project.planned_start_date).days
        if late > thresholds.not_started_days:
            found.append(_reason(NOT_STARTED, Light.RED, days=late))

    if project.stage == Stage.UNDER_CONSTRUCTION:
        planned = planned_progress(project, as_of, milestones)
        if planned is not None:
            behind = planned - _actual_progress(project, report)
            params = {"points": int(behind.quantize(Decimal("1")))}
            if milestones:
                params["plan"] = PLAN_MILESTONES
            if behind > thresholds.red_behind_points:
                found.append(_reason(BEHIND_PACE, Light.RED, **params))
            elif behind >= thresholds.yellow_behind_points:
                found.append(_reason(BEHIND_PACE, Light.YELLOW, **params))

    if report is not None and report.status == ReportStatus.DUE and today > period.due_on:
        missing = 1 + _streak(history, lambda past: bool(past.codes & _MISSING_CODES))
        if missing >= thresholds.missing_reports_red:
            found.append(_reason(REPORTS_MISSING_IN_A_ROW, Light.RED, count=missing))
        else:
            found.append(_reason(REPORT_MISSING, Light.YELLOW))

    light = max((colour for colour, _reason_ in found), key=LIGHT_SEVERITY.get, default=Light.GREEN)
    reasons = [reason for _colour, reason in found]

    if light == Light.YELLOW:
        yellows = 1 + _streak(history, lambda past: past.light == Light.YELLOW)
        if yellows >= thresholds.yellow_periods_red:
            light = Light.RED
            reasons.append({"code": YELLOW_IN_A_ROW, "params": {"count": yellows}})
    elif light == Light.GREEN and history and history[0].light == Light.RED:
        # A red project that catches up passes through yellow before it is green again.
        light = Light.YELLOW
        reasons.append({"code": RECOVERING, "params": {}})
    return str(light), reasons


def _texts() -> dict[str, str]:
    return {
        BEHIND_PACE: _("Behind the planned pace by %(points)s points"),
        BEHIND_MILESTONES: _("Behind the milestone plan by %(points)s points"),
        NOT_STARTED: _("Not started %(days)s days after the planned start"),
        IDLE_LEAD: _("No activity for %(days)s days"),
        REPORT_MISSING: _("Progress report missing for this period"),
        REPORTS_MISSING_IN_A_ROW: _("Progress report missing %(count)s periods in a row"),
        YELLOW_IN_A_ROW: _("Yellow %(count)s periods in a row"),
        RECOVERING: _("Recovering from red: caught up this period"),
    }


def reason_text(reason: dict) -> str:
    """One reason in words, in the active language."""
    code = reason.get("code", "")
    if code == BEHIND_PACE and (reason.get("params") or {}).get("plan") == PLAN_MILESTONES:
        code = BEHIND_MILESTONES
    template = _texts().get(code)
    if template is None:
        return str(reason.get("code", ""))
    try:
        return template % (reason.get("params") or {})
    except (KeyError, TypeError, ValueError):
        return template


def reasons_text(reasons) -> list[str]:
    return [reason_text(reason) for reason in reasons or ()]


def rule_descriptions(rules) -> list[tuple[str, str]]:
    """The rules in plain words with the current thresholds, for the rules page: (colour, text)."""
    t = Thresholds.of(rules)
    return [
        (
            Light.YELLOW,
            _(
                "Under construction and behind the planned pace (the project's milestone plan "
                "when it has one, else a straight line from 0 %% at the planned start to 100 %% "
                "at the planned completion) by %(yellow)s to %(red)s points."
            )
            % {"yellow": t.yellow_behind_points, "red": t.red_behind_points},
        ),
        (
            Light.RED,
            _("Under construction and behind the planned pace by more than %(red)s points.")
            % {"red": t.red_behind_points},
        ),
        (
            Light.RED,
            _("Not under construction yet %(days)s days after the planned start.")
            % {"days": t.not_started_days},
        ),
        (
            Light.YELLOW,
            _("A lead or a negotiation with no activity for %(days)s days.")
            % {"days": t.idle_lead_days},
        ),
        (
            Light.YELLOW,
            _("The progress report of a period is missing after its due date."),
        ),
        (
            Light.RED,
            _("The progress report is missing %(count)s periods in a row.")
            % {"count": t.missing_reports_red},
        ),
        (
            Light.RED,
            _("Yellow %(count)s periods in a row.") % {"count": t.yellow_periods_red},
        ),
        (
            Light.YELLOW,
            _("A red project that catches up turns yellow first, and green a period later."),
        ),
        (
            "",
            _("Paused, dropped and operating projects carry no light."),
        ),
    ]
