"""Periods: create one (validated whole, every shift laid out, filled by the suggester and
written in bulk) and fill the empty shifts of one later."""

from collections import defaultdict
from datetime import date, datetime

from django.db import connection, transaction
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike, actor
from vcassure.core import clock
from vcassure.core.agenda import agenda_items
from vcassure.core.errors import InvalidInputError
from vcassure.core.services import audit_record
from vcassure.duty.models import (
    DutyRule,
    Shift,
    SpecialPeriod,
)
from vcassure.duty.roster import Slot, build_schedules, parse_hhmm, pool_unit_id, shift_windows
from vcassure.duty.roster import suggest as roster_suggest
from vcassure.duty.rules import Limits
from vcassure.duty.services._common import require_manager
from vcassure.duty.venue_choice import venues_choose
from vcassure.orgs.models import OrgUnit, Staff
from vcassure.orgs.scoping import scope_unit, sees_everything
from vcassure.venues.models import Venue

MAX_PERIOD_DAYS = 92
MAX_WINDOWS = 4
BULK = 2000


def _validate_duty_hours(mode: str, duty_hours, errors: list[dict]) -> list[dict]:
    if mode != SpecialPeriod.Mode.DUTY_HOURS:
        return []
    if not isinstance(duty_hours, list) or not duty_hours:
        errors.append({"field": "duty_hours", "message": _("客户值班时段模式需要至少一个时段。")})
        return []
    if len(duty_hours) > MAX_WINDOWS:
        errors.append(
            {
                "field": "duty_hours",
                "message": _("每天最多 %(n)s 个值班时段。") % {"n": MAX_WINDOWS},
            }
        )
        return []
    clean: list[dict] = []
    for i, w in enumerate(duty_hours, start=1):
        try:
            start, end = parse_hhmm(str(w["start"])), parse_hhmm(str(w["end"]))
        except (KeyError, TypeError, ValueError):
            errors.append(
                {
                    "field": "duty_hours",
                    "message": _('第 %(i)s 个时段格式应为 {"start": "08:00", "end": "20:00"}。')
                    % {"i": i},
                }
            )
            continue
        if start == end:
            errors.append(
                {
                    "field": "duty_hours",
                    "message": _("第 %(i)s 个时段的开始和结束相同。") % {"i": i},
                }
            )
            continue
        clean.append({"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")})
    # Windows of one day may not overlap (in minutes from midnight, a window past midnight wraps).
    spans = []
    for w in clean:
        a = parse_hhmm(w["start"])
        b = parse_hhmm(w["end"])
        s, e = a.hour * 60 + a.minute, b.hour * 60 + b.minute
        if e <= s:
            e += 24 * 60
        spans += [(s, e), (s + 1440, e + 1440)]
    spans.sort()
    if any(spans[i][1] > spans[i + 1][0] for i in range(len(spans) - 1)):
        errors.append({"field": "duty_hours", "message": _("值班时段不能相互重叠。")})
    return clean


@transaction.atomic
def special_period_create(
    *,
    by: UserLike,
    name: str,
    starts_on: date | None,
    ends_on: date | None,
    mode: str,
    duty_hours: list | None,
    shift_hours: int | None,
    venues: list[int] | None = None,
    venue_filter: dict | None = None,
    suggest: bool = True,
) -> SpecialPeriod:
    """Validate everything, then write the period, its venues and every shift (filled by the
    suggester unless told not to) in one transaction: nothing half-written."""
    require_manager(by)
    errors: list[dict] = []
    name = (name or "").strip()
    if not name:
        errors.append({"field": "name", "message": _("请填写时期名称。")})
    elif len(name) > 100:
        errors.append({"field": "name", "message": _("时期名称不能超过 100 个字。")})
    if starts_on is None:
        errors.append({"field": "starts_on", "message": _("请填写开始日期。")})
    if ends_on is None:
        errors.append({"field": "ends_on", "message": _("请填写结束日期。")})
    if starts_on and ends_on:
        if ends_on < starts_on:
            errors.append({"field": "ends_on", "message": _("结束日期不能早于开始日期。")})
        elif (ends_on - starts_on).days + 1 > MAX_PERIOD_DAYS:
            errors.append(
                {
                    "field": "ends_on",
                    "message": _("一个时期最长 %(n)s 天。") % {"n": MAX_PERIOD_DAYS},
                }
            )
        if starts_on < clock.localnow().date():
            errors.append({"field": "starts_on", "message": _("开始日期不能早于今天。")})
    if mode not in SpecialPeriod.Mode.values:
        errors.append({"field": "mode", "message": _("模式应为 24x7 或 duty_hours。")})
    if shift_hours not in SpecialPeriod.SHIFT_HOURS:
        errors.append({"field": "shift_hours", "message": _("班次时长应为 8 或 12 小时。")})
    clean_hours = _validate_duty_hours(mode, duty_hours, errors)
    venue_ids, venue_errors = venues_choose(user=by, venues=venues, venue_filter=venue_filter)
    errors += venue_errors
    owner = scope_unit(by)
    if owner is None and sees_everything(by):
        owner = OrgUnit.objects.filter(parent__isnull=True).order_by("code").first()
    if owner is None:
        errors.append({"field": "org_unit", "message": _("您的账号未关联组织单元。")})
    if errors:
        raise InvalidInputError(_("特殊时期信息有误，请修改后重试。"), errors=errors)
    assert starts_on and ends_on and shift_hours and owner
    period = SpecialPeriod.objects.create(
        name=name,
        org_unit=owner,
        starts_on=starts_on,
        ends_on=ends_on,
        mode=mode,
        duty_hours=clean_hours,
        shift_hours=shift_hours,
        created_by=actor(by),
    )
    period.venues.set(venue_ids)
    windows = shift_windows(
        starts_on=starts_on,
        ends_on=ends_on,
        mode=mode,
        duty_hours=clean_hours,
        shift_hours=shift_hours,
    )
    slots = [
        Slot(key=i, venue_id=v, starts_at=s, ends_at=e)
        for i, (v, (s, e)) in enumerate((v, w) for v in venue_ids for w in windows)
    ]
    filled = _suggest_slots(slots) if suggest else 0
    _insert_shifts(period, slots)
    audit_record(
        actor=by,
        action="special_period.create",
        obj=period,
        changes={"venues": len(venue_ids), "shifts": len(slots), "suggested": filled},
    )
    return period


def _insert_shifts(period: SpecialPeriod, slots: list[Slot]) -> None:
    """Write the laid-out shifts in batched multi-row INSERTs of the seven columns they have. A
    period of 500 venues for 30 days is 45,000 rows: through bulk_create, Django prepares every
    field of every row (ten datetimes each), which costs more than the whole plan; here each of the
    period's few distinct times is adapted once and shared by every venue's row."""
    if not slots:
        return
    ops = connection.ops
    now = ops.adapt_datetimefield_value(clock.now())
    adapted: dict[datetime, object] = {}

    def at(value: datetime):
        found = adapted.get(value)
        if found is None:
            found = adapted[value] = ops.adapt_datetimefield_value(value)
        return found

    meta = Shift._meta
    columns = ["period", "venue", "starts_at", "ends_at", "assignee", "created_at", "updated_at"]
    names = ", ".join(ops.quote_name(meta.get_field(c).column or c) for c in columns)  # type: ignore[union-attr]
    table = ops.quote_name(meta.db_table)
    rows = [
        (period.pk, s.venue_id, at(s.starts_at), at(s.ends_at), s.assignee_id, now, now)
        for s in slots
    ]
    if connection.vendor == "postgresql":
        # COPY: PostgreSQL's bulk load, several times faster than INSERT for tens of thousands of rows.
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    max_params = connection.features.max_query_params
    per_statement = max_params // len(columns) if max_params else BULK
    with connection.cursor() as cursor:
        for i in range(0, len(rows), per_statement):
            batch = rows[i : i + per_statement]
            values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {values}",  # noqa: S608  # nosec B608: names from the model, values bound
                [v for row in batch for v in row],
            )


def _suggest_slots(slots: list[Slot], *, exclude_period: SpecialPeriod | None = None) -> int:
    """Load what the suggester needs for these slots (candidates per venue, everyone's existing
    shifts and agenda) in a fixed number of queries, then fill the empty slots."""
    if not slots:
        return 0
    rule = DutyRule.current()
    limits = Limits.of(rule)
    venue_ids = {s.venue_id for s in slots}
    venues = list(
        Venue.objects.filter(pk__in=venue_ids).values_list(
            "id", "primary_staff_id", "backup_staff_id", "org_unit__path"
        )
    )
    pool_units = {pool_unit_id(path) for _v, _p, _b, path in venues}
    pools: dict[int, list[int]] = defaultdict(list)
    for staff_id, unit_id in (
        Staff.objects.filter(org_unit_id__in=pool_units, is_active=True, is_emergency_mobile=True)
        .order_by("code")
        .values_list("id", "org_unit_id")
    ):
        pools[unit_id].append(staff_id)
    named = {x for _v, p, b, _path in venues for x in (p, b) if x}
    active = set(Staff.objects.filter(pk__in=named, is_active=True).values_list("id", flat=True))
    candidates: dict[int, list[int]] = {}
    for venue_id, primary, backup, path in venues:
        order = [x for x in (primary, backup) if x in active]
        order += [x for x in pools[pool_unit_id(path)] if x not in order]
        candidates[venue_id] = order
    everyone = {x for c in candidates.values() for x in c}
    margin = limits.max_consecutive + limits.min_rest
    start = min(s.starts_at for s in slots) - margin
    end = max(s.ends_at for s in slots) + margin
    busy_qs = Shift.objects.filter(assignee_id__in=everyone, starts_at__lt=end, ends_at__gt=start)
    if exclude_period is not None:
        busy_qs = busy_qs.exclude(period=exclude_period)
    busy = list(busy_qs.values_list("assignee_id", "starts_at", "ends_at"))
    busy += [(s.assignee_id, s.starts_at, s.ends_at) for s in slots if s.assignee_id is not None]
    agenda = agenda_items(everyone, start, end) if rule.count_agenda else []
    schedules = build_schedules(busy, agenda)
    return roster_suggest(slots, candidates, schedules, limits)


@transaction.atomic
def period_suggest(period: SpecialPeriod, *, by: UserLike) -> int:
    """Fill the period's empty future shifts; those already assigned stay as they are."""
    require_manager(by)
    now = clock.now()
    rows = list(
        Shift.objects.select_for_update()
        .filter(period=period, starts_at__gt=now)
        .values_list("pk", "venue_id", "starts_at", "ends_at", "assignee_id")
    )
    slots = [
        Slot(key=pk, venue_id=v, starts_at=s, ends_at=e, assignee_id=a) for pk, v, s, e, a in rows
    ]
    empty = {s.key for s in slots if s.assignee_id is None}
    filled = _suggest_slots(slots, exclude_period=period)
    by_person: dict[int, list[int]] = defaultdict(list)
    for slot in slots:
        if slot.key in empty and slot.assignee_id is not None:
            by_person[slot.assignee_id].append(slot.key)
    for staff_id, ids in by_person.items():
        Shift.objects.filter(pk__in=ids, assignee__isnull=True).update(
            assignee_id=staff_id, updated_at=now
        )
    audit_record(actor=by, action="special_period.suggest", obj=period, changes={"filled": filled})
    return filled
