"""`vanco import KIND FILE.xlsx --as USERNAME [--dry-run]`: all rows or none."""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from vanco.core import imports


class Command(BaseCommand):
    help = (
        "Import rows from an Excel workbook (.xlsx) as a user, with that user's permissions. "
        "Every row is checked first; if any is wrong the errors are listed, nothing is written "
        "and the command exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=imports.registered(), help="What the rows are.")
        parser.add_argument("file", help="Path of the .xlsx file.")
        parser.add_argument("--as", dest="username", required=True, help="Acting user.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row, write nothing."
        )

    def handle(self, *args, kind, file, username, dry_run, **options):
        user = imports.command_user(username)
        with translation.override(user.language or translation.get_language()):
            try:
                result = imports.run_import(kind, file, user=user, dry_run=dry_run)
            except imports.ImportFileError as error:
                for message in error.messages:
                    self.stderr.write(message)
                raise CommandError("The file cannot be imported.", returncode=1) from None
            except PermissionDenied:
                raise CommandError(f"{username} may not import {kind}.", returncode=1) from None
            for line in result.error_lines():
                self.stderr.write(line)
            summary = (
                f"{result.rows} rows: {result.created} to create, {result.updated} to update, "
                f"{result.unchanged} unchanged, {len(result.errors)} errors"
            )
            if not result.ok:
                raise CommandError(f"{summary}. Nothing was written.", returncode=1)
            if dry_run:
                self.stdout.write(f"{summary} (dry run: nothing was written).")
            else:
                self.stdout.write(f"{summary}. Written.")
