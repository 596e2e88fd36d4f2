"""Excel export of a list page's filtered rows; written to a temporary file, never held in RAM."""

import datetime
import tempfile

from django.http import FileResponse
from django.utils import timezone
from django.utils.encoding import force_str
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

EXPORT_BATCH = 2000
MAX_EXPORT_ROWS = 1_000_000


def cell_value(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, datetime.date):
        return value
    text = force_str(value)
    # A leading =, +, - or @ would be read as a formula by spreadsheet programs.
    if text[:1] in ("=", "+", "-", "@"):
        text = "'" + text
    return text


def xlsx_response(*, queryset, columns, filename: str, sheet_title: str) -> FileResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=force_str(sheet_title)[:31])
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=force_str(column.label))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for obj in queryset[:MAX_EXPORT_ROWS].iterator(chunk_size=EXPORT_BATCH):
        sheet.append([cell_value(column.get(obj)) for column in columns])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
