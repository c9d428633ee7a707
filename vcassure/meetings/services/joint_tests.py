"""Joint debugging tests (联调测试, C9): a meeting of kind test whose venues are tested in rounds.
Per venue and round: audio in/out, video in/out (pass/fail) and a note. A venue that fails a round
is tested again in the next round (made when needed) until it passes; a failure opens a fault."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike, actor
from vcassure.core import clock
from vcassure.core.errors import ConflictError, InvalidInputError
from vcassure.core.services import audit_record
from vcassure.core.subjects import subject_ref
from vcassure.faults.models import Fault
from vcassure.faults.services import fault_open
from vcassure.meetings.models import Meeting, SupportTask, TestResult, TestRound
from vcassure.meetings.permissions import can_manage_meetings
from vcassure.meetings.selectors.joint_tests import eligible_rounds, meeting_cities, round_applies
from vcassure.meetings.services._common import check_owner
from vcassure.venues.models import Venue

OPEN_STATES = (Meeting.State.PUBLISHED, Meeting.State.IN_PROGRESS)
CHECK_NAMES = {
    "audio_in": _("音频收"),
    "audio_out": _("音频发"),
    "video_in": _("视频收"),
    "video_out": _("视频发"),
}


@dataclass
class ResultInput:
    venue: int
    round: int
    audio_in: str = ""
    audio_out: str = ""
    video_in: str = ""
    video_out: str = ""
    note: str = ""


def venue_round_eligible(meeting: Meeting, venue: Venue, number: int) -> bool:
    """The first round that applies to the venue (its city's or every venue's) tests it; a later
    one only when it failed its previous applying round."""
    rounds = list(meeting.test_rounds.order_by("number")) or [TestRound(meeting=meeting, number=1)]
    results = {
        r.round.number: r
        for r in TestResult.objects.filter(round__meeting=meeting, venue=venue).select_related(
            "round"
        )
    }
    return number in eligible_rounds(rounds, venue.org_unit.chain_ids, results)


def _check_recorder(meeting: Meeting, user: UserLike, venue_ids: set[int]) -> None:
    if can_manage_meetings(user):
        return
    staff = getattr(user, "staff_profile", None)
    own = (
        set(
            SupportTask.objects.filter(
                meeting=meeting, assignee=staff, venue_id__in=venue_ids
            ).values_list("venue_id", flat=True)
        )
        if staff is not None
        else set()
    )
    if own != venue_ids:
        raise PermissionDenied(_("只有测试协调人或该会场的保障人员可以录入联调结果。"))


@transaction.atomic
def test_results_record(
    meeting: Meeting, *, by: UserLike, rows: list[ResultInput]
) -> list[TestResult]:
    """Record results (one or a whole matrix row). Validated all at once; nothing written when any
    row is wrong. Each newly failed venue gets a fault (minor) and a place in the next round."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.kind != Meeting.Kind.TEST:
        raise ConflictError(_("只有联调测试可以录入测试结果。"), code="not_a_test")
    if meeting.state not in OPEN_STATES:
        raise ConflictError(_("联调测试须已发布且未结束才能录入结果。"), code="not_open")
    venues = {v.pk: v for v in meeting.venues.select_related("org_unit")}
    rounds = {r.number: r for r in meeting.test_rounds.select_related("city")}
    errors: list[dict] = []
    for i, row in enumerate(rows):
        where = f"rows[{i}]"
        if row.venue not in venues:
            errors.append({"field": f"{where}.venue", "message": _("会场不在本次联调测试中。")})
            continue
        if row.round < 1 or (row.round not in rounds and row.round != 1):
            errors.append(
                {"field": f"{where}.round", "message": _("第 %(n)s 轮不存在。") % {"n": row.round}}
            )
            continue
        for check in TestResult.CHECKS:
            if getattr(row, check) not in ("", "pass", "fail"):
                errors.append(
                    {
                        "field": f"{where}.{check}",
                        "message": _("%(c)s 只能是通过或不通过。") % {"c": CHECK_NAMES[check]},
                    }
                )
        other_city = rounds.get(row.round)
        if other_city is not None and not round_applies(
            other_city, venues[row.venue].org_unit.chain_ids
        ):
            errors.append(
                {
                    "field": f"{where}.round",
                    "message": _("%(v)s 不参加第 %(n)s 轮：该轮只测%(city)s的会场。")
                    % {"v": venues[row.venue].name, "n": row.round, "city": other_city.city},
                }
            )
        elif not venue_round_eligible(meeting, venues[row.venue], row.round):
            errors.append(
                {
                    "field": f"{where}.round",
                    "message": _("%(v)s 不参加第 %(n)s 轮（只有上一轮不通过的会场参加重测）。")
                    % {"v": venues[row.venue].name, "n": row.round},
                }
            )
        if "fail" in {getattr(row, c) for c in TestResult.CHECKS} and not row.note.strip():
            errors.append(
                {
                    "field": f"{where}.note",
                    "message": _("%(v)s 不通过，请填写现象说明。") % {"v": venues[row.venue].name},
                }
            )
    if errors:
        raise InvalidInputError(errors[0]["message"], errors=errors)
    _check_recorder(meeting, by, {r.venue for r in rows})
    now = clock.now()
    if 1 not in rounds:
        rounds[1] = TestRound.objects.create(meeting=meeting, number=1)
    saved = []
    for row in rows:
        venue = venues[row.venue]
        round_ = rounds[row.round]
        result, _created = TestResult.objects.get_or_create(
            round=round_,
            venue=venue,
            defaults={"org_unit": venue.org_unit, "recorded_at": now},
        )
        before = result.outcome
        for check in TestResult.CHECKS:
            value = getattr(row, check)
            if value:
                setattr(result, check, value)
        result.note = row.note.strip()[:500] or result.note
        result.recorded_at, result.recorded_by = now, actor(by)
        result.save()
        if result.outcome == "fail" and before != "fail":
            failed = [
                str(CHECK_NAMES[c]) for c in TestResult.CHECKS if getattr(result, c) == "fail"
            ]
            fault_open(
                title=_("%(venue)s 联调第 %(n)s 轮不通过：%(checks)s")
                % {"venue": venue.name, "n": round_.number, "checks": "、".join(failed)},
                source=Fault.Source.JOINT_TEST,
                org_unit=venue.org_unit,
                venue=venue,
                subject=subject_ref("meeting", meeting.pk),
                description=result.note,
                severity=Fault.Severity.MINOR,
                by=by,
            )
            chain = venue.org_unit.chain_ids
            if not any(n > round_.number and round_applies(r, chain) for n, r in rounds.items()):
                number = max(rounds) + 1
                rounds[number] = TestRound.objects.create(
                    meeting=meeting, number=number, city_id=round_.city_id, is_retest=True
                )
        audit_record(
            actor=by,
            action="joint_test.result",
            obj=result,
            changes={c: getattr(result, c) for c in (*TestResult.CHECKS, "note")},
        )
        saved.append(result)
    return saved


def _aware(value: datetime | None) -> datetime | None:
    """A datetime without offset is local time (SPEC §6: local ISO datetimes)."""
    return timezone.make_aware(value) if value and timezone.is_naive(value) else value


def _local(value) -> str:
    return timezone.localtime(value).strftime("%m-%d %H:%M")


@transaction.atomic
def test_round_add(
    meeting: Meeting,
    *,
    by: UserLike,
    city: int | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> TestRound:
    """Schedule a round ahead: a time slot within the joint test's window, for one city of the
    meeting (its id) or for every venue (None), numbered after the last round. A slot may not
    overlap another scheduled round of the same city (a round for every venue overlaps them all).
    Out of scope is 404, not the owner or a follow-only role is 403; nothing written on error."""
    check_owner(meeting, by)
    starts_at, ends_at = _aware(starts_at), _aware(ends_at)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.kind != Meeting.Kind.TEST:
        raise ConflictError(_("只有联调测试可以安排轮次。"), code="not_a_test")
    if meeting.state in (Meeting.State.CLOSED, Meeting.State.CANCELLED):
        raise ConflictError(_("联调测试已结束或已取消，不能再安排轮次。"), code="not_open")
    errors: list[dict] = []
    unit = None
    if city is not None:
        unit = meeting_cities(meeting).filter(pk=city).first()
        if unit is None:
            errors.append({"field": "city", "message": _("所选城市没有本次联调的会场。")})
    if starts_at is None:
        errors.append({"field": "starts_at", "message": _("请填写开始时间。")})
    if ends_at is None:
        errors.append({"field": "ends_at", "message": _("请填写结束时间。")})
    if starts_at and ends_at:
        if ends_at <= starts_at:
            errors.append({"field": "ends_at", "message": _("结束时间须晚于开始时间。")})
        elif starts_at < meeting.starts_at or ends_at > meeting.ends_at:
            errors.append(
                {
                    "field": "starts_at",
                    "message": _("时段须在联调测试时间内（%(start)s 至 %(end)s）。")
                    % {"start": _local(meeting.starts_at), "end": _local(meeting.ends_at)},
                }
            )
    if errors:
        raise InvalidInputError(errors[0]["message"], errors=errors)
    assert starts_at is not None and ends_at is not None
    clash = meeting.test_rounds.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).select_related(
        "city"
    )
    if unit is not None:
        clash = clash.filter(Q(city=unit) | Q(city__isnull=True))
    other = clash.order_by("number").first()
    if other is not None:
        message = _("与第 %(n)s 轮（%(who)s，%(start)s 至 %(end)s）时段重叠。") % {
            "n": other.number,
            "who": other.city.name if other.city else _("全部会场"),
            "start": _local(other.starts_at),
            "end": _local(other.ends_at),
        }
        raise InvalidInputError(message, errors=[{"field": "starts_at", "message": message}])
    last = meeting.test_rounds.order_by("-number").first()
    round_ = TestRound.objects.create(
        meeting=meeting,
        number=(last.number + 1) if last else 1,
        city=unit,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    audit_record(
        actor=by,
        action="joint_test.round_add",
        obj=round_,
        changes={
            "number": round_.number,
            "city": unit.name if unit else "",
            "starts_at": timezone.localtime(starts_at).isoformat(),
            "ends_at": timezone.localtime(ends_at).isoformat(),
        },
    )
    return round_
