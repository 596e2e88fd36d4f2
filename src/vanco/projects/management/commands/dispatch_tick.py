"""`vanco dispatch_tick`: open the dispatch periods that have started, then send reminders.

Idempotent: run it as often as you like (the scheduler of `vanco serve` runs it every hour).
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from vanco.core.audit import acting_as_system
from vanco.projects.dispatch import generate_due_periods
from vanco.projects.tasks import send_report_reminders


class Command(BaseCommand):
    help = (
        "Open every dispatch period that has started (with a report slot per active project) "
        "and enqueue today's report reminders."
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
            opened = generate_due_periods(today=day)
        result = send_report_reminders.enqueue(day.isoformat())
        for period in opened:
            self.stdout.write(f"opened {period.cycle} {period.label}")
        self.stdout.write(f"reminders: {result.status}")
