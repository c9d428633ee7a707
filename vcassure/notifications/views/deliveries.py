"""The delivery log and, in demo mode, the demo inbox of the local fake servers."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vcassure.core.http import HtmxHttpRequest, get_or_404, require
from vcassure.core.pagination import paginate
from vcassure.core.subjects import describe
from vcassure.notifications import demo, selectors
from vcassure.notifications.forms import (
    DeliveryFilterForm,
    channel_label,
)
from vcassure.notifications.permissions import can_read_demo_inbox, can_work_dispatch_desk

DEMO_ROWS_SHOWN = 300


@login_required
@require_GET
def delivery_list(request: HttpRequest):
    require(can_work_dispatch_desk(request.user))
    form = DeliveryFilterForm(request.GET, topics=selectors.recent_topics(user=request.user))
    qs = selectors.delivery_list(user=request.user, **form.filters())
    context = {**paginate(request, qs), "form": form}
    rows = list(context["page_obj"])
    labels = describe(
        {d.topic for d in rows} | {d.notification.subject for d in rows if d.notification}
    )
    for d in rows:
        d.channel_label = channel_label(d.channel)
        d.topic_label = labels.get(d.topic)
        d.subject_label = labels.get(d.notification.subject) if d.notification else None
    return render(request, "notifications/delivery_list.html", context)


@login_required
@require_GET
def delivery_detail(request: HttpRequest, pk: int):
    delivery = get_or_404(selectors.delivery_get, user=request.user, pk=pk)
    require(can_work_dispatch_desk(request.user))
    notification = delivery.notification
    labels = describe([delivery.topic, notification.subject if notification else ""])
    context = {
        "delivery": delivery,
        "channel_label": channel_label(delivery.channel),
        "topic_label": labels.get(delivery.topic),
        "subject_label": labels.get(notification.subject) if notification else None,
    }
    return render(request, "notifications/delivery_detail.html", context)


def demo_fakes_enabled() -> bool:
    return bool(settings.DEBUG or getattr(settings, "DEMO_FAKES_ENABLED", False))


@login_required
@require_GET
def demo_inbox(request: HtmxHttpRequest):
    """What the local fake servers received (demo mode only; refreshes every 5 s)."""
    if not demo_fakes_enabled():
        raise Http404
    require(can_read_demo_inbox(request.user))
    fakes = demo.running_fakes()
    rows = demo.inbox_rows(fakes, limit=DEMO_ROWS_SHOWN)
    group_names = {
        demo.robot_key(g.webhook_url): g.name for g in selectors.im_group_list(user=request.user)
    }
    for row in rows:
        row.channel_label = channel_label(row.channel) if row.channel else row.fake
        row.group_name = group_names.get(row.robot_key, "") if row.robot_key else ""
    names = [str(demo.FAKE_LABELS.get(name, name)) for name in sorted(fakes)]
    context = {"rows": rows, "fakes": names, "shown": DEMO_ROWS_SHOWN}
    if request.htmx:
        return render(request, "notifications/demo_inbox.html#inbox", context)
    return render(request, "notifications/demo_inbox.html", context)


@login_required
@require_POST
def demo_group_reply(request: HttpRequest):
    """Demo mode: the fake DingTalk plays its outgoing robot — a person's reply in a group, as a
    signed callback to this platform — and the answer it got through sessionWebhook is shown."""
    if not demo_fakes_enabled():
        raise Http404
    require(can_read_demo_inbox(request.user))
    fake = demo.running_fakes().get("dingtalk")
    if fake is None:
        raise Http404
    status, _answer, replies = fake.play_callback(
        request.build_absolute_uri("/api/im/dingtalk/callback"),
        app_secret=settings.DINGTALK_APP_SECRET,
        conversation_id=request.POST.get("conversation_id", ""),
        sender_staff_id=request.POST.get("sender", ""),
        text=request.POST.get("text", ""),
    )
    if replies:
        messages.success(
            request,
            _("群内回复已发送；机器人回复：%(text)s")
            % {"text": replies[-1].get("text", {}).get("content", "")},
        )
    else:
        messages.error(request, _("群内回复未被接受（HTTP %(status)s）。") % {"status": status})
    return redirect("notifications:demo_inbox")
