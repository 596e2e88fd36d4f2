"""`vanco obstacles_tick`: escalate overdue obstacles one level, remind departments of due and
overdue obstacles, remind paired officials of visits due, and send the daily digests.

Idempotent within a day: run it as often as you like (the scheduler of `vanco serve` runs it
every hour); an obstacle climbs at most one level per run and each reminder goes out once a day.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from vanco.core.audit import acting_as_system, system_user
from vanco.notifications.services import send_digests
from vanco.obstacles import notices
from vanco.obstacles.services import escalate_overdue


class Command(BaseCommand):
    help = (
        "Escalate overdue obstacles, send due/overdue obstacle and visit reminders, and the "
        "daily e-mail digests."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", help="Act as if today were this date (YYYY-MM-DD), for catch-up runs."
        )

    def handle(self, *args, today=None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError("--today must be a date like 2026-11-30") from None
        with acting_as_system():
            escalated = escalate_overdue(today=day, actor=system_user())
            reminded = notices.remind_due(today=day)
            visits = _remind_visits(day)
        digests = send_digests() if timezone.localtime().hour >= 7 else 0
        self.stdout.write(
            f"escalated {escalated}, obstacle reminders {reminded}, visit reminders {visits}, "
            f"digests {digests}"
        )


def _remind_visits(day: datetime.date) -> int:
    from vanco.enterprises import pairings

    remind = getattr(pairings, "remind_visits_due", None)
    return remind(today=day) if remind is not None else 0
