"""One shift: assignment (never breaking a rule), check-in and check-out, swaps, and the
person's calendar feed."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike, actor
from vcassure.core import clock
from vcassure.core.agenda import agenda_items
from vcassure.core.errors import ConflictError, InvalidInputError
from vcassure.core.services import audit_record
from vcassure.duty.models import (
    CalendarFeed,
    DutyRule,
    Shift,
    ShiftSwap,
    new_feed_token,
)
from vcassure.duty.permissions import own_staff_id
from vcassure.duty.roster import build_schedules
from vcassure.duty.rules import Limits, Schedule, rule_message
from vcassure.duty.services._common import CHECK_IN_EARLY, require_manager, shift_topic
from vcassure.notifications.services import notifications_cancel
from vcassure.orgs.models import Staff

# --- Assigning one shift ------------------------------------------------------------------------


def shift_rule_problem(
    shift: Shift, staff: Staff, *, ignore_shift_ids: frozenset[int] = frozenset()
) -> str | None:
    """The rule (in Chinese) that giving `shift` to `staff` would break, or None."""
    rule = DutyRule.current()
    limits = Limits.of(rule)
    margin = limits.max_consecutive + limits.min_rest
    start, end = shift.starts_at - margin, shift.ends_at + margin
    busy = [
        (staff.pk, s, e)
        for s, e in Shift.objects.filter(assignee=staff, starts_at__lt=end, ends_at__gt=start)
        .exclude(pk__in={shift.pk, *ignore_shift_ids})
        .values_list("starts_at", "ends_at")
    ]
    agenda = agenda_items({staff.pk}, start, end) if rule.count_agenda else []
    schedule = build_schedules(busy, agenda).get(staff.pk) or Schedule()
    code = schedule.problem(shift.starts_at, shift.ends_at, limits)
    return rule_message(code, limits) if code else None


def _assignable(shift: Shift, staff: Staff, **kwargs) -> None:
    if not staff.is_active:
        raise InvalidInputError(
            _("%(name)s 已停用，不能排班。") % {"name": staff.name},
            errors=[{"field": "assignee", "message": _("人员已停用。")}],
        )
    problem = shift_rule_problem(shift, staff, **kwargs)
    if problem:
        raise ConflictError(
            _("不能安排 %(name)s：%(rule)s。") % {"name": staff.name, "rule": problem},
            errors=[{"field": "assignee", "rule": problem, "message": problem}],
            code="roster_rule",
        )


@transaction.atomic
def shift_assign(shift: Shift, *, by: UserLike, assignee: Staff | None) -> Shift:
    """Give the shift to a person (or leave it empty). A rule the assignment would break is a 409
    naming the rule; nothing changes."""
    require_manager(by)
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    if shift.ends_at <= clock.now():
        raise ConflictError(_("该班次已结束，不能再调整。"), code="shift_over")
    if shift.checked_in_at is not None and (assignee is None or assignee.pk != shift.assignee_id):
        raise ConflictError(_("值班人员已签到，不能更换。"), code="checked_in")
    if assignee is not None:
        _assignable(shift, assignee)
    before = shift.assignee_id
    shift.assignee = assignee
    shift.save(update_fields=["assignee", "updated_at"])
    audit_record(
        actor=by,
        action="shift.assign",
        obj=shift,
        changes={"assignee": [before, assignee.pk if assignee else None]},
    )
    return shift


# --- Check-in and check-out -------------------------------------------------------------------


def _location(lat: float | None, lng: float | None) -> dict | None:
    if lat is None and lng is None:
        return None
    if lat is None or lng is None or not (-90 <= lat <= 90) or not (-180 <= lng <= 180):
        raise InvalidInputError(
            _("位置无效。"), errors=[{"field": "lat", "message": _("纬度或经度超出范围。")}]
        )
    return {"lat": round(lat, 6), "lng": round(lng, 6)}


def _own_shift(shift: Shift, by: UserLike) -> Shift:
    staff_id = own_staff_id(by)
    if staff_id is None or staff_id != shift.assignee_id:
        raise PermissionDenied(_("只有本班次的值班人员可以签到和签退。"))
    return Shift.objects.select_for_update().get(pk=shift.pk)


@transaction.atomic
def shift_check_in(
    shift: Shift, *, by: UserLike, lat: float | None = None, lng: float | None = None
) -> Shift:
    """The person is on site. Idempotent; from an hour before the start until the end. Any
    missed-check-in notice about the shift stops climbing the ladder."""
    shift = _own_shift(shift, by)
    if shift.checked_in_at is not None:
        return shift
    now = clock.now()
    location = _location(lat, lng)
    if now < shift.starts_at - CHECK_IN_EARLY:
        raise ConflictError(_("还未到签到时间(开班前 1 小时起可签到)。"), code="too_early")
    if now >= shift.ends_at:
        raise ConflictError(_("该班次已结束，不能签到。"), code="shift_over")
    shift.checked_in_at = now
    shift.check_in_location = location
    shift.save(update_fields=["checked_in_at", "check_in_location", "updated_at"])
    notifications_cancel(topic=shift_topic(shift.pk))
    audit_record(actor=by, action="shift.check_in", obj=shift, changes={"location": location})
    return shift


@transaction.atomic
def shift_check_out(
    shift: Shift, *, by: UserLike, lat: float | None = None, lng: float | None = None
) -> Shift:
    shift = _own_shift(shift, by)
    if shift.checked_out_at is not None:
        return shift
    if shift.checked_in_at is None:
        raise ConflictError(_("尚未签到，不能签退。"), code="not_checked_in")
    location = _location(lat, lng)
    shift.checked_out_at = clock.now()
    shift.check_out_location = location
    shift.save(update_fields=["checked_out_at", "check_out_location", "updated_at"])
    audit_record(actor=by, action="shift.check_out", obj=shift, changes={"location": location})
    return shift


# --- Swaps ---------------------------------------------------------------------------------------


@transaction.atomic
def shift_swap_request(shift: Shift, *, by: UserLike, taker: Staff, reason: str = "") -> ShiftSwap:
    """The shift's person asks another to take it."""
    staff_id = own_staff_id(by)
    if staff_id is None or staff_id != shift.assignee_id:
        raise PermissionDenied(_("只有本班次的值班人员可以申请换班。"))
    if shift.starts_at <= clock.now():
        raise ConflictError(_("班次已开始，不能再换班。"), code="shift_started")
    if taker.pk == staff_id:
        raise InvalidInputError(
            _("不能换给自己。"), errors=[{"field": "taker", "message": _("请选择另一位人员。")}]
        )
    if ShiftSwap.objects.filter(shift=shift, state__in=ShiftSwap.OPEN_STATES).exists():
        raise ConflictError(_("该班次已有进行中的换班申请。"), code="swap_open")
    _assignable(shift, taker)
    swap = ShiftSwap.objects.create(
        shift=shift, requested_by_id=staff_id, taker=taker, reason=(reason or "").strip()[:200]
    )
    audit_record(actor=by, action="shift_swap.request", obj=swap, changes={"taker": taker.pk})
    return swap


def _swap_move(swap: ShiftSwap, *, by: UserLike, to: str, action: str) -> ShiftSwap:
    swap.state = to
    swap.decided_by = actor(by)
    swap.decided_at = clock.now()
    swap.save(update_fields=["state", "decided_by", "decided_at", "updated_at"])
    audit_record(actor=by, action=action, obj=swap, changes={"state": to})
    return swap


@transaction.atomic
def shift_swap_answer(swap: ShiftSwap, *, by: UserLike, accept: bool) -> ShiftSwap:
    """The person asked accepts (it goes to the county dispatcher) or declines."""
    swap = ShiftSwap.objects.select_for_update().get(pk=swap.pk)
    if own_staff_id(by) != swap.taker_id:
        raise PermissionDenied(_("只有被邀请的人员可以答复换班。"))
    if swap.state != ShiftSwap.State.REQUESTED:
        raise ConflictError(_("该换班申请已处理。"), code="swap_done")
    to = ShiftSwap.State.ACCEPTED if accept else ShiftSwap.State.DECLINED
    return _swap_move(swap, by=by, to=to, action="shift_swap.answer")


@transaction.atomic
def shift_swap_decide(swap: ShiftSwap, *, by: UserLike, approve: bool) -> ShiftSwap:
    """The county dispatcher approves (the shift changes hands, rules checked again) or rejects."""
    require_manager(by)
    swap = ShiftSwap.objects.select_for_update().get(pk=swap.pk)
    if swap.state != ShiftSwap.State.ACCEPTED:
        raise ConflictError(_("该换班申请不在待审批状态。"), code="swap_not_accepted")
    if not approve:
        return _swap_move(swap, by=by, to=ShiftSwap.State.REJECTED, action="shift_swap.reject")
    shift = Shift.objects.select_for_update().get(pk=swap.shift_id)
    if shift.assignee_id != swap.requested_by_id or shift.starts_at <= clock.now():
        raise ConflictError(_("班次已变动，不能再按此申请换班。"), code="swap_stale")
    _assignable(shift, swap.taker)
    shift.assignee = swap.taker
    shift.save(update_fields=["assignee", "updated_at"])
    audit_record(
        actor=by,
        action="shift.assign",
        obj=shift,
        changes={"assignee": [swap.requested_by_id, swap.taker_id], "swap": swap.pk},
    )
    return _swap_move(swap, by=by, to=ShiftSwap.State.APPROVED, action="shift_swap.approve")


# --- Calendar feeds -----------------------------------------------------------------------------


def calendar_feed_for(staff: Staff) -> CalendarFeed:
    """The person's feed, created the first time it is asked for."""
    feed, _created = CalendarFeed.objects.get_or_create(staff=staff)
    return feed


@transaction.atomic
def calendar_feed_reset(staff: Staff, *, by: UserLike) -> CalendarFeed:
    """A new secret address; the old one answers 404 from now on."""
    feed = calendar_feed_for(staff)
    feed.token = new_feed_token()
    feed.save(update_fields=["token", "updated_at"])
    audit_record(actor=by, action="calendar_feed.reset", obj=staff)
    return feed
