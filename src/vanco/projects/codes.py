"""Project codes: "DA-2026-00042" — a prefix, the year of creation and a sequence per year.

There is no counter table: the next number is one more than the highest code of the year, read
inside the creating transaction. Two concurrent creations can read the same highest code; the
unique index on `Project.code` then refuses the second insert, and the caller retries with a
fresh read (`create_with_code`). On SQLite the IMMEDIATE transaction mode already serialises
writers, so the retry only ever happens on PostgreSQL.
"""

import re

from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone

PREFIX = "DA"
DIGITS = 5
MAX_ATTEMPTS = 10

_CODE_RE = re.compile(r"^(?P<prefix>[A-Z]+)-(?P<year>\d{4})-(?P<number>\d+)$")


def format_code(year: int, number: int) -> str:
    return f"{PREFIX}-{year}-{number:0{DIGITS}d}"


def parse_code(code: str) -> tuple[int, int] | None:
    """(year, number) of a generated code, None for anything else (imported legacy codes)."""
    match = _CODE_RE.match(code or "")
    if match is None or match["prefix"] != PREFIX:
        return None
    return int(match["year"]), int(match["number"])


def next_code(year: int | None = None) -> str:
    """The code after the highest one of `year` (default: this year in the local time zone)."""
    from vanco.projects.models import Project

    year = year or timezone.localdate().year
    prefix = f"{PREFIX}-{year}-"
    # Longest first, then highest: "DA-2026-100000" comes after "DA-2026-99999".
    codes = (
        Project.objects.filter(code__startswith=prefix)
        .order_by(Length("code").desc(), "-code")
        .values_list("code", flat=True)
    )
    for code in codes[:20]:
        parsed = parse_code(code)
        if parsed is not None:
            return format_code(year, parsed[1] + 1)
    return format_code(year, 1)


def _is_code_collision(error: IntegrityError) -> bool:
    # SQLite: "UNIQUE constraint failed: projects_project.code";
    # PostgreSQL: 'duplicate key value violates unique constraint "projects_project_code_key"'.
    return "code" in str(error).lower()


def save_with_new_code(project, *, year: int | None = None) -> None:
    """Give `project` the next free code and insert it, retrying when a concurrent insert won.

    Must run inside a transaction: each attempt is a savepoint, so a collision does not break
    the outer transaction.
    """
    for attempt in range(MAX_ATTEMPTS):
        project.code = next_code(year)
        try:
            with transaction.atomic():
                project.save(force_insert=True)
        except IntegrityError as error:
            project.pk = None
            project._state.adding = True
            if attempt == MAX_ATTEMPTS - 1 or not _is_code_collision(error):
                raise
        else:
            return
