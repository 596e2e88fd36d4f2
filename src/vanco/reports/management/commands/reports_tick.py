"""`vanco reports_tick`: mark as failed the reports whose worker died while generating them.

Idempotent; the scheduler of `vanco serve` runs it every hour.
"""

from django.core.management.base import BaseCommand

from vanco.reports.services import fail_stale_reports


class Command(BaseCommand):
    help = "Mark as failed the reports left running by an interrupted worker."

    def handle(self, *args, **options):
        self.stdout.write(f"stale reports failed: {fail_stale_reports()}")
