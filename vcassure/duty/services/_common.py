"""What the duty services share: the role check and the topic of a shift's notices."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike
from vcassure.core.subjects import subject_ref
from vcassure.duty.permissions import can_manage_roster

CHECK_IN_EARLY = timedelta(hours=1)


def shift_topic(shift_id: int) -> str:
    return subject_ref("shift", shift_id)


def require_manager(user: UserLike) -> None:
    if not can_manage_roster(user):
        raise PermissionDenied(_("您的角色不能编排值班。"))
