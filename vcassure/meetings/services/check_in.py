"""Who may do a venue task's field work (its assignee, a dispatcher in scope on their behalf, or
the holder of the assignee's link pass) and the check-in itself (C6, R10): only within the window
before the on-site deadline, with the distance to the venue stored and a far check-in flagged."""

import math
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike
from vcassure.checklists.services import (
    checklist_run_start,
)
from vcassure.core import clock
from vcassure.core.errors import ConflictError, InvalidInputError
from vcassure.core.passes import SubjectPass
from vcassure.core.services import audit_record
from vcassure.core.subjects import task_ref
from vcassure.core.timefmt import month_day_hhmm
from vcassure.meetings.models import Meeting, SupportTask
from vcassure.meetings.permissions import can_do_field_work
from vcassure.meetings.selectors.field_work import (
    FIELD_KINDS,
    templates_for,
)
from vcassure.meetings.services.tasks import TaskMove, support_tasks_move

WORKING_STATES = {"on_site", "ready", "in_meeting", "faulty", "restored"}


def check_field_access(
    task: SupportTask, user: UserLike, subject_pass: SubjectPass | None = None
) -> None:
    """Field work (check-in, checklist steps), pages and API: the assignee, or someone who manages
    meetings in the task's scope acting on the assignee's behalf, which is audited as such. Out of
    scope looks like missing (DoesNotExist: 404); in scope without the role is refused (403).
    Without a login, the assignee's pass for this very task (granted by their personal link) is
    enough; the action is audited as done by the person through their link."""
    if subject_pass is not None and not user.is_authenticated:
        if not subject_pass.allows(task_ref(task.pk), staff_id=task.assignee_id):
            raise SupportTask.DoesNotExist
        audit_record(
            actor=user, action="task.field_by_link", obj=task, changes=subject_pass.audit()
        )
        return
    staff = getattr(user, "staff_profile", None)
    if staff is not None and task.assignee_id == staff.pk:
        return
    if not SupportTask.objects.visible_to(user).filter(pk=task.pk).exists():
        raise SupportTask.DoesNotExist
    if not can_do_field_work(user, task):
        raise PermissionDenied(_("只有任务的保障人员本人或本辖区调度员可以签到和记录检查。"))
    assignee = task.assignee
    audit_record(
        actor=user,
        action="task.field_on_behalf",
        obj=task,
        changes={
            "assignee_id": task.assignee_id,
            "assignee": assignee.name if assignee else "",
            "state": task.state,
        },
    )


def acting_for(
    task: SupportTask, by: UserLike, subject_pass: SubjectPass | None
) -> tuple[UserLike, str]:
    """Who the records name and how they came: through a pass, the assignee's own login user when
    they have one (else nobody) and "link"; otherwise the caller as is."""
    if subject_pass is None or by.is_authenticated:
        return by, ""
    user = getattr(task.assignee, "user", None) if task.assignee_id else None
    return (user if user is not None and user.is_active else by), subject_pass.via


def check_in_opens_at(task: SupportTask) -> datetime:
    """When check-in opens: CHECK_IN_OPENS_HOURS_BEFORE_DEADLINE before the on-site deadline (or
    before the meeting, for a task without one)."""
    anchor = task.on_site_due_at or task.meeting.starts_at
    return anchor - timedelta(hours=settings.CHECK_IN_OPENS_HOURS_BEFORE_DEADLINE)


EARTH_RADIUS_M = 6_371_000


def distance_m(lat1, lng1, lat2, lng2) -> int:
    """Great-circle distance in metres (haversine): plenty for "more than 1 km away"."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(math.sqrt(a)))


def _coordinate(value, low: int, high: int, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInputError(
            _("位置格式不正确。"), errors=[{"field": field, "message": _("应为数字。")}]
        ) from exc
    if not low <= number <= high:
        raise InvalidInputError(
            _("位置超出范围。"), errors=[{"field": field, "message": _("坐标超出范围。")}]
        )
    return number


@transaction.atomic
def support_task_check_in(
    task: SupportTask,
    *,
    by: UserLike,
    lat=None,
    lng=None,
    subject_pass: SubjectPass | None = None,
) -> SupportTask:
    """On site (R10: by T−60, T−120 for important meetings). Checking in also acknowledges a task
    whose notice was not answered yet. With `subject_pass` (no login) the moves are the
    assignee's own, noted "link"."""
    check_field_access(task, by, subject_pass)
    by, via = acting_for(task, by, subject_pass)
    task = (
        SupportTask.objects.select_for_update(of=("self",))
        .select_related("meeting", "venue")
        .get(pk=task.pk)
    )
    if task.kind not in FIELD_KINDS:
        raise ConflictError(_("协调任务无需到场签到。"), code="not_a_venue_task")
    if task.meeting.state in (Meeting.State.CANCELLED, Meeting.State.CLOSED, Meeting.State.ENDED):
        raise ConflictError(_("会议已结束或已取消，不能签到。"), code="meeting_over")
    if task.checked_in_at is not None:
        return task  # idempotent: the first check-in counts
    lat_value, lng_value = _coordinate(lat, -90, 90, "lat"), _coordinate(lng, -180, 180, "lng")
    now = clock.now()
    opens_at = check_in_opens_at(task)
    if now < opens_at:
        raise ConflictError(
            _("还未到签到时间：请在 %(t)s 之后到场签到（到场时限 %(due)s）。")
            % {
                "t": month_day_hhmm(opens_at),
                "due": month_day_hhmm(task.on_site_due_at or task.meeting.starts_at),
            },
            code="check_in_too_early",
        )
    venue = task.venue
    distance = (
        distance_m(lat_value, lng_value, venue.latitude, venue.longitude)
        if lat_value is not None
        and lng_value is not None
        and venue is not None
        and venue.latitude is not None
        and venue.longitude is not None
        else None
    )
    moves = [TaskMove(task=task, to=SupportTask.State.ON_SITE, at=now, by=by, note=via)]
    if task.state in (SupportTask.State.PENDING, SupportTask.State.NOTIFIED):
        moves.insert(
            0,
            TaskMove(
                task=task,
                to=SupportTask.State.ACKNOWLEDGED,
                at=now,
                by=by,
                note=f"check-in {via}".strip(),
            ),
        )
    support_tasks_move(moves)
    task.checked_in_at, task.check_in_lat, task.check_in_lng = now, lat_value, lng_value
    task.check_in_distance_m = distance
    task.save(
        update_fields=[
            "checked_in_at",
            "check_in_lat",
            "check_in_lng",
            "check_in_distance_m",
            "updated_at",
        ]
    )
    if task.check_in_far:
        audit_record(
            actor=by,
            action="task.check_in_far",
            obj=task,
            changes={"distance_m": distance, "limit_m": settings.CHECK_IN_FAR_METRES},
        )
    for template in templates_for(task):
        checklist_run_start(
            template=template,
            subject=task_ref(task.pk),
            org_unit=task.org_unit,
            venue=task.venue,
            by=by,
        )
    return task
