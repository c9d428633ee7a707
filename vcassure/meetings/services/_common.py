"""Small helpers shared by the meetings services."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike
from vcassure.meetings.models import Meeting
from vcassure.meetings.permissions import can_manage_meetings


def iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def check_role(user: UserLike) -> None:
    """A role that only follows meetings may not change them (403)."""
    if not can_manage_meetings(user):
        raise PermissionDenied(_("您的角色只能查看会议，不能创建、发布、改期或取消会议。"))


def check_owner(meeting: Meeting, user: UserLike) -> None:
    """Out of scope looks like missing (404); in view but not owned, or a role that only follows
    meetings, is refused (403)."""
    if not Meeting.objects.visible_to(user).filter(pk=meeting.pk).exists():
        raise Meeting.DoesNotExist
    check_role(user)
    if not Meeting.objects.owned_by(user).filter(pk=meeting.pk).exists():
        raise PermissionDenied(_("您只能查看该会议，不能修改。"))
