"""Excel import and export of the directory: org units, staff and venues.

An import checks every row first and writes nothing unless the whole file is valid; then it
writes everything in one transaction through the orgs and venues services, and leaves one
summary audit event beside theirs.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vcassure.accounts.permissions import can_import_directory
from vcassure.accounts.types import UserLike
from vcassure.core.errors import ApplicationError
from vcassure.core.services import audit_record
from vcassure.transfer.services import org_units, staff, venues
from vcassure.transfer.services.common import ImportResult, RollbackImport
from vcassure.transfer.services.workbook import (
    MAX_UPLOAD_BYTES,
    Column,
    ImportFileError,
    RowError,
    workbook_build,
    workbook_read,
)

__all__ = [
    "KINDS",
    "MAX_UPLOAD_BYTES",
    "ImportFileError",
    "ImportResult",
    "Kind",
    "RowError",
    "export_workbook",
    "import_workbook",
    "kind_get",
    "template_workbook",
]


@dataclass(frozen=True)
class Kind:
    code: str
    label: object  # lazy translation, for pages
    sheet_title: str  # part of the file format, like the header row
    object_type: str
    columns: list[Column]
    export_rows: Callable[..., list[list[object]]]
    import_rows: Callable[..., ImportResult]


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind(
            "org_units",
            gettext_lazy("组织单元"),
            "组织单元",
            "orgs.orgunit",
            org_units.COLUMNS,
            org_units.export_rows,
            org_units.import_rows,
        ),
        Kind(
            "staff",
            gettext_lazy("人员"),
            "人员",
            "orgs.staff",
            staff.COLUMNS,
            staff.export_rows,
            staff.import_rows,
        ),
        Kind(
            "venues",
            gettext_lazy("会场"),
            "会场",
            "venues.venue",
            venues.COLUMNS,
            venues.export_rows,
            venues.import_rows,
        ),
    )
}


def kind_get(kind: str) -> Kind:
    try:
        return KINDS[kind]
    except KeyError:
        raise ApplicationError(_("未知的导入导出类型。")) from None


def export_workbook(*, kind: str, user: UserLike) -> bytes:
    """Everything of `kind` the user may see, as an xlsx with one sheet and a Chinese header row."""
    spec = kind_get(kind)
    rows = spec.export_rows(user=user)
    audit_record(
        actor=user,
        action="transfer.export",
        object_type=spec.object_type,
        object_repr=spec.sheet_title,
        changes={"kind": kind, "rows": len(rows)},
    )
    return workbook_build(title=spec.sheet_title, columns=spec.columns, rows=rows)


def template_workbook(*, kind: str) -> bytes:
    """An empty file with just the header row."""
    spec = kind_get(kind)
    return workbook_build(title=spec.sheet_title, columns=spec.columns, rows=[])


def import_workbook(*, kind: str, user: UserLike, data: bytes) -> ImportResult:
    """Upsert every row of the file by its natural key, or nothing at all.

    Raises PermissionDenied for a user without the import role and ImportFileError for a file
    that cannot be read as a whole; row problems come back in `ImportResult.errors`."""
    if not can_import_directory(user):
        raise PermissionDenied
    spec = kind_get(kind)
    rows = workbook_read(data, spec.columns)
    try:
        with transaction.atomic():
            result = spec.import_rows(user=user, rows=rows)
            if not result.ok:
                raise RollbackImport(result.errors)
            audit_record(
                actor=user,
                action="transfer.import",
                object_type=spec.object_type,
                object_repr=spec.sheet_title,
                changes={
                    "kind": kind,
                    "rows": result.rows,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
    except RollbackImport as exc:
        return ImportResult(
            kind=kind, rows=len(rows), errors=sorted(exc.errors, key=lambda e: e.row)
        )
    except IntegrityError as exc:
        # Someone else changed the same records while this import ran.
        raise ApplicationError(_("导入与其他人的同时修改冲突，没有写入任何数据，请重试。")) from exc
    return result
