"""Every traffic-light rule with its reason, on a simulated calendar (today is an argument)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from vanco.projects import lights
from vanco.projects.enums import Light, ReportStatus, Stage
from vanco.projects.lights import PastLight, Thresholds, evaluate, reason_text
from vanco.projects.models import DispatchPeriod, ProgressReport, Project

D = datetime.date
RULES = Thresholds()  # 10 / 30 points, 90 days not started, 60 days idle, 2 missing, 2 yellow
NOVEMBER = DispatchPeriod(
    label="11/2026", starts_on=D(2026, 11, 1), ends_on=D(2026, 11, 30), due_on=D(2026, 12, 5)
)


JAN_1, DEC_31 = D(2026, 1, 1), D(2026, 12, 31)


def building(progress="0", start=JAN_1, end=DEC_31, **kwargs):
    return Project(
        stage=Stage.UNDER_CONSTRUCTION,
        planned_start_date=start,
        planned_completion_date=end,
        progress_percent=Decimal(progress),
        **kwargs,
    )


def slot(status=ReportStatus.DUE, progress=None):
    return ProgressReport(status=status, progress_percent=progress)


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


def past(light, *codes):
    return PastLight(light=light, codes=frozenset(codes))


def test_planned_progress_is_a_straight_line_from_start_to_completion():
    project = building(start=D(2026, 1, 1), end=D(2026, 1, 11))
    assert lights.planned_progress(project, D(2025, 12, 1)) == Decimal("0")
    assert lights.planned_progress(project, D(2026, 1, 6)) == Decimal("50")
    assert lights.planned_progress(project, D(2026, 2, 1)) == Decimal("100")
    assert lights.planned_progress(Project(), D(2026, 2, 1)) is None


def test_evaluate_on_pace_is_green_without_reasons():
    # 20 Nov: 323 of 364 days are gone, 88.7 % planned; 85 % reported is 3.7 points behind.
    result = evaluate(building("85"), NOVEMBER, RULES, [], today=D(2026, 11, 20))
    assert result == ("green", [])


def test_evaluate_behind_pace_by_yellow_points_is_yellow():
    # 20 Nov: 323/364 days = 88.7 % planned; 70 % done → 18.7 points behind.
    result = evaluate(building("70"), NOVEMBER, RULES, [], today=D(2026, 11, 20))
    assert result == ("yellow", [{"code": "behind_pace", "params": {"points": 19}}])


def test_evaluate_behind_pace_by_more_than_red_points_is_red():
    result = evaluate(building("50"), NOVEMBER, RULES, [], today=D(2026, 11, 20))
    assert result == ("red", [{"code": "behind_pace", "params": {"points": 39}}])


def test_evaluate_uses_the_progress_of_the_report_submitted_in_the_period():
    report = slot(ReportStatus.SUBMITTED, Decimal("88"))
    result = evaluate(building("50"), NOVEMBER, RULES, [], today=D(2026, 11, 20), report=report)
    assert result == ("green", [])


def test_evaluate_judges_a_past_period_at_its_end_not_today():
    # Evaluated a year later, November is still judged as of 30 November (91.5 % planned).
    result = evaluate(building("85"), NOVEMBER, RULES, [], today=D(2027, 11, 20))
    assert result == ("green", [])


def test_evaluate_not_started_days_after_the_planned_start_is_red():
    project = Project(stage=Stage.SIGNED, planned_start_date=D(2026, 8, 1))
    result = evaluate(project, NOVEMBER, RULES, [], today=D(2026, 11, 10))
    assert result == ("red", [{"code": "not_started", "params": {"days": 101}}])


def test_evaluate_not_started_within_the_allowed_days_is_green():
    project = Project(stage=Stage.APPROVED, planned_start_date=D(2026, 8, 20))
    result = evaluate(project, NOVEMBER, RULES, [], today=D(2026, 11, 10))
    assert result == ("green", [])


def test_evaluate_idle_lead_is_yellow():
    project = Project(stage=Stage.LEAD, last_activity_at=at(D(2026, 9, 1)))
    result = evaluate(project, NOVEMBER, RULES, [], today=D(2026, 11, 10))
    assert result == ("yellow", [{"code": "idle_lead", "params": {"days": 70}}])


def test_evaluate_idle_lead_falls_back_to_the_stage_change():
    project = Project(
        stage=Stage.NEGOTIATING,
        stage_changed_at=at(D(2026, 10, 1)),
        created_at=at(D(2025, 1, 1)),
    )
    result = evaluate(project, NOVEMBER, RULES, [], today=D(2026, 11, 10))
    assert result == ("green", [])


def test_evaluate_report_missing_after_the_due_date_is_yellow():
    result = evaluate(building("95"), NOVEMBER, RULES, [], today=D(2026, 12, 6), report=slot())
    assert result == ("yellow", [{"code": "report_missing", "params": {}}])


def test_evaluate_report_not_missing_before_the_due_date():
    result = evaluate(building("95"), NOVEMBER, RULES, [], today=D(2026, 12, 5), report=slot())
    assert result == ("green", [])


def test_evaluate_report_missing_two_periods_in_a_row_is_red():
    history = [past(Light.YELLOW, "report_missing")]
    result = evaluate(building("95"), NOVEMBER, RULES, history, today=D(2026, 12, 6), report=slot())
    assert result == ("red", [{"code": "reports_missing_in_a_row", "params": {"count": 2}}])


def test_evaluate_yellow_periods_in_a_row_turn_red():
    history = [past(Light.YELLOW, "behind_pace")]
    result = evaluate(building("70"), NOVEMBER, RULES, history, today=D(2026, 11, 20))
    assert result == (
        "red",
        [
            {"code": "behind_pace", "params": {"points": 19}},
            {"code": "yellow_in_a_row", "params": {"count": 2}},
        ],
    )


def test_evaluate_yellow_streak_threshold_is_configurable():
    rules = Thresholds(yellow_periods_red=3)
    history = [past(Light.YELLOW, "behind_pace"), past(Light.GREEN)]
    result = evaluate(building("70"), NOVEMBER, rules, history, today=D(2026, 11, 20))
    assert result == ("yellow", [{"code": "behind_pace", "params": {"points": 19}}])


def test_evaluate_red_project_that_catches_up_turns_yellow_first():
    history = [past(Light.RED, "behind_pace")]
    result = evaluate(building("90"), NOVEMBER, RULES, history, today=D(2026, 11, 20))
    assert result == ("yellow", [{"code": "recovering", "params": {}}])


def test_evaluate_recovered_project_is_green_the_period_after():
    history = [past(Light.YELLOW, "recovering"), past(Light.RED, "behind_pace")]
    result = evaluate(building("90"), NOVEMBER, RULES, history, today=D(2026, 11, 20))
    assert result == ("green", [])


@pytest.mark.parametrize("stage", [Stage.PAUSED, Stage.DROPPED, Stage.IN_OPERATION])
def test_evaluate_paused_dropped_and_operating_projects_carry_no_light(stage):
    project = building("0")
    project.stage = stage
    result = evaluate(project, NOVEMBER, RULES, [], today=D(2026, 12, 20), report=slot())
    assert result == ("", [])


def test_reason_text_in_english_and_vietnamese_source_falls_back():
    reason = {"code": "behind_pace", "params": {"points": 35}}
    with translation.override("en"):
        assert reason_text(reason) == "Behind the planned pace by 35 points"
        assert reason_text({"code": "report_missing", "params": {}}) == (
            "Progress report missing for this period"
        )
        assert reason_text({"code": "unknown_rule", "params": {}}) == "unknown_rule"


# --- Milestone plans ------------------------------------------------------------------------

PLAN = [(D(2026, 3, 1), Decimal("10")), (D(2026, 7, 1), Decimal("70"))]


def test_pace_points_add_start_and_completion_around_the_milestones():
    project = building(start=JAN_1, end=DEC_31)
    assert lights.pace_points(project, PLAN) == [
        (JAN_1, Decimal("0")),
        (D(2026, 3, 1), Decimal("10")),
        (D(2026, 7, 1), Decimal("70")),
        (DEC_31, Decimal("100")),
    ]


def test_pace_points_skip_a_completion_not_later_than_the_last_milestone():
    project = building(start=JAN_1, end=D(2026, 7, 1))
    assert lights.pace_points(project, PLAN) == [
        (JAN_1, Decimal("0")),
        (D(2026, 3, 1), Decimal("10")),
        (D(2026, 7, 1), Decimal("70")),
    ]


def test_planned_progress_follows_the_milestone_plan_piecewise():
    project = building(start=JAN_1, end=DEC_31)
    assert lights.planned_progress(project, D(2025, 12, 1), PLAN) == Decimal("0")
    # 1 Jan → 1 Mar is 59 days: on 30 Jan (29 days in) 10 × 29 / 59.
    assert lights.planned_progress(project, D(2026, 1, 30), PLAN) == Decimal(290) / Decimal(59)
    assert lights.planned_progress(project, D(2026, 3, 1), PLAN) == Decimal("10")
    # 1 Mar → 1 Jul is 122 days: halfway (61 days) is 10 + 60 / 2.
    assert lights.planned_progress(project, D(2026, 5, 1), PLAN) == Decimal("40")
    assert lights.planned_progress(project, D(2026, 7, 1), PLAN) == Decimal("70")
    assert lights.planned_progress(project, DEC_31, PLAN) == Decimal("100")


def test_planned_progress_holds_the_last_milestone_without_a_completion_date():
    project = building(start=JAN_1, end=None)
    assert lights.planned_progress(project, D(2026, 11, 1), PLAN) == Decimal("70")
    assert lights.planned_progress(project, D(2026, 11, 1)) is None


def test_evaluate_behind_the_milestone_plan_says_so():
    # On 30 Nov the plan is 70 + 30 × 152 / 183 = 94.9 %; 70 % done is 25 points behind.
    result = evaluate(building("70"), NOVEMBER, RULES, [], today=D(2026, 12, 1), milestones=PLAN)
    reasons = [{"code": "behind_pace", "params": {"points": 25, "plan": "milestones"}}]
    assert result == ("yellow", reasons)
    with translation.override("en"):
        assert reason_text(reasons[0]) == "Behind the milestone plan by 25 points"


def test_evaluate_a_milestone_plan_can_turn_a_straight_line_red_into_green():
    # The straight line plans 91.5 % on 30 Nov; the plan below only 50 %.
    plan = [(D(2026, 12, 1), Decimal("50"))]
    assert evaluate(building("45"), NOVEMBER, RULES, [], today=D(2026, 12, 1))[0] == "red"
    assert evaluate(building("45"), NOVEMBER, RULES, [], today=D(2026, 12, 1), milestones=plan) == (
        "green",
        [],
    )


def test_reason_text_straight_pace_keeps_its_wording():
    with translation.override("en"):
        assert (
            reason_text({"code": "behind_pace", "params": {"points": 12}})
            == "Behind the planned pace by 12 points"
        )


def test_last_activity_is_the_local_calendar_day():
    import datetime as dt
    from types import SimpleNamespace

    from vanco.projects.lights import _last_activity

    # 23:30 UTC on 2 November is 06:30 on 3 November in Hà Nội.
    moment = dt.datetime(2026, 11, 2, 23, 30, tzinfo=dt.UTC)
    project = SimpleNamespace(last_activity_at=moment, stage_changed_at=None, created_at=None)
    assert _last_activity(project) == dt.date(2026, 11, 3)
