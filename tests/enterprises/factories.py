"""Helpers for import tests: workbooks built in memory (openpyxl write_only, fast)."""

import io

from openpyxl import Workbook, load_workbook


def xlsx_file(rows: list[list], name: str = "enterprises.xlsx") -> io.BytesIO:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Sheet1")
    for row in rows:
        sheet.append(row)
    handle = io.BytesIO()
    workbook.save(handle)
    handle.seek(0)
    handle.name = name
    return handle


def read_xlsx(data: bytes) -> list[list]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


HEADER_EN = ["Name", "Tax code", "Locality code", "Status"]
