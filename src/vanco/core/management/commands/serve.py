"""`vanco serve`: the production server on one machine — gunicorn plus the task worker."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from vanco.core.env import env_int, env_str


class Command(BaseCommand):
    help = "Serve Vanco with gunicorn (static files by whitenoise) and run the background worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=env_str("VANCO_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=env_int("VANCO_PORT", 8000, minimum=1))
        parser.add_argument(
            "--workers",
            type=int,
            default=env_int("VANCO_WORKERS", 0, minimum=0) or (os.cpu_count() or 1) + 1,
        )
        parser.add_argument("--no-worker", action="store_true", help="Do not start the task worker")
        parser.add_argument("--no-collectstatic", action="store_true")

    def handle(self, *args, **options):
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1.")
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vanco.settings"}
        bind = f"{options['host']}:{options['port']}"
        processes = [
            subprocess.Popen(  # noqa: S603 (fixed argument list, no shell)
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "vanco.wsgi:application",
                    "--bind",
                    bind,
                    "--workers",
                    str(options["workers"]),
                    "--access-logfile",
                    "-",
                    "--graceful-timeout",
                    "10",
                ],
                env=env,
            )
        ]
        if not options["no_worker"]:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "vanco", "scheduler"],
                    env=env,
                )
            )
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "vanco",
                        "db_worker",
                        "--queue-name",
                        "*",
                        "--no-reload",
                    ],
                    env=env,
                )
            )
        self.stdout.write(
            f"Vanco is serving at http://{bind}/ (debug {'on' if settings.DEBUG else 'off'}); "
            "press Ctrl+C to stop."
        )
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(p.poll() is None for p in processes):
                time.sleep(0.5)
        finally:
            for process in processes:
                if process.poll() is None:
                    process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
        failed = [p for p in processes if p.returncode not in (0, -signal.SIGTERM, None)]
        if failed and not stopping:
            raise CommandError("A server process stopped unexpectedly; see the log above.")
