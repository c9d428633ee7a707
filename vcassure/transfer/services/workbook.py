"""Reading and writing the one-sheet workbooks, and turning cells into checked values.

The header row is part of the file format, not of the interface: it stays in Chinese whatever
the interface language, so a file exported by one user imports for every other. Reasons given
to the user go through gettext.
"""

import functools
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import openpyxl
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from vcassure.core.errors import ApplicationError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_DATA_ROWS = 20_000
FILE_LANGUAGE = "zh-hans"  # labels written into files (是/否, 主会场, 县(区), …)
YES, NO = "是", "否"


class ImportFileError(ApplicationError):
    """The file as a whole cannot be read: not an xlsx, empty, wrong header row, too big."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int = 16
    text: bool = False  # format the column as text so Excel keeps codes and numbers as typed


@dataclass(frozen=True)
class RowError:
    """One problem in one cell: the row number as Excel shows it, the column header, the reason."""

    row: int
    column: str
    message: str


def workbook_build(
    *, title: str, columns: Sequence[Column], rows: Iterable[Sequence[object]]
) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    ws.append([column.header for column in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F2")
    ws.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = column.width
        if column.text:
            ws.column_dimensions[letter].number_format = "@"
    text_columns = [column.text for column in columns]
    for row_index, values in enumerate(rows, start=2):
        for col_index, value in enumerate(values, start=1):
            cell = ws.cell(row=row_index, column=col_index, value="" if value is None else value)
            if isinstance(value, str):
                # A value starting with "=" would become a formula (and a vector for formula
                # injection); it is data, so store it as text.
                cell.data_type = "s"
                if text_columns[col_index - 1]:
                    cell.number_format = "@"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def cell_text(value: object) -> str:
    """What a cell says, as text: numbers typed into code or phone columns come back as digits."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


@dataclass
class SheetRow:
    number: int  # as Excel shows it: the header is row 1
    values: dict[str, str]  # column key -> cell text


def workbook_read(data: bytes, columns: Sequence[Column]) -> list[SheetRow]:
    """The data rows of the first sheet, keyed by column. Blank rows are skipped. The header row
    must name exactly the expected columns (in any order)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError(_("文件超过 5 MB 上限，请拆分后分批导入。"))
    expected = "、".join(column.header for column in columns)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises a dozen exception types on a bad file
        raise ImportFileError(_("无法读取文件：请上传 Excel 工作簿（.xlsx）文件。")) from exc
    try:
        return _sheet_rows(wb, columns, expected)
    except ApplicationError:
        raise
    except Exception as exc:  # a damaged sheet inside a valid zip fails while it is read
        raise ImportFileError(_("无法读取文件：Excel 工作簿已损坏。")) from exc
    finally:
        wb.close()


def _sheet_rows(wb, columns: Sequence[Column], expected: str) -> list[SheetRow]:
    if not wb.worksheets:
        raise ImportFileError(
            _("工作簿中没有工作表。第一行应为表头：%(columns)s。") % {"columns": expected}
        )
    rows = wb.worksheets[0].iter_rows(values_only=True)
    header_cells = [cell_text(value) for value in next(rows, None) or ()]
    while header_cells and not header_cells[-1]:
        header_cells.pop()
    if not header_cells:
        raise ImportFileError(
            _("工作表为空。第一行应为表头：%(columns)s。") % {"columns": expected}
        )
    by_header = {column.header: column.key for column in columns}
    positions: dict[str, int] = {}
    unknown = []
    for index, header in enumerate(header_cells):
        if not header:
            continue
        if header not in by_header or by_header[header] in positions:
            unknown.append(header)
        else:
            positions[by_header[header]] = index
    missing = [column.header for column in columns if column.key not in positions]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(_("缺少列：%(columns)s") % {"columns": "、".join(missing)})
        if unknown:
            problems.append(_("无法识别或重复的列：%(columns)s") % {"columns": "、".join(unknown)})
        raise ImportFileError(
            _("表头不正确（%(problems)s）。第一行应为：%(columns)s。")
            % {"problems": "；".join(problems), "columns": expected}
        )
    result: list[SheetRow] = []
    for number, raw in enumerate(rows, start=2):
        texts = {
            key: cell_text(raw[index]) if index < len(raw) else ""
            for key, index in positions.items()
        }
        if not any(texts.values()):
            continue
        if len(result) >= MAX_DATA_ROWS:
            raise ImportFileError(
                _("数据行超过 %(n)s 行，请拆分后分批导入。") % {"n": MAX_DATA_ROWS}
            )
        result.append(SheetRow(number=number, values=texts))
    if not result:
        raise ImportFileError(_("文件中没有数据行：表头之后至少需要一行数据。"))
    return result


def choice_lookup(choices) -> dict[str, str]:
    """{accepted spelling (lower case): stored value} for a TextChoices: the value itself, its
    Chinese label and its label in the current interface language."""
    lookup: dict[str, str] = {}
    for value, label in choices.choices:
        lookup[str(value).lower()] = value
        lookup[str(label).lower()] = value
    with translation.override(FILE_LANGUAGE):
        for value, label in choices.choices:
            lookup[str(label).lower()] = value
    return lookup


def choice_label(choices, value: str) -> str:
    """The Chinese label written into files."""
    return _file_labels(choices)[value]


@functools.cache
def _file_labels(choices) -> dict[str, str]:
    with translation.override(FILE_LANGUAGE):
        return {value: str(label) for value, label in choices.choices}


def flag_text(value: bool) -> str:
    return YES if value else NO


class RowReader:
    """Reads the cells of one row into checked values, collecting a RowError for every bad cell."""

    def __init__(self, row: SheetRow, columns: Sequence[Column], errors: list[RowError]):
        self.row = row
        self.headers = {column.key: column.header for column in columns}
        self.errors = errors
        self.failed = False

    def error(self, key: str, message: str) -> None:
        self.errors.append(RowError(self.row.number, self.headers.get(key, ""), message))
        self.failed = True

    def text(self, key: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.row.values.get(key, "")
        if required and not value:
            self.error(key, _("必填"))
        elif max_length is not None and len(value) > max_length:
            self.error(key, _("内容过长（最多 %(n)s 个字符）") % {"n": max_length})
        return value

    def choice(
        self, key: str, lookup: dict[str, str], message: str, *, blank: str | None = None
    ) -> str:
        """The stored value for a code or label; `blank` is what an empty cell means (None: required)."""
        value = self.row.values.get(key, "")
        if not value:
            if blank is None:
                self.error(key, _("必填"))
                return ""
            return blank
        found = lookup.get(value.lower())
        if found is None:
            self.error(key, message)
            return ""
        return found

    def flag(self, key: str, *, default: bool) -> bool:
        value = self.row.values.get(key, "").lower()
        if not value:
            return default
        if value in {YES, "y", "yes", "true", "1"}:
            return True
        if value in {NO, "n", "no", "false", "0"}:
            return False
        self.error(key, _("应为“是”或“否”"))
        return default

    def mobile(self, key: str) -> str:
        value = re.sub(r"[\s-]", "", self.row.values.get(key, ""))
        if value and not re.fullmatch(r"1\d{10}", value):
            self.error(key, _("手机号格式错误（应为 11 位数字，以 1 开头）"))
        return value

    def email(self, key: str, *, max_length: int) -> str:
        value = self.text(key, max_length=max_length)
        if value:
            try:
                validate_email(value)
            except ValidationError:
                self.error(key, _("邮箱格式错误"))
        return value
