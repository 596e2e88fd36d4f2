"""The Excel import/export engine: parse → validate every row with the web's form → write all
rows in one transaction, or none.

An app describes one kind of row with an `Importer` subclass and registers it::

    core.imports.register("enterprises", EnterpriseImporter)

Then `run_import("enterprises", file, user=..., dry_run=...)`, `template_workbook(...)`,
`write_export(...)` and the `vanco import` / `vanco export` commands work for it.

The file's first row is the header: each cell is a column's label in Vietnamese, English or
Chinese, or its raw field name. Errors read "row N, column C: message" with N the spreadsheet's
row number and C the header as written in the file, in the user's language.

Rows are upserted by a natural key (tax code, project code). An existing row the user may not
edit is an error on that row, never an update. Writes use bulk_create / bulk_update in batches
and write auditlog's LogEntry rows themselves, with the acting user as actor. A row of the file
is the new truth: the version a row was exported at is not compared (there is no version
column); an update bumps the stored version, so a web form opened before the import is refused
as stale afterwards.
"""

from __future__ import annotations

import datetime
import decimal
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from vanco.core import access
from vanco.core.audit import acting_as
from vanco.core.exports import cell_value
from vanco.core.models import SearchableModel
from vanco.core.text import fold

BATCH_SIZE = 1000
PROGRESS_EVERY = 500
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_LANGUAGES = ("vi", "en", "zh-hans")


class ImportFileError(Exception):
    """The file as a whole cannot be imported (not a workbook, no header, unknown columns)."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class ImportColumn:
    """One column of the spreadsheet.

    `name` is the form field it feeds. `to_form(value, importer)` turns the cell's value into
    what the form expects (raise ValidationError for a bad cell); `from_object(obj, importer)`
    gives the exported cell. An `ignored` column is written by exports for people to read and
    skipped on import (e.g. a masked phone number).
    """

    name: str
    label: Any
    to_form: Callable[[Any, Importer], Any] | None = None
    from_object: Callable[[models.Model, Importer], Any] | None = None
    ignored: bool = False
    required: bool = False
    example: Any = None

    def aliases(self, model: type[models.Model] | None = None) -> set[str]:
        """The header texts that name this column: its field name, its label and the model
        field's verbose name, in every language."""
        labels = [self.label]
        if model is not None and not self.ignored:
            labels.append(model._meta.get_field(self.name).verbose_name)
        names = {fold(self.name)}
        for language in _LANGUAGES:
            with translation.override(language):
                names.update(_header_key(force_str(label)) for label in labels)
        return names


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("row %(row)s, column %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    def error_lines(self) -> list[str]:
        return [str(error) for error in self.errors]


@dataclass
class _Pending:
    row: int
    instance: models.Model
    m2m: dict[str, list[models.Model]]
    changes: dict[str, list]
    created: bool


class Importer:
    """Describe one kind of row; subclass per model and `register()` it."""

    model: type[models.Model]
    form_class: type[forms.ModelForm]
    #: the natural key field, e.g. "tax_code"
    key_field: str
    action: str
    title: Any = ""
    columns: list[ImportColumn] = []

    def __init__(self, user):
        self.user = user
        self.cache: dict[str, Any] = {}

    # --- hooks for subclasses ---------------------------------------------------------------
    def normalise_key(self, value: Any) -> str:
        return force_str(value).strip() if value is not None else ""

    def prepare(self, rows: list[dict[str, Any]]) -> None:
        """Load lookups (codes → objects) once for the whole file."""

    def export_columns(self) -> list[ImportColumn]:
        return self.columns

    def export_queryset(self, params: dict[str, Any]):
        return access.visible(self.model, self.user)

    def out_of_scope_message(self) -> str:
        return _("You may not change this record: it is outside the area you are responsible for.")

    # --- machinery ----------------------------------------------------------------------------
    def form_data(self, instance: models.Model | None) -> dict[str, Any]:
        """The form's data before the row's cells are laid over it: the stored values for an
        update (a column missing from the file keeps them), the model's defaults for a new row."""
        if instance is None:
            data = {}
            for column in self.columns:
                if column.ignored:
                    continue
                model_field = self.model._meta.get_field(column.name)
                if model_field.has_default():
                    data[column.name] = model_field.get_default()
            return data
        unbound = self.form_class(instance=instance, user=self.user)
        return {name: unbound[name].value() for name in unbound.fields}


_REGISTRY: dict[str, type[Importer]] = {}


def register(kind: str, importer: type[Importer]) -> None:
    _REGISTRY[kind] = importer


def registered() -> list[str]:
    return sorted(_REGISTRY)


def get_importer(kind: str) -> type[Importer]:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise LookupError(kind) from None


def command_user(username: str):
    """The active user a command acts as (`--as USERNAME`)."""
    from django.contrib.auth import get_user_model
    from django.core.management.base import CommandError

    user_model = get_user_model()
    try:
        return user_model.objects.get(username=username, is_active=True)
    except user_model.DoesNotExist:
        raise CommandError(f"No active user {username!r}.") from None


# --- reading ----------------------------------------------------------------------------------


def _header_key(text: Any) -> str:
    return fold(force_str(text or "").replace("*", "")).strip(" :")


def read_rows(source) -> list[list[Any]]:
    """All rows of the first sheet; refuses (with a clear message) what is not a workbook."""
    from python_calamine import CalamineWorkbook

    try:
        if isinstance(source, (str, bytes)) or hasattr(source, "__fspath__"):
            workbook = CalamineWorkbook.from_path(str(source))
        else:
            if hasattr(source, "seek"):
                source.seek(0)
            data = source.read()
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        return sheet.to_python(skip_empty_area=False)
    except Exception as error:  # calamine raises its own errors for every kind of bad file
        raise ImportFileError(
            [
                _(
                    "The file could not be read as an Excel workbook (.xlsx). Save it from "
                    "Excel as “Excel Workbook (*.xlsx)” and try again."
                )
            ]
        ) from error


def check_upload(upload) -> None:
    """Extension, size and content of an uploaded file; ImportFileError if any is wrong."""
    name = force_str(getattr(upload, "name", "") or "")
    if not name.lower().endswith(".xlsx"):
        raise ImportFileError([_("Only Excel workbooks (.xlsx) can be imported.")])
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if upload.size > limit:
        raise ImportFileError(
            [_("The file is too large: at most %(size)s MB.") % {"size": limit // (1024 * 1024)}]
        )
    read_rows(upload)  # raises for content that is not a workbook
    upload.seek(0)


def _clean_cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        # Exports protect text that looks like a formula with a leading apostrophe.
        if len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
            value = value[1:]
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date()
    return value


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- choice fields looked up once per file, not once per row ---------------------------------


class _CachedChoice(forms.ModelChoiceField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self._vanco_cache[str(value)]
        except KeyError:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class _CachedMultipleChoice(forms.ModelMultipleChoiceField):
    def clean(self, value):
        value = self.prepare_value(value)
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if not value:
            return []
        if not isinstance(value, (list, tuple)):
            raise ValidationError(self.error_messages["invalid_list"], code="invalid_list")
        chosen = []
        for item in value:
            try:
                chosen.append(self._vanco_cache[str(item)])
            except KeyError:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                ) from None
        self.run_validators(chosen)
        return chosen


def _use_cached_choices(form: forms.Form, caches: dict[str, dict[str, Any]]) -> None:
    """Same querysets, same validation; the rows of each queryset are fetched once per file.

    The model's own foreign-key check (one query per row) is skipped for these fields: the
    choice field has just found the row in a queryset that is narrower than the table.
    """
    cached_names = set()
    for name, form_field in form.fields.items():
        if isinstance(form_field, forms.ModelMultipleChoiceField):
            cls = _CachedMultipleChoice
        elif isinstance(form_field, forms.ModelChoiceField):
            cls = _CachedChoice
        else:
            continue
        if name not in caches:
            caches[name] = {str(obj.pk): obj for obj in form_field.queryset}
        form_field.__class__ = cls
        form_field._vanco_cache = caches[name]
        cached_names.add(name)
    exclusions = form._get_validation_exclusions

    def _exclusions():
        return {*exclusions(), *cached_names}

    form._get_validation_exclusions = _exclusions


# --- the import itself ------------------------------------------------------------------------


def read_sheet(source, columns: list[ImportColumn], model=None) -> tuple[list[list[Any]], dict]:
    """The rows under the header (the first non-blank row) and the header's mapping
    {column index: (ImportColumn, label as written)}; ImportFileError when the file is empty
    or its header does not name the columns."""
    rows = read_rows(source)
    while rows and all(_is_blank(cell) for cell in rows[0]):
        rows = rows[1:]
    if not rows:
        raise ImportFileError([_("The file is empty: the first row must hold the column headers.")])
    mapping, problems = _map_header(rows[0], columns, model)
    if problems:
        raise ImportFileError(problems)
    return rows[1:], mapping


def plain_rows(rows: list[list[Any]], mapping: dict) -> list[tuple[int, dict[str, Any]]]:
    """(row number in the file, {column name: cleaned cell}) of every non-blank row."""
    parsed = []
    for number, raw in enumerate(rows, start=2):
        if all(_is_blank(cell) for cell in raw):
            continue
        parsed.append(
            (
                number,
                {
                    column.name: _clean_cell(raw[index] if index < len(raw) else None)
                    for index, (column, _label) in mapping.items()
                    if not column.ignored
                },
            )
        )
    return parsed


def _map_header(header: list[Any], columns: list[ImportColumn], model) -> tuple[dict, list[str]]:
    by_alias: dict[str, ImportColumn] = {}
    for column in columns:
        for alias in column.aliases(model):
            by_alias.setdefault(alias, column)
    mapping: dict[int, tuple[ImportColumn, str]] = {}
    problems: list[str] = []
    seen: set[str] = set()
    for index, cell in enumerate(header):
        if _is_blank(cell):
            continue
        label = force_str(cell).strip()
        column = by_alias.get(_header_key(label))
        if column is None:
            problems.append(
                _("row 1, column %(column)s: this column is not known; use the template's headers.")
                % {"column": label}
            )
            continue
        if column.name in seen:
            problems.append(
                _("row 1, column %(column)s: this column appears twice.") % {"column": label}
            )
            continue
        seen.add(column.name)
        mapping[index] = (column, label)
    for column in columns:
        if column.required and column.name not in seen:
            problems.append(
                _("The column “%(column)s” is missing.") % {"column": force_str(column.label)}
            )
    return mapping, problems


def _snapshot(instance: models.Model, names: Iterable[str]) -> dict[str, Any]:
    values = {}
    for name in names:
        model_field = instance._meta.get_field(name)
        if model_field.many_to_many:
            values[name] = (
                sorted(obj.pk for obj in getattr(instance, name).all()) if instance.pk else []
            )
        else:
            values[name] = getattr(instance, model_field.attname)
    return values


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def run_import(
    kind: str,
    source,
    *,
    user,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Validate every row, then write all of them in one transaction (or nothing).

    `progress(done, total)` is called every PROGRESS_EVERY validated rows (for a background
    job's progress bar)."""
    importer = get_importer(kind)(user)
    access.require(user, importer.action)
    if hasattr(importer, "run"):
        # Kinds whose rows are not plain upserts (progress reports are submitted) run themselves.
        return importer.run(source, dry_run=dry_run, progress=progress)
    result = ImportResult(kind=kind, dry_run=dry_run)
    rows, mapping = read_sheet(source, importer.columns, importer.model)
    key_index = next(i for i, (c, _label) in mapping.items() if c.name == importer.key_field)
    key_label = mapping[key_index][1]

    parsed: list[tuple[int, dict[str, tuple[Any, str]]]] = []
    for offset, raw in enumerate(rows, start=2):
        if all(_is_blank(cell) for cell in raw):
            continue
        cells = {}
        for index, (column, label) in mapping.items():
            if column.ignored:
                continue
            value = raw[index] if index < len(raw) else None
            cells[column.name] = (_clean_cell(value), label)
        parsed.append((offset, cells))
    result.rows = len(parsed)
    importer.prepare([{name: value for name, (value, _l) in cells.items()} for _r, cells in parsed])

    model = importer.model
    keys = [importer.normalise_key(cells[importer.key_field][0]) for _r, cells in parsed]
    existing: dict[str, models.Model] = {}
    editable: set[int] = set()
    wanted = sorted({key for key in keys if key})
    m2m_names = [
        c.name
        for c in importer.columns
        if not c.ignored and model._meta.get_field(c.name).many_to_many
    ]
    for start in range(0, len(wanted), BATCH_SIZE):
        chunk = wanted[start : start + BATCH_SIZE]
        found = model._default_manager.filter(**{f"{importer.key_field}__in": chunk})
        if m2m_names:
            found = found.prefetch_related(*m2m_names)
        for obj in found:
            existing[getattr(obj, importer.key_field)] = obj
        editable.update(
            access.editable(model, user)
            .filter(**{f"{importer.key_field}__in": chunk})
            .values_list("pk", flat=True)
        )

    caches: dict[str, dict[str, Any]] = {}
    pending: list[_Pending] = []
    seen_keys: dict[str, int] = {}
    form_fields = [c.name for c in importer.columns if not c.ignored]
    for done, ((row, cells), key) in enumerate(zip(parsed, keys, strict=True), start=1):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, len(parsed))
        if key and key in seen_keys:
            result.errors.append(
                RowError(
                    row,
                    key_label,
                    _("the same record already appears in row %(row)s.") % {"row": seen_keys[key]},
                )
            )
            continue
        if key:
            seen_keys[key] = row
        instance = existing.get(key)
        if instance is not None and instance.pk not in editable:
            result.errors.append(RowError(row, key_label, importer.out_of_scope_message()))
            continue
        data = importer.form_data(instance)
        cell_errors = False
        for name, (value, label) in cells.items():
            if instance is None and _is_blank(value) and name in data:
                continue  # a blank cell of a new row takes the model's default
            column = next(c for c in importer.columns if c.name == name)
            try:
                if column.to_form is not None:
                    value = column.to_form(value, importer)
                elif value is None:
                    value = ""
                data[name] = value
            except ValidationError as error:
                cell_errors = True
                for message in error.messages:
                    result.errors.append(RowError(row, label, message))
        if cell_errors:
            continue
        if instance is not None:
            data["version"] = instance.version  # an import row is the new truth
            before = _snapshot(instance, form_fields)
        else:
            before = {}
        form = importer.form_class(data=data, instance=instance, user=user)
        _use_cached_choices(form, caches)
        # Uniqueness of the key is settled above (one row per key, existing rows updated);
        # skipping the per-row query keeps 5,000 rows fast. The database still enforces it.
        form.validate_unique = lambda: None
        if not form.is_valid():
            labels = {name: label for name, (_v, label) in cells.items()}
            for name, messages in form.errors.items():
                column_label = labels.get(name, "")
                if not column_label and name != "__all__":
                    column_label = force_str(model._meta.get_field(name).verbose_name)
                for message in messages:
                    result.errors.append(RowError(row, column_label, message))
            continue
        obj = form.save(commit=False)
        m2m = {name: list(form.cleaned_data.get(name) or []) for name in m2m_names}
        after = {
            name: (
                sorted(o.pk for o in m2m[name])
                if name in m2m
                else getattr(obj, obj._meta.get_field(name).attname)
            )
            for name in form_fields
        }
        changes = {
            name: [_json_value(before.get(name)), _json_value(after[name])]
            for name in form_fields
            if instance is None or before.get(name) != after[name]
        }
        if instance is not None and not changes:
            result.unchanged += 1
            continue
        pending.append(_Pending(row, obj, m2m, changes, created=instance is None))

    result.created = sum(1 for p in pending if p.created)
    result.updated = sum(1 for p in pending if not p.created)
    if result.errors or dry_run or not pending:
        return result
    with transaction.atomic(), acting_as(user):
        _write(importer, pending, user)
    return result


def _write(importer: Importer, pending: list[_Pending], user) -> None:
    model = importer.model
    now = timezone.now()
    created = [p.instance for p in pending if p.created]
    updated = [p.instance for p in pending if not p.created]
    for obj in created:
        obj.version = 1
    for obj in updated:
        obj.version += 1
        obj.updated_at = now
    for obj in created + updated:
        if isinstance(obj, SearchableModel):
            obj.refresh_search_text()
    model._default_manager.bulk_create(created, batch_size=BATCH_SIZE)
    concrete = [
        c.name
        for c in importer.columns
        if not c.ignored and not model._meta.get_field(c.name).many_to_many
    ]
    update_fields = [*concrete, "version", "updated_at"]
    if issubclass(model, SearchableModel):
        update_fields.append("search_text")
    model._default_manager.bulk_update(updated, update_fields, batch_size=BATCH_SIZE)

    for name in {n for p in pending for n in p.m2m}:
        through = model._meta.get_field(name).remote_field.through
        source = model._meta.get_field(name).m2m_field_name()
        target = model._meta.get_field(name).m2m_reverse_field_name()
        touched = [p for p in pending if name in p.changes]
        pks = [p.instance.pk for p in touched if not p.created]
        for start in range(0, len(pks), BATCH_SIZE):
            through.objects.filter(**{f"{source}_id__in": pks[start : start + BATCH_SIZE]}).delete()
        through.objects.bulk_create(
            [
                through(**{f"{source}_id": p.instance.pk, f"{target}_id": other.pk})
                for p in touched
                for other in p.m2m[name]
            ],
            batch_size=BATCH_SIZE,
        )

    # Re-check inside the transaction: every written row must still be the user's to edit.
    pks = [p.instance.pk for p in pending]
    still = 0
    for start in range(0, len(pks), BATCH_SIZE):
        still += access.editable(model, user).filter(pk__in=pks[start : start + BATCH_SIZE]).count()
    if still != len(pks):
        raise PermissionDenied("out of scope after import")
    _write_audit(model, pending, user)


def _write_audit(model, pending: list[_Pending], user) -> None:
    """One LogEntry per written row, shaped like auditlog's own (bulk paths skip its signals)."""
    if not auditlog.contains(model):
        return
    content_type = ContentType.objects.get_for_model(model)
    entries = [
        LogEntry(
            content_type=content_type,
            object_pk=str(p.instance.pk),
            object_id=p.instance.pk,
            object_repr=str(p.instance)[:200],
            action=LogEntry.Action.CREATE if p.created else LogEntry.Action.UPDATE,
            changes={
                name: [_audit_str(old), _audit_str(new)] for name, (old, new) in p.changes.items()
            },
            changes_text="",
            actor=user,
            actor_email=getattr(user, "email", None) or None,
        )
        for p in pending
    ]
    LogEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)


def _audit_str(value: Any) -> str | None:
    if value is None:
        return "None"
    if isinstance(value, (decimal.Decimal, int, float, bool)):
        return str(value)
    return force_str(value)


# --- writing workbooks ------------------------------------------------------------------------


def _write_workbook(handle, *, columns, rows: Iterable[list[Any]], title: str) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=force_str(title)[:31] or "Sheet1")
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=force_str(column.label))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([cell_value(value) for value in row])
    workbook.save(handle)


def template_workbook(kind: str, handle, *, user) -> None:
    """An empty import file: the header in the active language and one example row."""
    importer = get_importer(kind)(user)
    columns = [c for c in importer.columns if not c.ignored]
    example = [c.example for c in columns]
    _write_workbook(handle, columns=columns, rows=[example], title=force_str(importer.title))


def write_export(kind: str, handle, *, user, queryset=None, params: dict | None = None) -> int:
    """Export the rows the user may see (optionally pre-filtered) in the import's own format,
    so that the file re-imports unchanged. Returns the number of rows written."""
    importer = get_importer(kind)(user)
    if queryset is None:
        queryset = importer.export_queryset(params or {})
    columns = importer.export_columns()
    count = 0

    def rows():
        nonlocal count
        for obj in queryset.iterator(chunk_size=BATCH_SIZE):
            count += 1
            yield [
                c.from_object(obj, importer) if c.from_object else getattr(obj, c.name)
                for c in columns
            ]

    _write_workbook(handle, columns=columns, rows=rows(), title=force_str(importer.title))
    return count


# --- helpers for columns ----------------------------------------------------------------------


def choice_to_form(choices) -> Callable[[Any, Importer], str]:
    """A choice cell may hold the stored value or its label in any of the three languages."""

    def convert(value: Any, importer: Importer) -> str:
        if _is_blank(value):
            return ""
        wanted = fold(force_str(value))
        for stored, label in choices:
            if wanted == fold(stored):
                return stored
            for language in _LANGUAGES:
                with translation.override(language):
                    if wanted == fold(force_str(label)):
                        return stored
        raise ValidationError(
            gettext_lazy("“%(value)s” is not one of the allowed values: %(allowed)s."),
            params={
                "value": value,
                "allowed": ", ".join(force_str(label) for _s, label in choices),
            },
        )

    return convert


def choice_label(name: str) -> Callable[[models.Model, Importer], str]:
    def label(obj: models.Model, importer: Importer) -> str:
        return force_str(getattr(obj, f"get_{name}_display")()) if getattr(obj, name) else ""

    return label


def text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def lookup(cache_name: str, message, *, upper: bool = True) -> Callable[[Any, Importer], Any]:
    """A cell holding a code (or a user name) of a record preloaded in importer.cache."""

    def convert(value: Any, importer: Importer) -> Any:
        key = text(value).upper() if upper else text(value)
        if not key:
            return ""
        found = importer.cache[cache_name].get(key)
        if found is None:
            raise ValidationError(message, params={"code": value})
        return found.pk

    return convert


def related_attr(name: str, attribute: str = "code") -> Callable[[models.Model, Importer], str]:
    def value(obj: models.Model, importer: Importer) -> str:
        related = getattr(obj, name)
        return getattr(related, attribute) if related is not None else ""

    return value


def chain_node_pk(token: str, importer: Importer) -> int:
    """A chain node by its code, or INDUSTRY/NODE where the code exists in several industries.
    Needs importer.cache["nodes"]: code -> [nodes]."""
    token = token.strip().upper()
    if "/" in token:
        industry_code, node_code = (part.strip() for part in token.split("/", 1))
        found = [
            node
            for node in importer.cache["nodes"].get(node_code, [])
            if node.industry.code == industry_code
        ]
    else:
        found = importer.cache["nodes"].get(token, [])
    if not found:
        raise ValidationError(
            gettext_lazy("no chain node has the code “%(code)s”."), params={"code": token}
        )
    if len(found) > 1:
        raise ValidationError(
            gettext_lazy(
                "the chain node code “%(code)s” is used in several industries; write it "
                "as INDUSTRY/NODE."
            ),
            params={"code": token},
        )
    return found[0].pk


def chain_node_code(node, importer: Importer) -> str:
    """The code an export writes for a node: INDUSTRY/NODE only where the code is ambiguous.
    Needs importer.cache["node_code_counts"]: code -> number of nodes with it."""
    if importer.cache["node_code_counts"].get(node.code, 0) <= 1:
        return node.code
    return f"{node.industry.code}/{node.code}"


def text_cell(value: Any, importer: Importer) -> str:
    """A free-text column."""
    return text(value)
