"""`vanco dispatch_tick`: open the dispatch periods that have started, then send reminders.

Idempotent: run it as often as you like (the scheduler of `vanco serve` runs it every hour).
"""

from vanco.core.audit import acting_as_system
from vanco.core.commands import DatedCommand
from vanco.projects.dispatch import generate_due_periods
from vanco.projects.tasks import send_report_reminders


class Command(DatedCommand):
    help = (
        "Open every dispatch period that has started (with a report slot per active project) "
        "and enqueue today's report reminders."
    )

    def handle(self, *args, **options):
        day = self.today(options)
        with acting_as_system():
            opened = generate_due_periods(today=day)
        result = send_report_reminders.enqueue(day.isoformat())
        for period in opened:
            self.stdout.write(f"opened {period.cycle} {period.label}")
        self.stdout.write(f"reminders: {result.status}")
