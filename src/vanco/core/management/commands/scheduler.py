import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from vanco.core import schedule
from vanco.core.audit import acting_as_system


class Command(BaseCommand):
    help = "Run the registered periodic jobs forever (started by `vanco serve`), or once."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every job once and exit")

    def handle(self, *args, **options):
        jobs = schedule.jobs()
        if not jobs:
            self.stdout.write("No periodic job is registered.")
        next_run = dict.fromkeys((job.command for job in jobs), 0.0)
        while True:
            for job in jobs:
                if time.monotonic() < next_run[job.command]:
                    continue
                next_run[job.command] = time.monotonic() + job.every_minutes * 60
                if not options["once"]:
                    # A long-lived process must not keep a connection the database dropped.
                    close_old_connections()
                try:
                    with acting_as_system():
                        call_command(job.command)
                except Exception:  # a failing job must not stop the others
                    schedule.logger.exception("periodic job %s failed", job.command)
            if options["once"]:
                return
            time.sleep(5)
