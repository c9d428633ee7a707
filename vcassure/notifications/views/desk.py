"""The dispatch desk: people not answering, phone-call tasks and their outcomes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vcassure.accounts.permissions import can_see_phone_numbers
from vcassure.core import clock
from vcassure.core.errors import ApplicationError
from vcassure.core.http import HtmxHttpRequest, get_or_404, require
from vcassure.core.middleware import poll_url
from vcassure.core.pagination import paginate
from vcassure.core.subjects import describe
from vcassure.notifications import selectors
from vcassure.notifications.forms import (
    PHONE_CALL_OUTCOME_CHOICES,
    DeskFilterForm,
    PhoneCallOutcomeForm,
)
from vcassure.notifications.models import EscalationPolicy
from vcassure.notifications.permissions import can_work_dispatch_desk
from vcassure.notifications.services.desk import (
    phone_call_number_reveal,
    phone_call_record,
)

DESK_CALLS_SHOWN = 100


_ACTION_LABELS = dict(EscalationPolicy.Action.choices)


def _escalation_label(steps: list, index: int) -> str:
    if 0 <= index < len(steps or []):
        return str(_ACTION_LABELS.get(steps[index].get("action"), steps[index].get("action", "")))
    return ""


@login_required
@require_GET
def desk(request: HtmxHttpRequest):
    """People who have not acknowledged, by deadline (the part that refreshes every 10 s), and the
    phone calls the desk still has to make."""
    user = request.user
    require(can_work_dispatch_desk(user))
    form = DeskFilterForm(request.GET, topics=selectors.recent_topics(user=user))
    topic = form.topic()
    now = clock.now()
    unanswered = selectors.unanswered_list(user=user, topic=topic, now=now)
    context = {
        **paginate(request, unanswered),
        "form": form,
        "topic": topic,
        "now": now,
        "overdue_count": unanswered.filter(ack_due_at__lt=now).count(),
        "poll_url": poll_url(request),
    }
    rows = list(context["page_obj"])
    labels = describe({n.topic for n in rows} | {n.subject for n in rows})
    for n in rows:
        n.topic_label = labels.get(n.topic)
        n.subject_label = labels.get(n.subject)
        n.is_overdue = n.ack_due_at < now
        n.escalation_reached = _escalation_label(n.escalation_steps, n.escalation_level - 1)
        n.escalation_next = _escalation_label(n.escalation_steps, n.escalation_level)
    if request.htmx:
        return render(request, "notifications/desk.html#unanswered", context)
    calls = selectors.phone_call_list(user=user)
    context.update(
        {
            "calls": list(calls[:DESK_CALLS_SHOWN]),
            "call_count": calls.count(),
            "outcome_choices": PHONE_CALL_OUTCOME_CHOICES,
            "can_see_phone": can_see_phone_numbers(user),
        }
    )
    return render(request, "notifications/desk.html", context)


@login_required
@require_POST
def phone_call_reveal(request: HttpRequest, pk: int):
    call = get_or_404(
        selectors.phone_call_get, user=request.user, pk=pk
    )  # another scope's: 404, not 403
    require(can_work_dispatch_desk(request.user))
    number = phone_call_number_reveal(call, by=request.user)
    return render(
        request, "notifications/desk.html#call_number", {"call": call, "revealed": number}
    )


@login_required
@require_POST
def phone_call_outcome(request: HttpRequest, pk: int):
    call = get_or_404(
        selectors.phone_call_get, user=request.user, pk=pk
    )  # another scope's: 404, not 403
    require(can_work_dispatch_desk(request.user))
    form = PhoneCallOutcomeForm(request.POST)
    if form.is_valid():
        try:
            call = phone_call_record(
                call,
                by=request.user,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("已记录给 %(name)s 的电话：%(outcome)s。")
                % {"name": call.notification.recipient.name, "outcome": call.get_outcome_display()},
            )
    else:
        problems = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, _("没有记录：%(errors)s") % {"errors": "；".join(problems)})
    return redirect(f"{reverse('notifications:desk')}#calls")
