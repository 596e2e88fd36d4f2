"""`vanco demo`: fill an empty database with a realistic, reproducible demo city."""

import datetime
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import translation

from vanco.demo import DEFAULT_SEED, DEMO_PASSWORD, SCALES, demo_logins, generate
from vanco.demo.users import FIXED_LOGINS
from vanco.industries.models import Industry
from vanco.org.models import Department, Locality


class Command(BaseCommand):
    help = (
        "Create demo data: a city with districts, industrial parks and communes, departments, six "
        "leading industries with their chains, users for every role, an enterprise registry, "
        "projects in every stage, three years of dispatch periods with progress reports, and "
        "traffic lights. The same seed, scale and day always give the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=list(SCALES),
            default="small",
            help=(
                "small (default, seconds: 200 enterprises, 80 projects), medium (5,000 "
                "enterprises, 1,000 projects) or large (~5,000 users, 100,000 enterprises, "
                "20,000 projects, ~2 million weekly progress reports; a few minutes)."
            ),
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"default {DEFAULT_SEED}"
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="YYYY-MM-DD: the day the demo's current period is in (default: today).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (but still list the demo logins) when the database holds data.",
        )

    def handle(self, *args, scale, seed, if_empty, today=None, **options):
        existing = _existing_data()
        if existing:
            if if_empty:
                self.stdout.write(f"The database already holds data ({existing}); nothing created.")
                self._print_logins()
                return
            raise CommandError(
                f"The database already holds data ({existing}). The demo only fills an empty "
                f"database: start from a fresh one ({_fresh_database_hint()}), run "
                "`vanco migrate`, then `vanco demo` again; or pass --if-empty to skip quietly."
            )
        clashes = sorted(
            get_user_model()
            ._default_manager.filter(username__in=[login.username for login in FIXED_LOGINS])
            .values_list("username", flat=True)
        )
        if clashes:
            raise CommandError(
                f"These demo usernames already exist: {', '.join(clashes)}. "
                f"Use a fresh database ({_fresh_database_hint()})."
            )

        started = time.perf_counter()
        # Audit entries keep the object's name as text: write it in the deployment's language.
        with translation.override(settings.LANGUAGE_CODE):
            counts = generate(scale=scale, seed=seed, today=today)
        elapsed = time.perf_counter() - started

        self.stdout.write(f"Demo data, scale {scale}, seed {seed} ({connection.vendor}):")
        width = max(len(label) for label in counts)
        for label, count in counts.items():
            self.stdout.write(f"  {label:<{width}}  {count:>9,}")
        self.stdout.write(self.style.SUCCESS(f"Created in {elapsed:.2f} s."))
        self._print_logins()

    def _print_logins(self) -> None:
        with translation.override("en"):
            rows = [
                (username, DEMO_PASSWORD, role, scope) for username, role, scope in demo_logins()
            ]
        if not rows:
            self.stdout.write("No demo logins in this database.")
            return
        header = ("username", "password", "role", "scope")
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
        self.stdout.write("")
        self.stdout.write("Demo logins:")
        for row in [header, *rows]:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  " + "  ".join([*cells, row[3]]))


def _existing_data() -> str:
    with translation.override("en"):
        return ", ".join(
            f"{model._default_manager.count()} {model._meta.verbose_name_plural}"
            for model in (Locality, Department, Industry)
            if model._default_manager.exists()
        )


def _fresh_database_hint() -> str:
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        return f"delete {database['NAME']}"
    return "point DATABASE_URL at an empty database"
