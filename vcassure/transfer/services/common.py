"""What every importer shares: the result, the user's scope, and mapping model errors to cells."""

from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike
from vcassure.orgs.models import OrgUnit, Staff
from vcassure.orgs.scoping import sees_everything
from vcassure.transfer.services.workbook import RowError, RowReader


@dataclass
class ImportResult:
    """What an import did, or, when `errors` is not empty, why it wrote nothing."""

    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class RollbackImport(Exception):
    """Raised inside the import transaction to undo everything when a write is refused."""

    def __init__(self, errors: list[RowError]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class Scope:
    """The org units an importer may write into, and the units whose people it may reference
    (its own subtree and the units above it: a county's staff may report to the city)."""

    is_everything: bool
    visible_unit_ids: set[int]
    reachable_unit_ids: set[int]

    @classmethod
    def of(cls, user: UserLike) -> "Scope":
        visible = OrgUnit.objects.visible_to(user).values_list("id", "path")
        visible_ids: set[int] = set()
        reachable: set[int] = set()
        for pk, path in visible:
            visible_ids.add(pk)
            reachable.update(OrgUnit.path_ids(path))
        return cls(
            is_everything=sees_everything(user),
            visible_unit_ids=visible_ids,
            reachable_unit_ids=reachable | visible_ids,
        )

    def may_reference(self, staff: Staff) -> bool:
        return staff.org_unit_id in self.reachable_unit_ids


def validation_errors_to_rows(
    exc: ValidationError, *, row: int, headers: dict[str, str], fallback: str
) -> list[RowError]:
    """A model's full_clean() refusal, as row errors against the matching columns."""
    errors: list[RowError] = []
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            column = headers.get(name, fallback) if name != NON_FIELD_ERRORS else fallback
            errors.extend(RowError(row, column, str(message)) for message in messages)
    else:
        errors.extend(RowError(row, fallback, str(message)) for message in exc.messages)
    return errors


def org_unit_cell(reader: RowReader, units: dict[str, OrgUnit], scope: Scope) -> OrgUnit | None:
    """The org unit a row names by code: it must exist and lie inside the importer's subtree."""
    code = reader.text("org_unit", required=True, max_length=12)
    if not code:
        return None
    unit = units.get(code)
    if unit is None:
        reader.error("org_unit", _("组织单元不存在"))
    elif unit.pk not in scope.visible_unit_ids:
        reader.error("org_unit", _("组织单元不在您的管辖范围内"))
        return None
    return unit
