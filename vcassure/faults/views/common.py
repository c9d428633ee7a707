"""What the fault pages share: the scoped fault or a 404, and the deadline clocks."""

from datetime import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from vcassure.core import clock
from vcassure.core.errors import ApplicationError
from vcassure.core.passes import subject_pass
from vcassure.core.timefmt import hhmm
from vcassure.faults import selectors, services
from vcassure.faults.models import Fault
from vcassure.faults.permissions import can_handle_fault


def fault_or_404(request: HttpRequest, pk: int) -> Fault:
    try:
        return selectors.fault_get(user=request.user, pk=pk)
    except Fault.DoesNotExist as exc:
        raise Http404 from exc


def span(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)s 天 %(h)s 小时") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s 小时 %(m)s 分钟") % {"h": hours, "m": mins}
    return _("%(m)s 分钟") % {"m": mins}


def clock_of(
    label: str, due: datetime | None, met_at: datetime | None, now: datetime
) -> dict | None:
    """One deadline: met on time or late, still running (with what is left), or missed."""
    if due is None:
        return None
    if met_at is not None:
        late = met_at > due
        text = (_("已于 %(t)s 完成（逾期）") if late else _("已于 %(t)s 完成")) % {
            "t": hhmm(met_at)
        }
        return {"label": label, "due": due, "text": text, "tone": "warn" if late else "ok"}
    left = (due - now).total_seconds()
    if left >= 0:
        tone = "warn" if left < 10 * 60 else ""
        return {
            "label": label,
            "due": due,
            "text": _("还剩 %(s)s") % {"s": span(left)},
            "tone": tone,
        }
    return {
        "label": label,
        "due": due,
        "text": _("已超时 %(s)s") % {"s": span(max(-left, 60))},  # never "0 minutes overdue"
        "tone": "bad",
    }


def clocks(fault: Fault) -> list[dict]:
    now = clock.now()
    rows = [
        clock_of(_("受理时限"), fault.ack_due_at, fault.acknowledged_at, now),
        clock_of(_("到场时限"), fault.on_site_due_at, fault.on_site_at or fault.restored_at, now),
        clock_of(_("恢复时限"), fault.restore_due_at, fault.restored_at, now),
    ]
    if fault.state == Fault.State.CLOSED:
        rows = [r for r in rows if r and r["tone"] in ("ok", "warn")]
    return [r for r in rows if r is not None]


def phone_page(
    request: HttpRequest, fault: Fault, *, error: ApplicationError | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "faults/fault_phone.html",
        {
            "fault": fault,
            "clocks": clocks(fault),
            "can_handle": subject_pass(request) is not None or can_handle_fault(request.user),
            "integrators": services.integrators_of(fault),
            "error": error,
        },
        status=status,
    )
