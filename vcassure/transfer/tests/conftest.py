import io

import openpyxl
import pytest

from vcassure.transfer.services import KINDS
from vcassure.venues.models import CustomerSystem


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


@pytest.fixture
def systems(db) -> dict[str, CustomerSystem]:
    """The customer systems (a data migration creates the default ones)."""
    for code, name in (("water", "水利"), ("finance", "财政"), ("government", "政务")):
        CustomerSystem.objects.get_or_create(code=code, defaults={"name": name})
    return {system.code: system for system in CustomerSystem.objects.all()}
