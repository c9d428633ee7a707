"""Spreadsheets for the import and export tests."""

import io

import openpyxl

from vcassure.transfer.services import KINDS


def xlsx(kind: str, rows: list[list[object]], headers: list[str] | None = None) -> bytes:
    """A workbook with the header row of `kind` (or `headers`) and `rows` below it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers if headers is not None else [column.header for column in KINDS[kind].columns])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def read_xlsx(data: bytes) -> list[list[str]]:
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    return [
        ["" if value is None else str(value) for value in row]
        for row in ws.iter_rows(values_only=True)
    ]
