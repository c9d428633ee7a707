"""Notifications: the tests' "now", queued personal notices and acknowledgement tokens."""

from django.db import transaction

from vcassure.notifications import services, tokens
from vcassure.notifications.models import Notification

NOWHERE = "http://127.0.0.1:9"  # nothing listens there: a channel pointed at it fails fast
T0 = "2026-12-01 09:00 +0800"  # a Tuesday, in working hours: the tests' "now"


def queue_for(people, *, subject_prefix="task", title="防汛会商保障通知") -> list[Notification]:
    """One personal notice per staff member, queued as publishing a meeting would."""
    with transaction.atomic():
        return services.notifications_queue(
            [
                services.PersonalMessage(
                    staff=p, subject=f"{subject_prefix}:{p.pk}", title=title, body="请确认"
                )
                for p in people
            ],
            topic="meeting:1",
            kind=Notification.Kind.PUBLISHED,
        )


def ack_token(notice: Notification) -> str:
    """The token of the recipient's personal acknowledgement link."""
    return tokens.make_token(
        notification_id=notice.pk, staff_id=notice.recipient_id, nonce=notice.token_nonce
    )
