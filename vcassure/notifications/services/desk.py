"""The dispatch desk's writes: the outcome of a phone call, revealing a number (audited)."""

from django.db import transaction
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike, actor
from vcassure.core import clock
from vcassure.core.errors import InvalidInputError
from vcassure.core.services import audit_record
from vcassure.notifications.models import (
    PhoneCallTask,
)
from vcassure.notifications.services.acknowledgements import notifications_acknowledge

PHONE_CALL_OUTCOMES = {"reached", "no_answer", "wrong_number"}


PHONE_CALL_NOTE_MAX_LENGTH = 500


@transaction.atomic
def phone_call_record(
    call: PhoneCallTask, *, by: UserLike, outcome: str, note: str = ""
) -> PhoneCallTask:
    """The dispatch desk records how a call went. "reached" means the person heard the notice on
    the phone: it is acknowledged for them (via "phone"), which stops the escalation."""
    from django.core.exceptions import PermissionDenied

    from vcassure.core.errors import ConflictError
    from vcassure.notifications.permissions import can_work_dispatch_desk

    if not can_work_dispatch_desk(by):
        raise PermissionDenied
    note = (note or "").strip()
    errors = []
    if outcome not in PHONE_CALL_OUTCOMES:
        errors.append({"field": "outcome", "message": _("请选择通话结果。")})
    if len(note) > PHONE_CALL_NOTE_MAX_LENGTH:
        errors.append(
            {
                "field": "note",
                "message": _("备注最多 %(n)d 个字。") % {"n": PHONE_CALL_NOTE_MAX_LENGTH},
            }
        )
    if errors:
        raise InvalidInputError(_("通话结果有误。"), errors=errors)
    call = (
        PhoneCallTask.objects.select_for_update(of=("self",))
        .select_related("notification")
        .get(pk=call.pk)
    )
    if call.outcome != PhoneCallTask.Outcome.PENDING:
        raise ConflictError(
            _("该电话任务已记录过结果(%(outcome)s)。") % {"outcome": call.get_outcome_display()}
        )
    call.outcome, call.note, call.done_at, call.done_by = outcome, note, clock.now(), actor(by)
    call.save(update_fields=["outcome", "note", "done_at", "done_by", "updated_at"])
    audit_record(
        actor=by, action="phone_call.record", obj=call, changes={"outcome": outcome, "note": note}
    )
    if outcome == PhoneCallTask.Outcome.REACHED:
        notification = call.notification
        notifications_acknowledge(
            recipient_id=notification.recipient_id, subject=notification.subject, via="phone", by=by
        )
    return call


def phone_call_number_reveal(call: PhoneCallTask, *, by: UserLike) -> str:
    """Show the full number of a phone-call task to a role that may see it, and leave a trace."""
    from django.core.exceptions import PermissionDenied

    from vcassure.accounts.permissions import can_see_phone_numbers

    if not can_see_phone_numbers(by):
        raise PermissionDenied
    audit_record(
        actor=by,
        action="phone_call.number_reveal",
        obj=call,
        changes={"notification": call.notification_id},
    )
    return call.number
