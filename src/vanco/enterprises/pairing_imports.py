"""Bulk assignment of pairings from Excel: rows of official (username), enterprise tax code,
visit frequency and start date. All rows are checked first; then every pairing is created
through `pairings.create_pairing` in one transaction — all rows or none, as other imports.

Registered as the "pairings" kind of core.imports: `vanco import pairings FILE --as USER`,
the template and the export work through the registry."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.http import Http404
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from vanco.core import access, imports
from vanco.core.imports import ImportColumn, choice_label, choice_to_form
from vanco.enterprises import pairings
from vanco.enterprises.enums import VisitFrequency
from vanco.enterprises.forms import EnterpriseForm
from vanco.enterprises.models import Enterprise, Pairing
from vanco.enterprises.pairing_filters import PairingFilter


def _date_cell(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = imports.text(value)
    if not text:
        return None
    found = parse_date(text) if "-" in text else None
    if found is None and "/" in text:
        try:
            found = datetime.datetime.strptime(text, "%d/%m/%Y").date()
        except ValueError:
            found = None
    if found is None:
        raise ValidationError(_("write the date as dd/mm/yyyy."))
    return found


class PairingImporter(imports.Importer):
    model = Pairing
    form_class = EnterpriseForm  # unused: this importer runs itself
    key_field = "official"
    action = "pairings.manage"
    title = _("Pairings")
    columns = [
        ImportColumn(
            "official",
            _("Official (user name)"),
            from_object=lambda o, i: o.official.username,
            required=True,
            example="nguyenvana",
        ),
        ImportColumn(
            "official_name",
            _("Official's name"),
            ignored=True,
            from_object=lambda o, i: o.official.full_name,
        ),
        ImportColumn(
            "tax_code",
            _("Tax code"),
            from_object=lambda o, i: o.enterprise.tax_code,
            required=True,
            example="0100109106",
        ),
        ImportColumn(
            "enterprise_name",
            _("Enterprise name"),
            ignored=True,
            from_object=lambda o, i: o.enterprise.name,
        ),
        ImportColumn(
            "frequency",
            _("Visit frequency"),
            to_form=choice_to_form(VisitFrequency.choices),
            from_object=choice_label("frequency"),
            example=VisitFrequency.QUARTERLY.label,
        ),
        ImportColumn(
            "starts_on",
            _("Start date"),
            from_object=lambda o, i: o.starts_on,
            required=True,
            example=datetime.date(2026, 1, 1),
        ),
        ImportColumn("note", _("Note"), example=""),
    ]

    def run(self, source, *, dry_run=False, progress=None):
        return import_pairings(source, user=self.user, dry_run=dry_run, progress=progress)

    def export_queryset(self, params):
        qs = Pairing.objects.visible_to(self.user).select_related("official", "enterprise")
        filterset = PairingFilter(
            {key: value for key, value in params.items() if value not in (None, "")} or None,
            queryset=qs,
            user=self.user,
        )
        if filterset.is_bound:
            qs = filterset.qs if filterset.is_valid() else qs.none()
        return qs.order_by("official__username", "enterprise__tax_code", "pk")


def import_pairings(source, *, user, dry_run: bool = False, progress=None):
    """Check every row, then pair them all (or nothing). Errors name the row and column."""
    importer = PairingImporter(user)
    access.require(user, importer.action)
    result = imports.ImportResult(kind="pairings", dry_run=dry_run)
    rows, mapping = imports.read_sheet(source, importer.columns)
    labels = {column.name: label for column, label in mapping.values()}
    parsed = imports.plain_rows(rows, mapping)
    result.rows = len(parsed)

    usernames = {imports.text(cells.get("official")).lower() for _n, cells in parsed}
    # User names match whatever their case, among the officials the importing user may pair.
    officials = {
        official.username.lower(): official
        for official in pairings.officials_for_pairing(user)
        .annotate(username_lower=Lower("username"))
        .filter(username_lower__in=usernames)
    }
    codes = {imports.text(cells.get("tax_code")).upper() for _n, cells in parsed}
    visible = {
        e.tax_code: e for e in Enterprise.objects.visible_to(user).filter(tax_code__in=codes)
    }
    editable = set(
        Enterprise.objects.editable_by(user).filter(tax_code__in=codes).values_list("pk", flat=True)
    )
    already = set(
        Pairing.objects.filter(ends_on__isnull=True, enterprise__tax_code__in=codes).values_list(
            "official_id", "enterprise_id"
        )
    )

    pending = []
    seen: dict[tuple[int, int], int] = {}
    for done, (number, cells) in enumerate(parsed, start=1):
        if progress is not None and done % imports.PROGRESS_EVERY == 0:
            progress(done, len(parsed))
        errors_before = len(result.errors)

        def error(name, message, number=number):
            result.errors.append(imports.RowError(number, labels.get(name, ""), str(message)))

        official = officials.get(imports.text(cells.get("official")).lower())
        if official is None:
            error("official", _("no active official has this user name."))
        enterprise = visible.get(imports.text(cells.get("tax_code")).upper())
        if enterprise is None:
            error("tax_code", _("no enterprise you can see has this tax code."))
        elif enterprise.pk not in editable:
            error("tax_code", _("this enterprise is outside the area you are responsible for."))
        frequency = VisitFrequency.QUARTERLY
        try:
            frequency = (
                importer.columns[4].to_form(cells.get("frequency"), importer)
                or VisitFrequency.QUARTERLY
            )
        except ValidationError as problem:
            error("frequency", " ".join(problem.messages))
        starts_on = None
        try:
            starts_on = _date_cell(cells.get("starts_on"))
            if starts_on is None:
                error("starts_on", _("this cell is required."))
        except ValidationError as problem:
            error("starts_on", " ".join(problem.messages))
        note = imports.text(cells.get("note"))[:255]
        if len(result.errors) > errors_before:
            continue
        pair = (official.pk, enterprise.pk)
        if pair in seen:
            error(
                "official",
                _("the same pairing already appears in row %(row)s.") % {"row": seen[pair]},
            )
            continue
        seen[pair] = number
        if pair in already:
            error("official", _("This official is already paired with this enterprise."))
            continue
        pending.append((number, official, enterprise, frequency, starts_on, note))

    result.created = len(pending)
    if result.errors or dry_run or not pending:
        return result
    with transaction.atomic():
        for number, official, enterprise, frequency, starts_on, note in pending:
            try:
                pairings.create_pairing(
                    actor=user,
                    official=official,
                    enterprise=enterprise,
                    starts_on=starts_on,
                    frequency=frequency,
                    note=note,
                )
            except (ValidationError, PermissionDenied, Http404) as problem:
                messages = getattr(problem, "messages", None) or [str(problem)]
                result.errors.append(imports.RowError(number, "", " ".join(messages)))
                result.created = 0
                transaction.set_rollback(True)
                return result
    return result


imports.register("pairings", PairingImporter)
