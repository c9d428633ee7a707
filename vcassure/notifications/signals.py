"""What notifications tells the apps above it. Receivers are connected in their AppConfig.ready()."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.dispatch import Signal

from vcassure.accounts.types import UserLike


@dataclass(frozen=True)
class Acknowledgement:
    """A person answered a notice: how and when (by: the signed-in user, None through a link)."""

    notification: (
        Any  # Notification (signals.py is imported by models' neighbours; no model import here)
    )
    via: str
    at: datetime
    by: "UserLike | None" = None


# People acknowledged notices: kwargs acknowledgements (list[Acknowledgement]); one call per batch
# the worker applies, or a list of one for a signed-in acknowledgement.
notifications_acknowledged = Signal()


@dataclass(frozen=True)
class Delivered:
    """A personal notice reached its recipient on some channel for the first time."""

    notification: Any  # Notification
    channel: str
    at: datetime


# Personal notices reached their recipients for the first time: kwargs deliveries
# (list[Delivered]); one call per batch of outcomes the sender records.
notifications_delivered = Signal()
