"""Fixtures of the security matrix: the `province` of the meetings tests (departments, staff,
venues, IM groups on the `tree` of the root conftest), and helpers that snapshot the database."""

import pytest
from django.apps import apps

from vcassure.meetings import services
from vcassure.meetings.models import SupportTask
from vcassure.meetings.tests.conftest import province, tomorrow  # noqa: F401  (fixtures)
from vcassure.meetings.tests.test_dispatch import make_meeting
from vcassure.notifications import tokens
from vcassure.notifications.models import Notification


def row_counts() -> dict[str, int]:
    """Rows per table of every model (sessions included): what a leaked write would change."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def row_state(obj) -> dict:
    """Every column of one row as stored now."""
    fresh = type(obj)._default_manager.get(pk=obj.pk)
    return {field.attname: getattr(fresh, field.attname) for field in fresh._meta.concrete_fields}


@pytest.fixture
def snapshot():
    """snapshot(*rows) -> a callable returning what changed since: tables whose row count moved,
    and target rows with any column changed (updated_at included)."""

    def take(*rows):
        counts, states = row_counts(), [(row, row_state(row)) for row in rows]

        def changes() -> list[str]:
            now = row_counts()
            found = [
                f"{label}: {counts[label]} → {now[label]} rows"
                for label in counts
                if counts[label] != now[label]
            ]
            for row, before in states:
                after = row_state(row)
                found += [
                    f"{row._meta.label}#{row.pk}.{k}: {before[k]!r} → {after[k]!r}"
                    for k in before
                    if before[k] != after[k]
                ]
            return found

        return changes

    return take


@pytest.fixture
def field_setup(province, tomorrow, settings):  # noqa: F811
    """A published meeting; a venue task, its person's acknowledgement token, a share link."""
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    meeting = make_meeting(province, tomorrow, province.venues[:2])
    services.meeting_publish(meeting, by=province.user("province"), confirm_shortfalls=True)
    task = SupportTask.objects.get(meeting=meeting, venue=province.venues[0])
    notice = Notification.objects.get(subject=f"task:{task.pk}", recipient=task.assignee)
    token = tokens.make_token(
        notification_id=notice.pk, staff_id=notice.recipient_id, nonce=notice.token_nonce
    )
    link = services.share_link_create(
        meeting, by=province.user("province"), expires_at=meeting.starts_at
    )
    return meeting, task, token, link
