"""`vanco meetings_tick`: flag directives past their due date (once each) and tell their
assignees and issuer. Idempotent: run it as often as you like (the scheduler runs it hourly)."""

from vanco.core.audit import acting_as_system, system_user
from vanco.core.commands import DatedCommand
from vanco.meetings.services import mark_overdue


class Command(DatedCommand):
    help = "Flag overdue directives and notify their assignees and issuers."

    def handle(self, *args, **options):
        day = self.today(options)
        with acting_as_system():
            flagged = mark_overdue(today=day, actor=system_user())
        self.stdout.write(f"overdue directives flagged {flagged}")
