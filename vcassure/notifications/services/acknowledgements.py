"""Acknowledgements: by personal link (no login, the signed token is the credential) and by a
signed-in person (page or API).

A link acknowledgement is the hot path of a meeting (thousands of people answering within minutes),
so the request does one thing: ONE conditional UPDATE that marks the link used and the notice
acknowledged, stops its escalation and flags its effects as pending. Of two racing requests with
the same link exactly one matches the row. The effects — the task the notice is about, the same
person's other open notices on that subject, queued re-sends, the audit row — are applied by the
worker moments later (acknowledgements_apply), a few hundred at a time in a handful of statements.
Until then the sender already skips queued re-sends of the notice (outbox.deliveries_claim)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike
from vcassure.core import clock, context
from vcassure.core.locking import skip_locked
from vcassure.core.services import audit_record, audit_record_many
from vcassure.core.timefmt import month_day_hhmm
from vcassure.notifications import tokens, wakeups
from vcassure.notifications.models import Delivery, Notification
from vcassure.notifications.signals import Acknowledgement, notifications_acknowledged

# What acknowledging reads of a notice: the checks of a link, the audit record and the receivers.
ACK_FIELDS = (
    "id",
    "recipient_id",
    "kind",
    "topic",
    "subject",
    "title",
    "requires_ack",
    "acknowledged_at",
    "acknowledged_via",
    "acknowledged_ip",
    "token_nonce",
    "token_used_at",
    "is_cancelled",
    "created_at",
)
# The worker applies pending effects at most this long after the first acknowledgement of a burst.


class AckError(Exception):
    """An acknowledgement link that cannot be used; `reason` is shown on the page."""

    def __init__(self, reason: str, code: str):
        super().__init__(reason)
        self.reason, self.code = reason, code


def _claim_of(token: str) -> tokens.AckClaim:
    from django.core import signing

    try:
        return tokens.read_token(token)
    except signing.SignatureExpired as exc:
        raise AckError(
            _("该确认链接已过期，请在“我的任务”中确认或联系调度台。"), "expired"
        ) from exc
    except signing.BadSignature as exc:
        raise AckError(_("该确认链接无效。"), "invalid") from exc


def notification_from_token(token: str) -> Notification:
    claim = _claim_of(token)
    notification = (
        Notification.objects.select_related("recipient")
        .filter(pk=claim.notification_id, recipient_id=claim.staff_id)
        .first()
    )
    if notification is None or notification.token_nonce != claim.nonce:
        raise AckError(_("该确认链接无效。"), "invalid")
    return notification


def _open_for(recipient_id: int, subject) -> Q:
    return Q(
        recipient_id=recipient_id, subject=subject, acknowledged_at__isnull=True, requires_ack=True
    )


@dataclass(frozen=True)
class LinkAck:
    """What acknowledging through a link did: the notice, when it was acknowledged (now, or before
    by other means) and whether this was the first answer."""

    notification_id: int
    acknowledged_at: datetime
    first_time: bool


def notification_ack_by_token(token: str) -> LinkAck:
    """Acknowledge through a personal link. A link is single use: once used it only shows what was
    acknowledged and when (AckError "used"). The signature is checked before any statement; the
    acknowledgement itself is one autocommitted UPDATE."""
    claim = _claim_of(token)
    now = clock.now()
    link = Notification.objects.filter(
        pk=claim.notification_id,
        recipient_id=claim.staff_id,
        token_nonce=claim.nonce,
        token_used_at__isnull=True,
        is_cancelled=False,
    )
    if link.filter(acknowledged_at__isnull=True).update(
        token_used_at=now,
        acknowledged_at=now,
        acknowledged_via="link",
        acknowledged_ip=context.client_ip.get(),
        next_escalation_at=None,
        ack_effects_pending=True,
        updated_at=now,
    ):
        wakeups.ack_effects_wake()
        return LinkAck(claim.notification_id, now, True)
    if link.update(
        token_used_at=now, updated_at=now
    ):  # answered another way before: the link is now used too
        at = (
            Notification.objects.filter(pk=claim.notification_id)
            .values_list("acknowledged_at", flat=True)
            .get()
        )
        return LinkAck(
            claim.notification_id, at or now, False
        )  # set: the first UPDATE failed on it alone
    raise _unusable(claim)


def _unusable(claim: tokens.AckClaim) -> AckError:
    """Why a link that is correctly signed matched no usable notice."""
    notification = (
        Notification.objects.filter(pk=claim.notification_id, recipient_id=claim.staff_id)
        .only("token_nonce", "token_used_at", "acknowledged_at", "is_cancelled")
        .first()
    )
    if notification is None or notification.token_nonce != claim.nonce:
        return AckError(_("该确认链接无效。"), "invalid")
    if notification.token_used_at is not None:
        at = notification.acknowledged_at or notification.token_used_at
        return AckError(
            _("该确认链接已使用过(%(at)s 已确认)。") % {"at": month_day_hhmm(at)},
            "used",
        )
    return AckError(_("该通知已撤销(会议已取消或已改期)，无需确认。"), "cancelled")


# --- Applying the effects of link acknowledgements (the worker) ---------------------------------


def acknowledgements_apply(*, limit: int = 500, subjects: Iterable[str] | None = None) -> int:
    """Apply the effects of up to `limit` link acknowledgements (or only those about `subjects`)
    in one transaction: the same people's other open notices on the same subjects are acknowledged
    too, queued sends of all of them cancelled, one audit row each, and the apps above told (the
    task moves). Rows another worker holds are skipped. Returns how many were applied."""
    pending = Notification.objects.filter(ack_effects_pending=True)
    if subjects is not None:
        pending = pending.filter(subject__in=list(subjects))
    with transaction.atomic():
        rows = list(skip_locked(pending).only(*ACK_FIELDS).order_by("id")[:limit])
        if not rows:
            return 0
        keys = {(n.recipient_id, n.subject): n for n in rows}
        others = [
            o
            for o in Notification.objects.select_for_update()
            .filter(
                recipient_id__in={r for r, _s in keys},
                subject__in={s for _r, s in keys},
                acknowledged_at__isnull=True,
                requires_ack=True,
            )
            .only("id", "recipient_id", "subject")
            .order_by("id")
            if (o.recipient_id, o.subject) in keys
        ]
        now = clock.now()
        for o in others:
            answer = keys[(o.recipient_id, o.subject)]
            o.acknowledged_at, o.acknowledged_via, o.next_escalation_at, o.updated_at = (
                answer.acknowledged_at,
                answer.acknowledged_via,
                None,
                now,
            )
        if others:
            Notification.objects.bulk_update(
                others, ["acknowledged_at", "acknowledged_via", "next_escalation_at", "updated_at"]
            )
        ids = [n.pk for n in rows] + [o.pk for o in others]
        Delivery.objects.filter(notification_id__in=ids, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.CANCELLED, last_error="acknowledged", updated_at=now
        )
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(ack_effects_pending=False)
        audit_record_many(
            [
                {
                    "action": "notification.acknowledge",
                    "obj": n,
                    "at": n.acknowledged_at,
                    "ip_address": n.acknowledged_ip,
                    "changes": {"via": n.acknowledged_via, "subject": n.subject},
                }
                for n in rows
            ]
        )
        notifications_acknowledged.send(
            sender=Notification,
            acknowledgements=[
                Acknowledgement(notification=n, via=n.acknowledged_via, at=n.acknowledged_at)
                for n in rows
            ],
        )
    return len(rows)


def acknowledgements_apply_all() -> int:
    """Apply every pending acknowledgement, batch after batch (the queue task)."""
    total = 0
    while n := acknowledgements_apply():
        total += n
    return total


# --- Acknowledged by a signed-in person (page or API) --------------------------------------------


def notifications_acknowledge(
    *, recipient_id: int, subject: str, via: str, by: "UserLike | None" = None
) -> bool:
    """Acknowledge everything one person was asked about one subject, effects included, at once.
    Idempotent: returns False when it was already acknowledged. Stops escalation and cancels queued
    re-sends."""
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update()
            .filter(_open_for(recipient_id, subject))
            .only(*ACK_FIELDS)
            .order_by("-created_at", "-id")
        )
        if not rows:
            return False
        now = clock.now()
        ids = [n.pk for n in rows]
        Notification.objects.filter(pk__in=ids).update(
            acknowledged_at=now, acknowledged_via=via[:20], next_escalation_at=None, updated_at=now
        )
        Delivery.objects.filter(notification_id__in=ids, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.CANCELLED, last_error="acknowledged", updated_at=now
        )
        newest = rows[0]
        newest.acknowledged_at, newest.acknowledged_via = now, via[:20]
        audit_record(
            actor=by,
            action="notification.acknowledge",
            obj=newest,
            changes={"via": via, "subject": subject},
        )
        notifications_acknowledged.send(
            sender=Notification,
            acknowledgements=[Acknowledgement(notification=newest, via=via, at=now, by=by)],
        )
    return True
