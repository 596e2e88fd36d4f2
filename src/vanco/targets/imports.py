"""Targets from Excel: rows of year, locality code, metric, value and note. All rows are checked
first; then every target is set through `services.set_target` in one transaction — all rows or
none. A row for an existing (year, locality, metric) changes its value.

Registered as the "targets" kind of core.imports: the import page, its template, `vanco import
targets FILE --as USER` and the export (the targets grid's Excel file re-imports unchanged)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from vanco.core import access, imports
from vanco.core.imports import ImportColumn, choice_label, choice_to_form
from vanco.org.models import Locality
from vanco.targets import services
from vanco.targets.enums import Metric
from vanco.targets.forms import TargetForm
from vanco.targets.models import Target

MAX_VALUE = Decimal("999999999999999")


class TargetImporter(imports.Importer):
    model = Target
    form_class = TargetForm  # unused: this importer runs itself
    key_field = "year"
    action = "targets.manage"
    title = _("Targets")
    columns = [
        ImportColumn("year", _("Year"), required=True, example=2026),
        ImportColumn(
            "locality",
            _("Locality code"),
            from_object=lambda o, i: o.locality.code,
            required=True,
            example="Q1",
        ),
        ImportColumn(
            "locality_name",
            _("Locality name"),
            ignored=True,
            from_object=lambda o, i: o.locality.name,
        ),
        ImportColumn(
            "metric",
            _("Metric"),
            to_form=choice_to_form(Metric.choices),
            from_object=choice_label("metric"),
            required=True,
            example=Metric.PROJECTS_SIGNED.label,
        ),
        ImportColumn("value", _("Target value"), required=True, example=12),
        ImportColumn("note", _("Note"), example=""),
    ]

    def run(self, source, *, dry_run=False, progress=None):
        return import_targets(source, user=self.user, dry_run=dry_run, progress=progress)

    def export_queryset(self, params):
        qs = Target.objects.visible_to(self.user).select_related("locality")
        year = params.get("year")
        if year not in (None, ""):
            try:
                qs = qs.filter(year=int(year))
            except (TypeError, ValueError):
                qs = qs.none()
        return qs.order_by("year", "locality__path", "metric", "pk")


def _year(value) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(_("write the year as four digits, e.g. 2026.")) from None
    if not 2000 <= year <= 2100:
        raise ValidationError(_("the year must be between 2000 and 2100."))
    return year


def _year_or_none(value) -> int | None:
    try:
        return _year(value)
    except ValidationError:
        return None


def _value(value) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(_("write a number.")) from None
    if not number.is_finite() or number < 0 or number > MAX_VALUE:
        raise ValidationError(_("a target is a number from 0 up."))
    return number.quantize(Decimal("0.001"))


def import_targets(source, *, user, dry_run: bool = False, progress=None):
    """Check every row, then set every target (or none). Errors name the row and column."""
    importer = TargetImporter(user)
    access.require(user, importer.action)
    result = imports.ImportResult(kind="targets", dry_run=dry_run)
    rows, mapping = imports.read_sheet(source, importer.columns)
    labels = {column.name: label for column, label in mapping.values()}
    parsed = imports.plain_rows(rows, mapping)
    result.rows = len(parsed)

    localities = {locality.code.upper(): locality for locality in Locality.objects.visible_to(user)}
    existing = {
        (target.year, target.locality_id, target.metric): target
        for target in Target.objects.visible_to(user).filter(
            year__in={_year_or_none(cells.get("year")) for _n, cells in parsed} - {None}
        )
    }
    metric_column = next(column for column in importer.columns if column.name == "metric")

    pending = []
    seen: dict[tuple, int] = {}
    for done, (number, cells) in enumerate(parsed, start=1):
        if progress is not None and done % imports.PROGRESS_EVERY == 0:
            progress(done, len(parsed))
        errors_before = len(result.errors)

        def error(name, message, number=number):
            result.errors.append(imports.RowError(number, labels.get(name, ""), str(message)))

        def checked(name, convert, cells=cells):
            value = cells.get(name)
            if imports._is_blank(value):
                error(name, _("this cell is required."))
                return None
            try:
                return convert(value)
            except ValidationError as problem:
                error(name, " ".join(problem.messages))
                return None

        year = checked("year", _year)
        locality = checked("locality", lambda v: localities.get(imports.text(v).upper()))
        if locality is None and not imports._is_blank(cells.get("locality")):
            error("locality", _("no locality you can see has this code."))
        metric = checked("metric", lambda v: metric_column.to_form(v, importer))
        value = checked("value", _value)
        note = imports.text(cells.get("note"))[:255]
        if len(result.errors) > errors_before:
            continue
        key = (year, locality.pk, metric)
        if key in seen:
            error(
                "metric",
                _("the same target already appears in row %(row)s.") % {"row": seen[key]},
            )
            continue
        seen[key] = number
        stored = existing.get(key)
        if stored is not None and stored.value == value and stored.note == note:
            result.unchanged += 1
            continue
        pending.append((number, year, locality, metric, value, note, stored))

    result.created = sum(1 for item in pending if item[-1] is None)
    result.updated = len(pending) - result.created
    if result.errors or dry_run or not pending:
        return result
    with transaction.atomic():
        for number, year, locality, metric, value, note, stored in pending:
            try:
                services.set_target(
                    actor=user,
                    year=year,
                    locality=locality,
                    metric=metric,
                    value=value,
                    note=note,
                    expected_version=stored.version if stored is not None else None,
                )
            except (ValidationError, PermissionDenied, Http404) as problem:
                messages = getattr(problem, "messages", None) or [str(problem)]
                result.errors.append(imports.RowError(number, "", " ".join(messages)))
                result.created = result.updated = 0
                transaction.set_rollback(True)
                return result
    return result


imports.register("targets", TargetImporter)
