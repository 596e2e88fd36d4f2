"""Background jobs of the dispatch: reminders before the due date and when overdue.

`send_report_reminders` is a django.tasks task; `vanco dispatch_tick` opens the periods that
are due and enqueues it once, and the scheduler of `vanco serve` runs that command.

Each officer gets one in-app notification per report and, as they prefer, one e-mail listing
the new ones (in their own language) or a place in the daily digest. A reminder of one kind for
one report goes out at most once a day (the notification key), and overdue reminders repeat
every `OVERDUE_EVERY_DAYS` days, not daily.
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vanco.notifications.models import EmailMode
from vanco.notifications.services import email_mode, keep_for_digest, notify
from vanco.projects.enums import PeriodStatus, ReportStatus
from vanco.projects.models import ProgressReport

#: Days before the due date when the officer is reminded (also on the due date itself).
REMIND_DAYS_BEFORE = 3
OVERDUE_EVERY_DAYS = 7


def _reminder_kind(report: ProgressReport, today: datetime.date) -> str | None:
    due_on = report.period.due_on
    if today > due_on:
        return "report_overdue" if (today - due_on).days % OVERDUE_EVERY_DAYS == 1 else None
    if (due_on - today).days in (REMIND_DAYS_BEFORE, 0):
        return "report_due"
    return None


def reports_to_remind(today: datetime.date):
    """Slots not yet in (due or returned) of open periods due soon or overdue, with officers."""
    window_end = today + datetime.timedelta(days=REMIND_DAYS_BEFORE)
    return (
        ProgressReport.objects.filter(
            status__in=(ReportStatus.DUE, ReportStatus.RETURNED),
            period__status=PeriodStatus.OPEN,
            period__due_on__lte=window_end,
            project__officer__isnull=False,
            project__officer__is_active=True,
        )
        .select_related("project", "project__officer", "period")
        .order_by("project__officer_id", "period__due_on", "project__code")
    )


def remind(*, today: datetime.date) -> dict[str, int]:
    """Send today's reminders; returns how many e-mails and notifications were sent."""
    by_user: dict[int, list[tuple[ProgressReport, str]]] = defaultdict(list)
    users = {}
    for report in reports_to_remind(today).iterator(chunk_size=2000):
        kind = _reminder_kind(report, today)
        if kind is None:
            continue
        officer = report.project.officer
        users[officer.pk] = officer
        by_user[officer.pk].append((report, kind))
    emails = notifications = 0
    for user_id, items in by_user.items():
        user = users[user_id]
        with translation.override(user.language or settings.LANGUAGE_CODE):
            # The notification key makes each reminder once a day, however often the
            # scheduler runs; only those new today go out by e-mail, as the user prefers.
            new = _notify(user, items, today)
            notifications += len(new)
            if not new:
                continue
            mode = email_mode(user) if user.email else EmailMode.OFF
            if mode == EmailMode.EACH:
                emails += _email(user, [item for item, _note in new])
            elif mode == EmailMode.DAILY:
                keep_for_digest([note for _item, note in new])
    return {"emails": emails, "notifications": notifications}


def _params(report: ProgressReport) -> dict:
    return {
        "project": str(report.project),
        "period": report.period.label,
        "due_on": formats.date_format(report.period.due_on, "SHORT_DATE_FORMAT"),
    }


def _notify(user, items, today: datetime.date) -> list:
    """The in-app reminders created now, as ((report, kind), notification) pairs."""
    created = []
    for report, kind in items:
        note = notify(
            user=user,
            kind=kind,
            params=_params(report),
            url=reverse("projects:report-edit", args=[report.pk]),
            key=f"{kind}:{report.pk}:{today.isoformat()}",
        )
        if note is not None:
            created.append(((report, kind), note))
    return created


def _email(user, items) -> int:
    lines = []
    for report, kind in items:
        params = _params(report)
        if kind == "report_overdue":
            line = _("%(project)s (%(period)s): overdue since %(due_on)s") % params
        else:
            line = _("%(project)s (%(period)s): due on %(due_on)s") % params
        lines.append(f"- {line}")
    subject = ngettext(
        "Vanco: %(count)d progress report to submit",
        "Vanco: %(count)d progress reports to submit",
        len(items),
    ) % {"count": len(items)}
    body = "\n".join(
        [
            _("Hello %(name)s,") % {"name": user.get_full_name()},
            "",
            _("These progress reports are waiting for you:"),
            *lines,
            "",
            _("Open “My reports due” in Vanco to fill them in."),
        ]
    )
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


@task
def send_report_reminders(today: str | None = None) -> dict[str, int]:
    """The task: `today` as an ISO date (JSON-serialisable), the local date by default."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return remind(today=day)
