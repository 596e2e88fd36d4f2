"""Columns of the pairing and visit lists and their Excel exports."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from vanco.core.tables import Column, display


def days_late(pairing, today: datetime.date | None = None) -> int:
    """How many days an open pairing's next visit is overdue (0 when on time or ended)."""
    today = today or timezone.localdate()
    if pairing.ends_on is not None or pairing.next_visit_due >= today:
        return 0
    return (today - pairing.next_visit_due).days


def visit_state(pairing) -> str:
    """Word for the pairing's visit state (the page adds colour and icon)."""
    if pairing.ends_on is not None:
        return _gettext("Ended")
    late = days_late(pairing)
    if late:
        return ngettext("Behind by %(days)s day", "Behind by %(days)s days", late) % {"days": late}
    return _gettext("On time")


def _official(pairing) -> str:
    return pairing.official.full_name or pairing.official.username


def pairing_columns() -> list[Column]:
    return [
        Column("official", _("Official"), value=_official, sort="official__full_name", link=True),
        Column(
            "enterprise",
            _("Enterprise"),
            value=lambda o: o.enterprise.name,
            sort="enterprise__name",
        ),
        Column("tax_code", _("Tax code"), value=lambda o: o.enterprise.tax_code, nowrap=True),
        Column(
            "locality",
            _("Locality"),
            value=lambda o: o.enterprise.locality,
            sort="enterprise__locality__path",
        ),
        Column(
            "frequency",
            _("Visit frequency"),
            value=lambda o: display(o, "frequency"),
            sort="frequency",
        ),
        Column("starts_on", _("Start date"), sort="starts_on", nowrap=True),
        Column("ends_on", _("End date"), sort="ends_on", nowrap=True),
        Column("last_visit_on", _("Last visit"), sort="last_visit_on", nowrap=True),
        Column("next_visit_due", _("Next visit due"), sort="next_visit_due", nowrap=True),
        Column("days_late", _("Days late"), value=days_late, numeric=True),
        Column("state", _("Visits"), value=visit_state),
    ]


def visit_columns() -> list[Column]:
    return [
        Column("visited_on", _("Visit date"), sort="visited_on", link=True, nowrap=True),
        Column(
            "enterprise",
            _("Enterprise"),
            value=lambda o: o.enterprise.name,
            sort="enterprise__name",
        ),
        Column(
            "locality",
            _("Locality"),
            value=lambda o: o.enterprise.locality,
            sort="enterprise__locality__path",
        ),
        Column("form", _("Form of the visit"), value=lambda o: display(o, "form"), sort="form"),
        Column(
            "officials",
            _("Officials present"),
            value=lambda o: ", ".join(u.full_name or u.username for u in o.officials.all()),
        ),
        Column("summary", _("Summary")),
        Column(
            "obstacles", _("Obstacles raised"), value=lambda o: len(o.obstacles.all()), numeric=True
        ),
    ]
