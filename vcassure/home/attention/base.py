"""What every attention source shares: the item and source types, urgencies, the limit per source and
small helpers (minutes late, "and N more", who is desk or field staff)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import ngettext

from vcassure.accounts.models import Role
from vcassure.accounts.types import UserLike
from vcassure.notifications.permissions import can_work_dispatch_desk

LIMIT = 12

# Urgency: lower is more urgent. The list is sorted by (urgency, due time).
NOW, SOON, LATER = 0, 1, 2

READY_STATES = ("ready", "in_meeting", "done", "restored")
OPEN_FAULT_STATES = ("open", "acknowledged", "assigned", "on_site")
FAR = datetime.max.replace(tzinfo=timezone.get_fixed_timezone(0))


@dataclass(frozen=True)
class AttentionItem:
    kind: str  # the source's key, also a CSS hook and a test hook (data-kind)
    urgency: int  # NOW, SOON or LATER
    label: str
    url: str
    detail: str = ""
    badge: str = ""
    tone: str = ""  # "bad", "warn", "ok" or "" (the badge's colour)
    due_at: datetime | None = None

    @property
    def sort_key(self) -> tuple[int, datetime]:
        return (self.urgency, self.due_at or FAR)


@dataclass(frozen=True)
class AttentionSource:
    key: str
    title: object  # a lazy string
    fine: object  # what it says when it has nothing: "no fault is open"
    collect: Callable[[UserLike, datetime], list[AttentionItem]]
    applies: Callable[[UserLike], bool]


def minutes_of(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds() // 60))


def late_by(due: datetime, now: datetime) -> str:
    return ngettext("已超时 %(n)s 分钟", "已超时 %(n)s 分钟", minutes_of(now - due)) % {
        "n": minutes_of(now - due)
    }


def more_item(kind: str, n: int, url: str) -> AttentionItem:
    return AttentionItem(
        kind=kind,
        urgency=LATER,
        label=ngettext("另有 %(n)s 项", "另有 %(n)s 项", n) % {"n": n},
        url=url,
    )


def staff_of(user: UserLike):
    return getattr(user, "staff_profile", None)


def is_desk(user: UserLike) -> bool:
    return can_work_dispatch_desk(user)


def is_field_staff(user: UserLike) -> bool:
    return bool(user.is_authenticated and user.role == Role.SUPPORT and staff_of(user) is not None)


def not_field_only(user: UserLike) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role != Role.SUPPORT))
