"""Shared pieces of Vanco's management commands."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class DatedCommand(BaseCommand):
    """A periodic job that acts for a day: today by default, or `--today` for catch-up runs
    and for trying a schedule out on a chosen date."""

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", help="Act as if today were this date (YYYY-MM-DD), for catch-up runs."
        )

    def today(self, options) -> datetime.date:
        value = options.get("today")
        if not value:
            return timezone.localdate()
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise CommandError("--today must be a date like 2026-11-30") from None
