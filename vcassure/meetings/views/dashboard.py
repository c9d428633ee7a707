"""The live command dashboard (C7): counts, a drill-down tree and the rows that need attention,
refreshed every 5 s by HTMX through the "live" partial; its big-screen mode for the wall; and the
customer's read-only share link (no login, no personal data)."""

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from vcassure.core import clock
from vcassure.core.errors import ApplicationError
from vcassure.core.http import HtmxHttpRequest
from vcassure.core.pagination import int_or_none
from vcassure.meetings import selectors, services
from vcassure.meetings.models import Meeting, ShareLink, SupportTask
from vcassure.meetings.permissions import can_manage_meetings
from vcassure.orgs.models import OrgUnit

# The states that always have a tile, so the wall display keeps its layout; the others appear
# when some task is in them.
ALWAYS_TILES = ("pending", "notified", "acknowledged", "on_site", "ready", "faulty")
SCREEN_ATTENTION_LIMIT = 14
SHARE_HOURS = [
    (2, gettext_lazy("2 小时")),
    (8, gettext_lazy("8 小时")),
    (24, gettext_lazy("1 天")),
    (72, gettext_lazy("3 天")),
    (168, gettext_lazy("7 天")),
]


class ShareLinkForm(forms.Form):
    hours = forms.TypedChoiceField(
        label=gettext_lazy("有效期"), choices=SHARE_HOURS, coerce=int, initial=24
    )


def _meeting_or_404(request: HttpRequest, pk: int, *, partial: bool = False) -> Meeting:
    try:
        # The live partial shows the meeting's clock, and places it by its unit: nothing else.
        related = ("org_unit",) if partial else selectors.MEETING_RELATED
        return selectors.meeting_get(user=request.user, pk=pk, related=related)
    except Meeting.DoesNotExist as exc:
        raise Http404 from exc


def _unit_or_404(root: OrgUnit, raw: str | None) -> OrgUnit:
    try:
        return selectors.dashboard_unit(root, int_or_none(raw))
    except OrgUnit.DoesNotExist as exc:
        raise Http404 from exc


def _wants_partial(request: HtmxHttpRequest) -> bool:
    # A history restore (back button) asks for the whole page.
    return bool(request.htmx) and not request.htmx.history_restore_request


def _duration(seconds: float) -> str:
    seconds = int(max(0, seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock_text = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return _("%(days)s天 %(clock)s") % {"days": days, "clock": clock_text} if days else clock_text


def _clock_context(meeting: Meeting, now: datetime) -> dict:
    """The countdown: rendered here, then ticked every second in the browser from these instants."""
    if meeting.state == Meeting.State.CANCELLED:
        phase, text = "cancelled", _("会议已取消")
    elif now < meeting.starts_at:
        phase, text = (
            "before",
            _("距开始 %(t)s") % {"t": _duration((meeting.starts_at - now).total_seconds())},
        )
    elif now < meeting.ends_at:
        phase, text = (
            "during",
            _("距结束 %(t)s") % {"t": _duration((meeting.ends_at - now).total_seconds())},
        )
    else:
        phase, text = "after", _("会议已结束")
    return {
        "countdown_phase": phase,
        "countdown_text": text,
        "now_ms": int(now.timestamp() * 1000),
        "starts_ms": int(meeting.starts_at.timestamp() * 1000),
        "ends_ms": int(meeting.ends_at.timestamp() * 1000),
    }


def _tiles(rollup: selectors.Rollup) -> list[tuple[str, Any, int]]:
    return [
        (value, label, rollup.counts.get(value, 0))
        for value, label in SupportTask.State.choices
        if value in ALWAYS_TILES or rollup.counts.get(value)
    ]


def _share_url(link: ShareLink) -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse('meetings:share_page', args=[link.token])}"


@require_GET
def meeting_dashboard(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        # A poll after the session ended: reload the page, which leads to the login form.
        return (
            HttpResponseClientRefresh()
            if request.htmx
            else redirect_to_login(request.get_full_path())
        )
    meeting = _meeting_or_404(request, pk, partial=_wants_partial(request))
    root = selectors.dashboard_root(meeting, user=request.user)
    unit = _unit_or_404(root, request.GET.get("unit"))
    screen = request.GET.get("screen") == "1"
    now = clock.now()
    tasks = selectors.dashboard_tasks(meeting, user=request.user)
    board = selectors.meeting_dashboard(
        tasks,
        root=root,
        unit=unit,
        now=now,
        attention_limit=SCREEN_ATTENTION_LIMIT if screen else selectors.ATTENTION_LIMIT,
    )
    scoped = selectors.tasks_under(tasks, root, unit)
    query = "screen=1&" if screen else ""
    context = {
        "meeting": meeting,
        "board": board,
        "tiles": _tiles(board.rollup),
        "now": now,
        "screen": screen,
        "query": query,
        "live_url": f"{request.path}?{query}unit={unit.pk}",
        "timeline": selectors.dashboard_timeline(meeting, scoped),
        # Asked only when the roll-up counted one (most meetings have none).
        "far_check_ins": (
            selectors.dashboard_far_check_ins(scoped)
            if board.rollup.far_check_ins and not screen
            else []
        ),
        # A township's own venues are few: list them; above it, the tree and the attention list do.
        "venue_rows": (
            selectors.dashboard_venue_rows(scoped, now=now)
            if unit.level == OrgUnit.Level.TOWNSHIP and not screen
            else []
        ),
        **_clock_context(meeting, now),
    }
    if _wants_partial(request):
        return render(request, "meetings/dashboard.html#live", context)
    if screen:
        return render(request, "meetings/dashboard_screen.html", context)
    can_share = can_manage_meetings(request.user) and meeting.state not in (
        Meeting.State.DRAFT,
        Meeting.State.CANCELLED,
    )
    links = (
        list(selectors.share_link_list(meeting, user=request.user, now=now)) if can_share else []
    )
    context.update(
        {
            "can_share": can_share,
            "share_form": ShareLinkForm(),
            "share_links": [(link, _share_url(link)) for link in links],
        }
    )
    return render(request, "meetings/dashboard.html", context)


@login_required
@require_POST
def share_link_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    form = ShareLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择有效期。"))
        return redirect("meetings:meeting_dashboard", pk=meeting.pk)
    try:
        link = services.share_link_create(
            meeting,
            by=request.user,
            expires_at=clock.now() + timedelta(hours=form.cleaned_data["hours"]),
        )
    except Meeting.DoesNotExist as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("分享链接已生成，有效期至 %(at)s：%(url)s")
            % {
                "at": timezone.localtime(link.expires_at).strftime("%Y-%m-%d %H:%M"),
                "url": _share_url(link),
            },
        )
    return redirect("meetings:meeting_dashboard", pk=meeting.pk)


@login_required
@require_POST
def share_link_revoke(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    link = get_object_or_404(ShareLink, pk=link_pk, meeting=meeting)
    try:
        services.share_link_revoke(link, by=request.user)
    except (Meeting.DoesNotExist, ShareLink.DoesNotExist) as exc:
        raise Http404 from exc
    messages.success(request, _("分享链接已撤销，打开它将看到“链接已失效”。"))
    return redirect("meetings:meeting_dashboard", pk=meeting.pk)


@require_GET
def share_page(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The customer's read-only view: readiness per unit and per venue, venue names and states only.
    The token in the URL is the credential: CredentialPathNoStoreMiddleware keeps every answer here
    out of caches, referrers and search engines."""
    link = (
        ShareLink.objects.select_related("meeting__system", "meeting__main_venue", "org_unit")
        .filter(token=token)
        .first()
    )
    if link is None:
        raise Http404
    now = clock.now()
    if not link.is_active(now):
        reason = "revoked" if link.revoked_at is not None else "expired"
        return render(
            request, "meetings/share_gone.html", {"reason": reason, "link": link}, status=410
        )
    unit = _unit_or_404(link.org_unit, request.GET.get("unit"))
    tasks = selectors.share_tasks(link)
    board = selectors.meeting_dashboard(
        tasks, root=link.org_unit, unit=unit, now=now, attention_limit=0
    )
    scoped = selectors.tasks_under(tasks, link.org_unit, unit)
    venue_rows = selectors.dashboard_venue_rows(scoped, now=now, with_people=False)
    context = {
        "meeting": link.meeting,
        "link": link,
        "board": board,
        "tiles": _tiles(board.rollup),
        "now": now,
        "venue_rows": venue_rows,
        "venue_more": max(0, board.rollup.total - len(venue_rows)),
        "live_url": f"{request.path}?unit={unit.pk}",
        **_clock_context(link.meeting, now),
    }
    template = "meetings/share.html#live" if _wants_partial(request) else "meetings/share.html"
    return render(request, template, context)


@login_required
@require_POST
def meeting_probes_now(request: HttpRequest, pk: int) -> HttpResponse:
    """The dashboard's "probe now" button: the worker probes the meeting's devices (C13)."""
    meeting = _meeting_or_404(request, pk)
    if not can_manage_meetings(request.user):
        raise PermissionDenied(_("您的角色不能发起设备探测。"))
    from vcassure.meetings.services.probes import meeting_probes_request

    devices = meeting_probes_request(meeting)
    if devices:
        messages.success(
            request, _("已发起设备探测（%(n)s 台设备），结果稍后显示在看板上。") % {"n": devices}
        )
    else:
        messages.info(request, _("本会议的会场没有登记管理地址的终端或交换机。"))
    return redirect("meetings:meeting_dashboard", pk=meeting.pk)
