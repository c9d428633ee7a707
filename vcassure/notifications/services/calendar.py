import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike
from vcassure.core import clock
from vcassure.core.errors import InvalidInputError
from vcassure.core.services import audit_record, model_changes
from vcassure.notifications.models import WorkingCalendarDay

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_IMPORT_ROWS = 1000
NOTE_MAX_LENGTH = WorkingCalendarDay._meta.get_field("note").max_length or 100

WorkingDayRow = tuple[datetime.date, bool, str]


def _check_can_edit_calendar(user: UserLike) -> None:
    if not (user.is_authenticated and user.is_administrator):
        raise PermissionDenied(_("只有系统管理员可以修改工作日历。"))


def _date_problem(value: Any) -> str:
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        return _("日期无效。")
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return _("年份应在 %(min)d 到 %(max)d 之间。") % {"min": MIN_YEAR, "max": MAX_YEAR}
    return ""


def _row_problems(date: Any, is_workday: Any, note: Any) -> list[str]:
    problems = []
    if problem := _date_problem(date):
        problems.append(problem)
    if not isinstance(is_workday, bool):
        problems.append(_("请指明当天上班还是休息。"))
    if not isinstance(note, str):
        problems.append(_("说明必须是文字。"))
    elif len(note.strip()) > NOTE_MAX_LENGTH:
        problems.append(_("说明不能超过 %(max)d 个字。") % {"max": NOTE_MAX_LENGTH})
    return problems


def working_days_validate(rows: list[Any]) -> list[dict[str, Any]]:
    """Problems with rows of (date, is_workday, note), as [{"row": 1-based index, "message"}];
    empty when they can all be entered. Pure: the import page uses it to report every problem
    at once, line by line."""
    errors: list[dict[str, Any]] = []
    if not rows:
        return [{"row": 0, "message": _("没有可录入的日期。")}]
    if len(rows) > MAX_IMPORT_ROWS:
        return [{"row": 0, "message": _("一次最多录入 %(max)d 天。") % {"max": MAX_IMPORT_ROWS}}]
    seen: set[datetime.date] = set()
    for index, row in enumerate(rows, start=1):
        try:
            date, is_workday, note = row
        except (TypeError, ValueError):
            errors.append({"row": index, "message": _("每条记录应为：日期、是否上班、说明。")})
            continue
        errors.extend({"row": index, "message": m} for m in _row_problems(date, is_workday, note))
        if isinstance(date, datetime.date) and date in seen:
            errors.append(
                {
                    "row": index,
                    "message": _("日期 %(date)s 出现了不止一次。") % {"date": date.isoformat()},
                }
            )
        elif isinstance(date, datetime.date):
            seen.add(date)
    return errors


@transaction.atomic
def working_day_set(
    *, by: UserLike, date: datetime.date, is_workday: bool, note: str = ""
) -> WorkingCalendarDay:
    """Make `date` a workday or a holiday whatever chinese-calendar says."""
    _check_can_edit_calendar(by)
    problems = _row_problems(date, is_workday, note)
    if problems:
        raise InvalidInputError(problems[0], errors=[{"message": p} for p in problems])
    note = note.strip()
    day = WorkingCalendarDay.objects.select_for_update().filter(date=date).first()
    if day is None:
        day = WorkingCalendarDay.objects.create(date=date, is_workday=is_workday, note=note)
        audit_record(
            actor=by,
            action="working_calendar_day.create",
            obj=day,
            changes={"date": date.isoformat(), "is_workday": is_workday, "note": note},
        )
        return day
    before = {"is_workday": day.is_workday, "note": day.note}
    day.is_workday, day.note = is_workday, note
    changes = model_changes(day, ["is_workday", "note"], before)
    if changes:
        day.save(update_fields=["is_workday", "note", "updated_at"])
        audit_record(actor=by, action="working_calendar_day.update", obj=day, changes=changes)
    return day


@transaction.atomic
def working_day_delete(*, by: UserLike, date: datetime.date) -> bool:
    """Remove the override for `date`, so chinese-calendar (or the weekday rule) decides again.
    Returns False when there was none."""
    _check_can_edit_calendar(by)
    if problem := _date_problem(date):
        raise InvalidInputError(problem)
    day = WorkingCalendarDay.objects.select_for_update().filter(date=date).first()
    if day is None:
        return False
    audit_record(
        actor=by,
        action="working_calendar_day.delete",
        obj=day,
        changes={"date": date.isoformat(), "is_workday": day.is_workday, "note": day.note},
    )
    day.delete()
    return True


@dataclass(frozen=True)
class WorkingDaysImportResult:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def working_days_import(*, by: UserLike, rows: list[WorkingDayRow]) -> WorkingDaysImportResult:
    """Enter many dates at once (a year's holiday arrangement): all of them, or none when any
    row is invalid. Existing overrides for those dates are updated; others are left alone."""
    _check_can_edit_calendar(by)
    errors = working_days_validate(rows)
    if errors:
        raise InvalidInputError(
            _("有 %(count)d 处错误，没有写入任何数据。") % {"count": len(errors)}, errors=errors
        )
    existing = {
        d.date: d
        for d in WorkingCalendarDay.objects.select_for_update().filter(
            date__in=[r[0] for r in rows]
        )
    }
    to_create, to_update, changes = [], [], {}
    now = clock.now()
    for date, is_workday, note in rows:
        note = note.strip()
        day = existing.get(date)
        if day is None:
            to_create.append(WorkingCalendarDay(date=date, is_workday=is_workday, note=note))
            changes[date.isoformat()] = [None, {"is_workday": is_workday, "note": note}]
        elif (day.is_workday, day.note) != (is_workday, note):
            changes[date.isoformat()] = [
                {"is_workday": day.is_workday, "note": day.note},
                {"is_workday": is_workday, "note": note},
            ]
            day.is_workday, day.note, day.updated_at = is_workday, note, now
            to_update.append(day)
    WorkingCalendarDay.objects.bulk_create(to_create)
    WorkingCalendarDay.objects.bulk_update(to_update, ["is_workday", "note", "updated_at"])
    result = WorkingDaysImportResult(
        created=len(to_create),
        updated=len(to_update),
        unchanged=len(rows) - len(to_create) - len(to_update),
    )
    if changes:
        years = sorted({r[0].year for r in rows})
        audit_record(
            actor=by,
            action="working_calendar_day.import",
            object_type=WorkingCalendarDay._meta.label_lower,
            object_repr=_("工作日历 %(years)s 年：新增 %(created)d 天，修改 %(updated)d 天")
            % {
                "years": "、".join(str(y) for y in years),
                "created": result.created,
                "updated": result.updated,
            },
            changes=changes,
        )
    return result
