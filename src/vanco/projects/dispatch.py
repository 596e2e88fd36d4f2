"""Dispatch services: cycles, periods and their report slots, progress reports, lights.

Every state change is one of these functions: keyword-only, one transaction, checks who may do
it, re-checks the scope after writing. Bulk paths (opening a period, recomputing the lights of a
period) write their audit entries themselves.
"""

import calendar
import datetime
from decimal import Decimal

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DecimalField, F, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from vanco.core import access
from vanco.core.services import StaleEditError, save_versioned
from vanco.projects import lights
from vanco.projects.enums import (
    DISPATCH_STAGES,
    NO_LIGHT_STAGES,
    CycleFrequency,
    PeriodStatus,
    ReportStatus,
    Stage,
)
from vanco.projects.forms_dispatch import CycleForm, ReportForm
from vanco.projects.models import (
    DispatchCycle,
    DispatchPeriod,
    LightRules,
    Milestone,
    ProgressReport,
    Project,
    ProjectLight,
)

MONEY_FIELD = DecimalField(max_digits=18, decimal_places=3)
PERCENT_FIELD = DecimalField(max_digits=5, decimal_places=2)
#: Reports that count: their funds add up to the project's funds in place.
COUNTED = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
#: Statuses an officer may (re)submit from.
SUBMITTABLE = (ReportStatus.DUE, ReportStatus.RETURNED, ReportStatus.SUBMITTED)


# --- Audit for bulk writes ------------------------------------------------------------------


def _log(objs, action, changes_for, actor) -> int:
    """One LogEntry per object, shaped like auditlog's own (bulk writes skip its signals)."""
    if not objs:
        return 0
    model = type(objs[0])
    if not auditlog.contains(model):
        return 0
    content_type = ContentType.objects.get_for_model(model)
    entries = [
        LogEntry(
            content_type=content_type,
            object_pk=str(obj.pk),
            object_id=obj.pk,
            object_repr=str(obj)[:200],
            action=action,
            changes=changes_for(obj),
            changes_text="",
            actor=actor,
            actor_email=getattr(actor, "email", None) or None,
        )
        for obj in objs
    ]
    return len(LogEntry.objects.bulk_create(entries, batch_size=2000))


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


# --- Periods --------------------------------------------------------------------------------


def period_bounds(frequency: str, starts_on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(start, end) of the period of `frequency` that contains `starts_on`.

    Weekly periods last 7 days from their start; semi-monthly ones are the 1st–15th and the
    16th–end of the month; monthly ones are calendar months.
    """
    if frequency == CycleFrequency.WEEKLY:
        return starts_on, starts_on + datetime.timedelta(days=6)
    last_day = calendar.monthrange(starts_on.year, starts_on.month)[1]
    if frequency == CycleFrequency.SEMIMONTHLY:
        if starts_on.day <= 15:
            return starts_on.replace(day=1), starts_on.replace(day=15)
        return starts_on.replace(day=16), starts_on.replace(day=last_day)
    return starts_on.replace(day=1), starts_on.replace(day=last_day)


def period_label(frequency: str, start: datetime.date, end: datetime.date) -> str:
    if frequency == CycleFrequency.MONTHLY:
        return f"{start:%m/%Y}"
    return f"{start:%d/%m}–{end:%d/%m/%Y}"


def create_cycle(*, actor, data: dict) -> DispatchCycle:
    access.require(actor, "dispatch.manage")
    form = CycleForm(data=data)
    if not form.is_valid():
        raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
    return save_versioned(instance=form.save(commit=False), expected_version=None, actor=actor)


def open_period(*, actor, cycle: DispatchCycle, starts_on: datetime.date) -> DispatchPeriod:
    """Open the period of `cycle` containing `starts_on` with one DUE slot per active project."""
    access.require(actor, "dispatch.manage")
    with transaction.atomic():
        period = _open(cycle=cycle, starts_on=starts_on, actor=actor)
        access.assert_still_editable(period, actor)
    return period


def _open(*, cycle: DispatchCycle, starts_on: datetime.date, actor) -> DispatchPeriod:
    start, end = period_bounds(cycle.frequency, starts_on)
    with transaction.atomic():
        if DispatchPeriod.objects.filter(cycle=cycle, starts_on=start).exists():
            raise ValidationError(_("This cycle already has a period starting that day."))
        period = DispatchPeriod.objects.create(
            cycle=cycle,
            label=period_label(cycle.frequency, start, end),
            starts_on=start,
            ends_on=end,
            due_on=end + datetime.timedelta(days=cycle.due_days),
        )
        project_ids = Project.objects.filter(stage__in=DISPATCH_STAGES).values_list("pk", flat=True)
        slots = [
            ProgressReport(project_id=pk, period=period, status=ReportStatus.DUE, version=1)
            for pk in project_ids.iterator(chunk_size=5000)
        ]
        ProgressReport.objects.bulk_create(slots, batch_size=2000)
        _log(
            slots,
            LogEntry.Action.CREATE,
            lambda r: {
                "project": [None, str(r.project_id)],
                "period": [None, str(r.period_id)],
                "status": [None, str(r.status)],
            },
            actor,
        )
    return period


def _next_start(frequency: str, start: datetime.date) -> datetime.date:
    _, end = period_bounds(frequency, start)
    return end + datetime.timedelta(days=1)


def generate_due_periods(*, today: datetime.date, actor=None) -> list[DispatchPeriod]:
    """Open every period of every active cycle that has started by `today` (idempotent).

    A scheduled job (`vanco dispatch_tick`), acting as the system user by default.
    """
    actor = actor or _system_user()
    opened = []
    for cycle in DispatchCycle.objects.filter(is_active=True):
        existing = set(cycle.periods.values_list("starts_on", flat=True))
        start, _end = period_bounds(cycle.frequency, cycle.starts_on)
        if cycle.frequency == CycleFrequency.WEEKLY:
            start = cycle.starts_on
        while start <= today:
            if start not in existing:
                opened.append(_open(actor=actor, cycle=cycle, starts_on=start))
            start = _next_start(cycle.frequency, start)
    return opened


def _system_user():
    from vanco.core.audit import system_user

    return system_user()


# --- Reports --------------------------------------------------------------------------------


def previous_report(report: ProgressReport) -> ProgressReport | None:
    """The project's latest report with a progress figure in an earlier period."""
    return (
        ProgressReport.objects.filter(
            project_id=report.project_id,
            period__starts_on__lt=report.period.starts_on,
            status__in=(*COUNTED, ReportStatus.RETURNED),
            progress_percent__isnull=False,
        )
        .order_by("-period__starts_on")
        .first()
    )


def _editable_report(actor, report: ProgressReport, action: str) -> ProgressReport:
    access.require(actor, action)
    if not ProgressReport.objects.editable_by(actor).filter(pk=report.pk).exists():
        raise PermissionDenied(action)
    return report


def check_report_files(files) -> None:
    """Refuse the whole submission when one file is not acceptable (size, type, content)."""
    from vanco.core.uploads import check_upload

    for uploaded in files:
        try:
            check_upload(uploaded, field="files")
        except ValidationError as error:
            messages = [
                _("%(name)s: %(message)s") % {"name": uploaded.name, "message": message}
                for message in error.messages
            ]
            raise ValidationError({"files": messages}) from None


def submit_report(
    *,
    actor,
    report: ProgressReport,
    data: dict,
    expected_version: int | None,
    today=None,
    files=(),
) -> ProgressReport:
    """Fill in and submit (or resubmit) a report; recompute the project's figures and light.

    `files` (uploaded files) are attached to the report in the same transaction: one bad file
    refuses the whole submission and nothing is stored."""
    from vanco.projects.services import add_attachment

    _editable_report(actor, report, "reports.submit")
    today = today or timezone.localdate()
    files = list(files or ())
    check_report_files(files)
    stored = []
    try:
        with transaction.atomic():
            report = _submit(
                actor=actor, report=report, data=data, expected_version=expected_version
            )
            for uploaded in files:
                stored.append(
                    add_attachment(
                        actor=actor, project=report.project, uploaded_file=uploaded, report=report
                    )
                )
            refresh_project_figures(project_id=report.project_id, activity=True)
            recompute_lights(
                period=report.period, project_ids=[report.project_id], today=today, actor=actor
            )
    except BaseException:
        # The database forgot the attachments; do not keep their files either.
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return report


def _submit(*, actor, report: ProgressReport, data: dict, expected_version) -> ProgressReport:
    with transaction.atomic():
        report = ProgressReport.objects.select_related("period", "project").get(pk=report.pk)
        if report.period.status == PeriodStatus.CLOSED:
            raise ValidationError(
                _("This period is closed: reports can be submitted only while a period is open.")
            )
        if report.status not in SUBMITTABLE:
            raise ValidationError(_("This report has been accepted and can no longer change."))
        form = ReportForm(data=data, instance=report, previous=previous_report(report))
        if not form.is_valid():
            raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
        if expected_version is None or not ProgressReport.objects.filter(
            pk=report.pk, version=expected_version
        ).update(version=F("version") + 1):
            raise StaleEditError()
        report = form.save(commit=False)
        report.version = expected_version + 1
        report.status = ReportStatus.SUBMITTED
        report.submitted_at = timezone.now()
        report.submitted_by = actor
        report.save()
        access.assert_still_editable(report, actor)
    return report


def refresh_project_figures(*, project_id: int, activity: bool = False) -> None:
    """Funds in place = SUM of the counted reports (in SQL); progress = the latest report's.

    Derived bookkeeping, like `record_activity`: one plain UPDATE, no version bump (an officer
    editing the project's own fields at that moment is not refused), no audit entry (the
    reports they come from are audited)."""
    counted = ProgressReport.objects.filter(project_id=project_id, status__in=COUNTED)
    latest = (
        counted.filter(progress_percent__isnull=False)
        .order_by("-period__starts_on", "-submitted_at")
        .values("progress_percent")[:1]
    )
    funds = (
        counted.order_by()
        .values("project_id")
        .annotate(total=Sum("funds_this_period"))
        .values("total")
    )
    Project.objects.filter(pk=project_id).update(
        funds_in_place=Coalesce(Subquery(funds), Value(Decimal("0")), output_field=MONEY_FIELD),
        progress_percent=Coalesce(
            Subquery(latest), Value(Decimal("0")), output_field=PERCENT_FIELD
        ),
    )
    if activity:
        from vanco.projects.services import record_activity

        record_activity(project=Project(pk=project_id))


def accept_report(*, actor, report: ProgressReport) -> ProgressReport:
    _editable_report(actor, report, "reports.review")
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if report.status != ReportStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted report can be accepted."))
        report.status = ReportStatus.ACCEPTED
        report.reviewed_at = timezone.now()
        report.reviewed_by = actor
        report.version += 1
        report.save()
        access.assert_still_editable(report, actor)
    return report


def return_report(*, actor, report: ProgressReport, comment: str, today=None) -> ProgressReport:
    """Send a submitted report back to the officer with a comment; they resubmit it."""
    _editable_report(actor, report, "reports.review")
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": [_("Say what needs to change in the report.")]})
    with transaction.atomic():
        report = (
            ProgressReport.objects.select_for_update(of=("self",))
            .select_related("period", "project__officer")
            .get(pk=report.pk)
        )
        if report.status != ReportStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted report can be returned."))
        report.status = ReportStatus.RETURNED
        report.reviewed_at = timezone.now()
        report.reviewed_by = actor
        report.review_comment = comment
        report.version += 1
        report.save()
        access.assert_still_editable(report, actor)
        refresh_project_figures(project_id=report.project_id)
        _notify_returned(report)
        recompute_lights(
            period=report.period,
            project_ids=[report.project_id],
            today=today or timezone.localdate(),
            actor=actor,
        )
    return report


def _notify_returned(report: ProgressReport) -> None:
    """Tell the project's officer in the app (when the notifications app is installed)."""
    from django.apps import apps
    from django.urls import reverse

    officer = report.project.officer
    if officer is None or not officer.is_active or not apps.is_installed("vanco.notifications"):
        return
    from vanco.notifications.services import notify

    notify(
        user=officer,
        kind="report_returned",
        params={
            "project": str(report.project),
            "period": report.period.label,
            "comment": report.review_comment,
        },
        url=reverse("projects:report-edit", args=[report.pk]),
    )


def close_period(*, actor, period: DispatchPeriod, today=None) -> DispatchPeriod:
    access.require(actor, "dispatch.manage")
    with transaction.atomic():
        period = DispatchPeriod.objects.select_for_update().get(pk=period.pk)
        if period.status == PeriodStatus.CLOSED:
            raise ValidationError(_("This period is already closed."))
        period.status = PeriodStatus.CLOSED
        period.closed_at = timezone.now()
        period.save()
        access.assert_still_editable(period, actor)
        recompute_lights(period=period, today=today or timezone.localdate(), actor=actor)
        # The period's bulletins (one per configured language), queued with this transaction.
        from vanco.reports.services import queue_period_bulletins

        queue_period_bulletins(actor=actor, period=period)
    return period


# --- Lights ---------------------------------------------------------------------------------


def current_rules() -> LightRules:
    rules = LightRules.objects.order_by("pk").first()
    if rules is None:
        rules = LightRules.objects.create(version=1)
    return rules


HISTORY_FIELDS = (
    "pk",
    "code",
    "name",
    "stage",
    "planned_start_date",
    "planned_completion_date",
    "progress_percent",
    "last_activity_at",
    "stage_changed_at",
    "created_at",
    "light",
    "light_reasons",
)


def milestone_plans(project_ids=None) -> dict[int, list]:
    """{project id: [(planned date, planned progress), …]} of the projects under construction
    (the only stage measured against a pace), in one query whatever the number of projects."""
    rows = Milestone.objects.filter(project__stage=Stage.UNDER_CONSTRUCTION)
    if project_ids is not None:
        rows = rows.filter(project_id__in=project_ids)
    plans: dict[int, list] = {}
    for project_id, planned_date, progress in rows.order_by().values_list(
        "project_id", "planned_date", "planned_progress"
    ):
        plans.setdefault(project_id, []).append((planned_date, progress))
    return plans


def recompute_project_light(*, project_id: int, actor=None, today=None) -> None:
    """Re-evaluate one project's light in its latest open period (after its plan changed)."""
    period = (
        DispatchPeriod.objects.filter(status=PeriodStatus.OPEN, reports__project_id=project_id)
        .order_by("-starts_on")
        .first()
    )
    if period is not None:
        recompute_lights(
            period=period,
            project_ids=[project_id],
            today=today or timezone.localdate(),
            actor=actor,
        )


def recompute_lights(
    *, period: DispatchPeriod, today: datetime.date, project_ids=None, actor=None
) -> int:
    """Evaluate and store the light of every project (or `project_ids`) in `period`.

    A bounded number of queries whatever the number of projects: projects, their slots in the
    period, their lights of the previous periods of the cycle, then bulk upserts.
    """
    rules = current_rules()
    depth = max(rules.missing_reports_red, rules.yellow_periods_red)
    projects = Project.objects.exclude(stage__in=NO_LIGHT_STAGES).only(*HISTORY_FIELDS)
    no_light = Project.objects.filter(stage__in=NO_LIGHT_STAGES).exclude(light="")
    if project_ids is not None:
        projects = projects.filter(pk__in=project_ids)
        no_light = no_light.filter(pk__in=project_ids)
    projects = list(projects)
    slots = ProgressReport.objects.filter(period=period)
    existing_lights = ProjectLight.objects.filter(period=period)
    if project_ids is not None:
        slots = slots.filter(project_id__in=project_ids)
        existing_lights = existing_lights.filter(project_id__in=project_ids)
    reports = {
        r.project_id: r for r in slots.only("pk", "project_id", "status", "progress_percent")
    }
    earlier = list(
        DispatchPeriod.objects.filter(cycle_id=period.cycle_id, starts_on__lt=period.starts_on)
        .order_by("-starts_on")
        .values_list("pk", flat=True)[:depth]
    )
    order = {pk: index for index, pk in enumerate(earlier)}
    history: dict[int, list] = {}
    past = ProjectLight.objects.filter(period_id__in=earlier).only(
        "project_id", "period_id", "light", "reasons"
    )
    if project_ids is not None:
        past = past.filter(project_id__in=project_ids)
    for light in sorted(past, key=lambda pl: order[pl.period_id]):
        history.setdefault(light.project_id, [])
        # Only consecutive periods count: a gap breaks the streak.
        if order[light.period_id] == len(history[light.project_id]):
            history[light.project_id].append(light)
    existing = {
        pl.project_id: pl for pl in existing_lights.only("pk", "project_id", "light", "reasons")
    }
    plans = milestone_plans(project_ids)
    # The project's light follows the latest period of this cycle (another cycle's periods
    # keep their own history).
    is_latest_period = not DispatchPeriod.objects.filter(
        cycle_id=period.cycle_id, starts_on__gt=period.starts_on
    ).exists()
    new_lights, changed_lights, changed_projects = [], [], []
    now = timezone.now()
    for project in projects:
        colour, reasons = lights.evaluate(
            project,
            period,
            rules,
            history.get(project.pk, []),
            today=today,
            report=reports.get(project.pk),
            milestones=plans.get(project.pk, ()),
        )
        old = existing.get(project.pk)
        if old is None:
            new_lights.append(
                ProjectLight(
                    project_id=project.pk,
                    period=period,
                    light=colour,
                    reasons=reasons,
                    computed_at=now,
                )
            )
        elif old.light != colour or old.reasons != reasons:
            old.previous = (old.light, old.reasons)
            old.light, old.reasons, old.computed_at = colour, reasons, now
            changed_lights.append(old)
        if is_latest_period and (project.light != colour or project.light_reasons != reasons):
            project.previous = (project.light, project.light_reasons)
            project.light, project.light_reasons = colour, reasons
            changed_projects.append(project)
    actor = actor or _system_user()
    ProjectLight.objects.bulk_create(new_lights, batch_size=2000)
    ProjectLight.objects.bulk_update(
        changed_lights, ["light", "reasons", "computed_at"], batch_size=2000
    )
    Project.objects.bulk_update(changed_projects, ["light", "light_reasons"], batch_size=2000)
    if is_latest_period:
        cleared = list(no_light.only("pk", "code", "name", "light"))
        no_light.update(light="", light_reasons=[])
        _log(cleared, LogEntry.Action.UPDATE, lambda p: {"light": [p.light, ""]}, actor)
    _log(
        new_lights,
        LogEntry.Action.CREATE,
        lambda pl: {"light": [None, pl.light], "reasons": [None, _plain(pl.reasons)]},
        actor,
    )
    _log(
        changed_lights,
        LogEntry.Action.UPDATE,
        lambda pl: {
            "light": [pl.previous[0], pl.light],
            "reasons": [_plain(pl.previous[1]), _plain(pl.reasons)],
        },
        actor,
    )
    _log(
        changed_projects,
        LogEntry.Action.UPDATE,
        lambda p: {"light": [p.previous[0], p.light]},
        actor,
    )
    return len(new_lights) + len(changed_lights)


# --- Queries --------------------------------------------------------------------------------


def late_q(today: datetime.date) -> Q:
    """Reports still not in after their period's due date (the period not yet closed)."""
    return Q(status=ReportStatus.DUE, period__due_on__lt=today)


def reports_due_for(user, *, today: datetime.date):
    """The officer's to-do: slots of projects they may report on, in open periods, not done."""
    # The open periods' ids as literals let the (period, status) index pick the few open slots
    # first; a join on the period's status made SQLite walk all reports (520 ms on 2 million).
    open_periods = list(
        DispatchPeriod.objects.filter(status=PeriodStatus.OPEN).values_list("pk", flat=True)
    )
    return (
        ProgressReport.objects.editable_by(user)
        .filter(
            period_id__in=open_periods,
            status__in=(ReportStatus.DUE, ReportStatus.RETURNED),
        )
        .select_related("project", "period", "project__locality")
        .order_by("period__due_on", "project__code", "pk")
    )
