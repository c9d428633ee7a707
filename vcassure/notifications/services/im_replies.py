"""Answering in the group counts (SPEC §6.2 `POST /api/im/dingtalk/callback`): DingTalk's outgoing
robot posts what a person @-mentioned the robot with. "收到", "1", "ok" or "确认" from a known person
acknowledges that person's open notices that the group's digests announced, exactly as their
personal link would (one conditional UPDATE, the worker applies the effects: acknowledgements.py);
the answer goes back into the conversation through the callback's `sessionWebhook`.

The callback is signed by DingTalk with the robot's app secret: the AppSecret of the enterprise
internal app the platform already uses for work notices (setting DINGTALK_APP_SECRET, from the
environment like the app key). Headers `timestamp` (ms) and `sign` = base64(HMAC-SHA256(key=secret,
msg=timestamp + "\\n" + secret)); a timestamp more than an hour away from now is refused, as
DingTalk's documentation for robot callbacks says."""

import base64
import hashlib
import hmac
import logging
import re
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from vcassure.core import clock, context
from vcassure.core.outbound import outbound_url_problem
from vcassure.core.timefmt import hhmm
from vcassure.notifications import wakeups
from vcassure.notifications.models import Delivery, ImGroup, Notification
from vcassure.orgs.models import Staff

log = logging.getLogger(__name__)

MAX_SKEW_MS = 3600 * 1000  # DingTalk: a timestamp more than 1 hour from now is not legitimate
ANSWERS = {"收到", "1", "ok", "确认"}
VIA = "im_group"
# What a person types around the answer: the robot's @name is stripped by DingTalk, but spaces,
# punctuation and a trailing "了" or "!" are common.
_NOISE = re.compile(r"[\s,.，。!！~～、]+")


class CallbackRefused(Exception):
    """The callback is not DingTalk's (bad or stale signature, no secret configured): 401."""


def callback_sign(secret: str, timestamp: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def dingtalk_callback_verify(timestamp: str, sign: str) -> None:
    """Raises CallbackRefused unless `sign` is DingTalk's signature of a fresh `timestamp`."""
    secret = settings.DINGTALK_APP_SECRET
    if not secret:
        raise CallbackRefused("no DINGTALK_APP_SECRET configured")
    if not timestamp.isdigit():
        raise CallbackRefused("timestamp")
    now_ms = int(clock.now().timestamp() * 1000)
    if abs(now_ms - int(timestamp)) > MAX_SKEW_MS:
        raise CallbackRefused("stale timestamp")
    if not hmac.compare_digest(sign.encode(), callback_sign(secret, timestamp).encode()):
        raise CallbackRefused("sign")


def is_answer(text: str) -> bool:
    word = _NOISE.sub("", text or "").lower().removesuffix("了")
    return word in ANSWERS


@dataclass(frozen=True)
class GroupReply:
    """What the platform answers in the conversation, and what it acknowledged."""

    text: str
    acknowledged: list[Notification]


def announced_open_notices(*, staff_id: int, group: ImGroup) -> list[Notification]:
    """The person's open notices on the topics this group's digests announced."""
    topics = (
        Delivery.objects.filter(group=group, status=Delivery.Status.SENT)
        .values_list("topic", flat=True)
        .distinct()
    )
    return list(
        Notification.objects.filter(
            Q(topic__in=topics),
            recipient_id=staff_id,
            requires_ack=True,
            acknowledged_at__isnull=True,
            is_cancelled=False,
        ).order_by("created_at", "id")
    )


def notifications_ack_by_group_reply(*, staff_id: int, group: ImGroup) -> list[Notification]:
    """Acknowledge the person's open notices that the group announced, timed like a link
    acknowledgement: one UPDATE now (escalation stops), effects applied by the worker."""
    rows = announced_open_notices(staff_id=staff_id, group=group)
    if not rows:
        return []
    now = clock.now()
    updated = Notification.objects.filter(
        pk__in=[n.pk for n in rows], acknowledged_at__isnull=True
    ).update(
        acknowledged_at=now,
        acknowledged_via=VIA,
        acknowledged_ip=context.client_ip.get(),
        next_escalation_at=None,
        ack_effects_pending=True,
        updated_at=now,
    )
    if updated:
        wakeups.ack_effects_wake()
    for n in rows:
        n.acknowledged_at, n.acknowledged_via = now, VIA
    return rows


def dingtalk_callback_handle(body: dict) -> GroupReply:
    """The reply to one verified callback (and the acknowledgements it made)."""
    text = str((body.get("text") or {}).get("content") or "")
    staff_id = str(body.get("senderStaffId") or "")
    staff = (
        Staff.objects.filter(dingtalk_user_id=staff_id, is_active=True).first()
        if staff_id
        else None
    )
    if staff is None:
        return GroupReply(
            _(
                "抱歉，未能识别您的身份（钉钉账号未登记在保障平台），本条回复未计为确认。请联系调度台 96311。"
            ),
            [],
        )
    if not is_answer(text):
        return GroupReply(
            _(
                "如需确认保障任务，请 @我 并回复“收到”“1”“ok”或“确认”；也可点击通知中的个人确认链接。"
            ),
            [],
        )
    group = ImGroup.objects.filter(
        platform=ImGroup.Platform.DINGTALK,
        dingtalk_conversation_id=str(body.get("conversationId") or ""),
    ).first()
    done = notifications_ack_by_group_reply(staff_id=staff.pk, group=group) if group else []
    if not done:
        return GroupReply(_("%(name)s：您在本群没有待确认的保障通知。") % {"name": staff.name}, [])
    titles = "；".join(dict.fromkeys(n.title for n in done))
    return GroupReply(
        _("%(name)s 已确认（%(at)s）：%(titles)s")
        % {
            "name": staff.name,
            "at": hhmm(done[0].acknowledged_at),
            "titles": titles,
        },
        done,
    )


def session_webhook_reply(url: str, reply: GroupReply, *, at_user_id: str = "") -> bool:
    """Post the reply into the conversation through the callback's sessionWebhook: only to
    DingTalk's own API host (the URL comes from the request body). Failures are logged."""
    base = settings.DINGTALK_API_URL.rstrip("/") + "/"
    if not url.startswith(base) or outbound_url_problem(url):
        log.warning("sessionWebhook refused: not on %s", base)
        return False
    message: dict = {"msgtype": "text", "text": {"content": reply.text}}
    if at_user_id:
        message["at"] = {"atUserIds": [at_user_id]}
    try:
        response = httpx.post(url, json=message, timeout=5.0)
        ok = response.status_code == 200 and response.json().get("errcode") == 0
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("sessionWebhook reply failed: %s", exc)
        return False
    if not ok:
        log.warning("sessionWebhook reply refused: %s", response.text[:200])
    return ok
