"""Columns of the obstacle list and its Excel export, and the words for status and due date."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from vanco.core.tables import Column, display
from vanco.obstacles.enums import OPEN_STATUSES, Level, Status

#: Bootstrap icon and colour of each status (always shown with the word).
STATUS_LOOK = {
    Status.SUBMITTED: ("bi-inbox", "text-primary"),
    Status.ASSIGNED: ("bi-person-check", "text-primary"),
    Status.ACCEPTED: ("bi-hand-thumbs-up", "text-info-emphasis"),
    Status.IN_PROGRESS: ("bi-gear", "text-info-emphasis"),
    Status.RESOLVED: ("bi-patch-question", "text-warning-emphasis"),
    Status.CLOSED: ("bi-check-circle-fill", "text-success"),
    Status.REOPENED: ("bi-arrow-counterclockwise", "text-danger"),
}


def status_look(status: str) -> tuple[str, str]:
    return STATUS_LOOK.get(status, ("bi-circle", "text-secondary"))


def due_state(obstacle, today: datetime.date | None = None) -> dict | None:
    """What the due date means now: late (red), due soon, or days left; None without one."""
    if obstacle.due_on is None:
        return None
    today = today or timezone.localdate()
    days = (obstacle.due_on - today).days
    running = obstacle.status in OPEN_STATUSES
    if running and days < 0:
        late = -days
        text = ngettext("%(days)s day late", "%(days)s days late", late) % {"days": late}
        return {"kind": "late", "days": late, "text": text, "icon": "bi-alarm-fill"}
    if running and days == 0:
        return {
            "kind": "soon",
            "days": 0,
            "text": str(_("due today")),
            "icon": "bi-hourglass-split",
        }
    if running:
        text = ngettext("%(days)s day left", "%(days)s days left", days) % {"days": days}
        return {"kind": "left", "days": days, "text": text, "icon": "bi-calendar-check"}
    return {"kind": "done", "days": None, "text": "", "icon": "bi-calendar"}


def _due_text(obstacle) -> str:
    state = due_state(obstacle)
    if state is None:
        return ""
    date = obstacle.due_on.isoformat()
    return f"{date} ({state['text']})" if state["text"] else date


def _level(obstacle) -> str:
    return (
        ""
        if obstacle.escalation_level == Level.NONE
        else str(display(obstacle, "escalation_level"))
    )


#: Columns a phone leaves out, so the title, status and due date have the width.
PHONE_HIDDEN = "d-none d-md-table-cell"


def list_columns() -> list[Column]:
    return [
        Column("number", _("Number"), sort="pk", link=True, nowrap=True, classes=PHONE_HIDDEN),
        Column("title", _("Title"), sort="title", link=True),
        Column("status", _("Status"), value=lambda o: display(o, "status"), sort="status"),
        Column("due_on", _("Due"), value=_due_text, sort="due_on", nowrap=True),
        Column(
            "category",
            _("Category"),
            value=lambda o: display(o, "category"),
            sort="category",
            classes=PHONE_HIDDEN,
        ),
        Column(
            "severity",
            _("Severity"),
            value=lambda o: display(o, "severity"),
            sort="severity",
            classes=PHONE_HIDDEN,
        ),
        Column(
            "concerns",
            _("Enterprise / project"),
            value=lambda o: o.project or o.enterprise,
            classes=PHONE_HIDDEN,
        ),
        Column("locality", _("Locality"), sort="locality__path", classes="d-none d-lg-table-cell"),
        Column(
            "lead_department",
            _("Lead department"),
            value=lambda o: o.lead_department.name if o.lead_department else None,
            sort="lead_department__name",
            classes="d-none d-md-table-cell",
        ),
        Column(
            "escalation_level",
            _("Escalation"),
            value=_level,
            sort="escalation_level",
            classes=PHONE_HIDDEN,
        ),
        Column("raised_at", _("Raised"), sort="raised_at", nowrap=True, classes=PHONE_HIDDEN),
    ]
