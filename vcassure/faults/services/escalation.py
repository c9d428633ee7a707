"""A fault whose deadline passes climbs too: beyond the per-person ladder of each notice (which
the notifications sweep climbs), the fault records an `escalated` event per missed deadline and
tells the responsible department's head once."""

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from vcassure.core import clock
from vcassure.core.subjects import fault_ref
from vcassure.core.timefmt import month_day_hhmm
from vcassure.faults.models import Fault, FaultEvent
from vcassure.faults.services.lifecycle import fault_log
from vcassure.notifications.models import Notification
from vcassure.notifications.services import PersonalMessage, notifications_queue


def _stages() -> list[tuple[str, str, Q]]:
    """(deadline field, label, which faults have missed it given the state)."""
    return [
        ("ack_due_at", _("受理超时"), Q(state=Fault.State.OPEN)),
        (
            "on_site_due_at",
            _("到场超时"),
            Q(state__in=[Fault.State.OPEN, Fault.State.ACKNOWLEDGED, Fault.State.ASSIGNED]),
        ),
        ("restore_due_at", _("恢复超时"), Q(state__in=Fault.ACTIVE_STATES)),
    ]


def faults_escalate_overdue(*, now: datetime | None = None) -> int:
    """Record each newly missed deadline of every active fault and tell the department's head.
    Returns how many escalations were recorded; a deadline is escalated once."""
    now = now or clock.now()
    done = 0
    for field, label, missed in _stages():
        with transaction.atomic():
            faults = list(
                Fault.objects.select_for_update(of=("self",))
                .filter(missed, **{f"{field}__lt": now})
                .exclude(
                    Exists(
                        FaultEvent.objects.filter(
                            fault=OuterRef("pk"),
                            kind=FaultEvent.Kind.ESCALATED,
                            note__startswith=label,
                        )
                    )
                )
                .select_related("assigned_department__head", "venue")
            )
            messages = []
            for fault in faults:
                due = getattr(fault, field)
                note = f"{label}({month_day_hhmm(due)})"
                fault_log(fault, kind=FaultEvent.Kind.ESCALATED, at=now, note=note)
                head = fault.assigned_department.head if fault.assigned_department else None
                if head is not None:
                    messages.append(
                        PersonalMessage(
                            staff=head,
                            subject=fault_ref(fault.pk),
                            topic=fault_ref(fault.pk),
                            title=_("【故障升级】%(t)s") % {"t": fault.title},
                            body=_("%(label)s：%(t)s，状态“%(s)s”。")
                            % {"label": note, "t": fault.title, "s": fault.get_state_display()},
                            requires_ack=False,
                        )
                    )
            if messages:
                notifications_queue(messages, kind=Notification.Kind.ESCALATION, now=now)
            done += len(faults)
    return done
