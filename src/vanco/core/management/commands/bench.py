"""`vanco bench`: start the real server on demo data and measure its pages."""

import io
import os
import platform
import socket
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from vanco.accounts.models import User
from vanco.accounts.services import issue_token
from vanco.core import bench
from vanco.core.audit import acting_as_system
from vanco.core.bench_scenarios import jobs, scenarios
from vanco.demo import DEMO_PASSWORD


def _token_for(username: str) -> str:
    with acting_as_system():
        _token, raw = issue_token(user=User.objects.get(username=username), name="vanco bench")
    return raw


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Command(BaseCommand):
    help = (
        "Start `vanco serve` on the demo data and measure server-side p50/p95 and SQL queries "
        "of the main pages. Loads `vanco demo --scale SCALE` first when the database is empty."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["small", "medium", "large"], default="large")
        parser.add_argument("--runs", type=int, default=30, help="measured requests per page")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--json", type=Path, help="where to write the results")

    def handle(self, *args, **options):
        if options["runs"] < 5:
            raise CommandError("--runs must be at least 5.")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("demo", scale=options["scale"], if_empty=True, stdout=io.StringIO())
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "VANCO_SERVER_TIMING": "1", "DEBUG": "false"}
        server = subprocess.Popen(  # noqa: S603 (fixed argument list)
            [
                sys.executable,
                "-m",
                "vanco",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(options["workers"]),
                "--no-worker",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            bench.wait_until_up(base_url)
            results = bench.run(
                scenarios(options["runs"]),
                base_url=base_url,
                password=DEMO_PASSWORD,
                runs=options["runs"],
                token_for=_token_for,
            )
        finally:
            server.terminate()
            server.wait(timeout=20)
        # Background work, timed in this process: a few runs are enough at seconds each.
        results += bench.run_jobs(jobs(), runs=min(options["runs"], 5))
        self.stdout.write(bench.table(results))
        meta = {
            "scale": options["scale"],
            "runs": options["runs"],
            "database": connection.vendor,
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
            "python": platform.python_version(),
        }
        target = options["json"] or Path(settings.DATA_DIR) / f"bench-{options['scale']}.json"
        bench.write_json(target, results, meta)
        self.stdout.write(f"Results written to {target}")
        slow = [result.name for result in results if not result.ok]
        if slow:
            raise CommandError("Over target or failing: " + ", ".join(slow))
