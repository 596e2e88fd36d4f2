"""`vanco export KIND FILE.xlsx --as USERNAME [filters]`: what that user may see, re-importable."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from vanco.core import imports


class Command(BaseCommand):
    help = (
        "Export the rows a user may see to an Excel workbook (.xlsx) in the import's format, so "
        "the file can be edited and imported back. Filters narrow the rows like the list page."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=imports.registered(), help="What to export.")
        parser.add_argument("file", help="Path of the .xlsx file to write.")
        parser.add_argument("--as", dest="username", required=True, help="Acting user.")
        parser.add_argument("--status", help="Only this status (e.g. operating, prospect).")
        parser.add_argument("--locality", help="Only this locality (code) and its sub-localities.")
        parser.add_argument("--q", help="Search text, with or without accents.")
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="Any other filter of the list page, e.g. --filter size=small (repeatable).",
        )

    def handle(self, *args, kind, file, username, status, locality, q, filter, **options):
        user = imports.command_user(username)
        params = {}
        for item in filter:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--filter expects NAME=VALUE, not {item!r}.")
            params[name.strip()] = value.strip()
        for name, value in (("status", status), ("locality", locality), ("q", q)):
            if value:
                params[name] = value
        with translation.override(user.language or translation.get_language()):
            try:
                with open(file, "wb") as handle:
                    count = imports.write_export(kind, handle, user=user, params=params)
            except imports.ImportFileError as error:
                raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"{count} rows written to {file}.")
