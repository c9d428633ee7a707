"""Share links for the customer (C7): read-only, expiring, revocable, limited to the maker's scope."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike, actor
from vcassure.core import clock
from vcassure.core.errors import ConflictError, InvalidInputError
from vcassure.core.services import audit_record
from vcassure.meetings.models import Meeting, ShareLink
from vcassure.meetings.permissions import can_manage_meetings
from vcassure.meetings.services._common import iso as _iso
from vcassure.orgs.scoping import in_scope

SHARE_LINK_MAX_DAYS = 30


def _check_can_share(meeting: Meeting, user: UserLike) -> None:
    """Whoever sees the meeting and manages meetings may share what they see; the rest: 404 out of
    scope, 403 for a role that only follows meetings."""
    if not Meeting.objects.visible_to(user).filter(pk=meeting.pk).exists():
        raise Meeting.DoesNotExist
    if not can_manage_meetings(user):
        raise PermissionDenied(_("只有调度员、部门负责人和管理员可以管理分享链接。"))


@transaction.atomic
def share_link_create(meeting: Meeting, *, by: UserLike, expires_at: datetime) -> ShareLink:
    """A read-only link to the meeting's readiness, limited to what `by` sees of it."""
    from vcassure.meetings.selectors import dashboard_root

    _check_can_share(meeting, by)
    meeting = Meeting.objects.select_related("org_unit").get(pk=meeting.pk)  # the current state
    if meeting.state in (Meeting.State.DRAFT, Meeting.State.CANCELLED):
        raise ConflictError(_("只有已发布的会议可以分享。"), code="not_published")
    now = clock.now()
    if expires_at <= now:
        raise InvalidInputError(
            _("有效期必须晚于现在。"),
            errors=[{"field": "expires_at", "message": _("有效期必须晚于现在。")}],
        )
    if expires_at > now + timedelta(days=SHARE_LINK_MAX_DAYS):
        message = _("有效期最长 %(days)s 天。") % {"days": SHARE_LINK_MAX_DAYS}
        raise InvalidInputError(message, errors=[{"field": "expires_at", "message": message}])
    link = ShareLink.objects.create(
        meeting=meeting,
        org_unit=dashboard_root(meeting, user=by),
        created_by=actor(by),
        created_at=now,
        expires_at=expires_at,
    )
    audit_record(
        actor=by,
        action="share_link.create",
        obj=link,
        changes={
            "meeting": meeting.pk,
            "org_unit": link.org_unit_id,
            "expires_at": _iso(expires_at),
        },
    )
    return link


@transaction.atomic
def share_link_revoke(link: ShareLink, *, by: UserLike) -> ShareLink:
    """Revoke a link at once (idempotent). A link made for a wider scope than `by` sees is missing."""
    link = (
        ShareLink.objects.select_for_update(of=("self",))
        .select_related("meeting", "org_unit")
        .get(pk=link.pk)
    )
    _check_can_share(link.meeting, by)
    if not in_scope(by, link.org_unit.path):
        raise ShareLink.DoesNotExist
    if link.revoked_at is None:
        link.revoked_at = clock.now()
        link.save(update_fields=["revoked_at"])
        audit_record(
            actor=by, action="share_link.revoke", obj=link, changes={"meeting": link.meeting_id}
        )
    return link
