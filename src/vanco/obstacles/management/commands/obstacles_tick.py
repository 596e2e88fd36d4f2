"""`vanco obstacles_tick`: escalate overdue obstacles one level, remind departments of due and
overdue obstacles, remind paired officials of visits due, and send the daily digests.

Idempotent within a day: run it as often as you like (the scheduler of `vanco serve` runs it
every hour); an obstacle climbs at most one level per run and each reminder goes out once a day.
"""

from django.utils import timezone

from vanco.core.audit import acting_as_system, system_user
from vanco.core.commands import DatedCommand
from vanco.enterprises.pairings import remind_visits_due
from vanco.notifications.services import send_digests
from vanco.obstacles import notices
from vanco.obstacles.services import escalate_overdue


class Command(DatedCommand):
    help = (
        "Escalate overdue obstacles, send due/overdue obstacle and visit reminders, and the "
        "daily e-mail digests."
    )

    def handle(self, *args, **options):
        day = self.today(options)
        with acting_as_system():
            escalated = escalate_overdue(today=day, actor=system_user())
            reminded = notices.remind_due(today=day)
            visits = remind_visits_due(today=day)
        digests = send_digests() if timezone.localtime().hour >= 7 else 0
        self.stdout.write(
            f"escalated {escalated}, obstacle reminders {reminded}, visit reminders {visits}, "
            f"digests {digests}"
        )
