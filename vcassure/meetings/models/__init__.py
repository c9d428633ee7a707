"""Meetings and what hangs off them: meetings (meetings.py), support tasks and their moves (tasks.py), share links (sharing.py), joint-test rounds and results (joint_tests.py)."""

from vcassure.meetings.models.joint_tests import TestResult, TestRound
from vcassure.meetings.models.meetings import (
    Meeting,
    MeetingEvent,
    MeetingQuerySet,
    MeetingVenue,
    notice_upload_to,
)
from vcassure.meetings.models.sharing import ShareLink, ShareLinkQuerySet, share_token
from vcassure.meetings.models.tasks import (
    STATE_LABELS,
    SupportTask,
    SupportTaskQuerySet,
    TaskCompletion,
    TaskTransition,
    overdue_q,
)

__all__ = [
    "Meeting",
    "MeetingEvent",
    "MeetingQuerySet",
    "MeetingVenue",
    "STATE_LABELS",
    "ShareLink",
    "ShareLinkQuerySet",
    "SupportTask",
    "SupportTaskQuerySet",
    "TaskCompletion",
    "TaskTransition",
    "TestResult",
    "TestRound",
    "notice_upload_to",
    "overdue_q",
    "share_token",
]
