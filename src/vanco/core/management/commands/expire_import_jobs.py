"""`vanco expire_import_jobs`: remove uploaded import files older than a day.

Jobs still waiting (queued, or checked and never applied) become "expired"; stray files in
DATA_DIR/imports as old are removed too. Idempotent; the scheduler of `vanco serve` runs it
every hour.
"""

from django.core.management.base import BaseCommand

from vanco.core.tasks import expire_jobs


class Command(BaseCommand):
    help = "Remove uploaded import files older than a day and mark their jobs expired."

    def handle(self, *args, **options):
        expired = expire_jobs()
        self.stdout.write(f"expired import jobs: {expired}")
