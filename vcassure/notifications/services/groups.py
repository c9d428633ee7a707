"""IM groups: creating and changing one (validated, audited), which groups cover a unit (R4), a test
message, and telling the desk when a robot needs attention."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike
from vcassure.core import clock
from vcassure.core.errors import InvalidInputError
from vcassure.core.outbound import check_outbound_url
from vcassure.core.services import audit_record
from vcassure.notifications.channels import escaping
from vcassure.notifications.models import (
    Delivery,
    ImGroup,
    Notification,
)
from vcassure.notifications.services.messages import (
    PersonalMessage,
    group_digests_queue,
    notifications_queue,
)
from vcassure.orgs.models import OrgUnit
from vcassure.orgs.selectors import dispatch_desk_staff


def groups_covering(
    unit_paths: Iterable[str], *, purpose: str | None = None, unrestricted_only: bool = False
) -> dict[str, list[ImGroup]]:
    """For each unit path, the active groups whose unit is that unit or one of its ancestors.
    Each group carries `department_ids` (empty: it serves every department in its subtree)."""
    groups = list(
        ImGroup.objects.filter(is_active=True)
        .select_related("org_unit")
        .prefetch_related("departments")
    )
    for group in groups:
        group.department_ids = {d.pk for d in group.departments.all()}
    if purpose:
        groups = [g for g in groups if g.purpose == purpose]
    if unrestricted_only:
        groups = [g for g in groups if not g.department_ids]
    return {
        path: [g for g in groups if path.startswith(g.org_unit.path)] for path in set(unit_paths)
    }


def check_group_coverage(unit_ids: Iterable[int], *, minimum: int = 2) -> list[dict]:
    """R4: every notice goes to at least two IM groups. The units concerned that fall short."""
    units = list(OrgUnit.objects.filter(pk__in=set(unit_ids)).only("id", "name", "path"))
    # Only groups that serve every department count: a department group sees part of the work.
    covering = groups_covering([u.path for u in units], unrestricted_only=True)
    return [
        {"org_unit": u.pk, "name": u.name, "groups": len(covering[u.path])}
        for u in units
        if len(covering[u.path]) < minimum
    ]


def _validate_group(group: ImGroup) -> None:
    from django.core.exceptions import ValidationError

    errors = []
    try:
        group.full_clean()
    except ValidationError as exc:
        errors = [
            {"field": f, "message": " ".join(str(m) for m in msgs)}
            for f, msgs in exc.message_dict.items()
        ]
    if group.platform == ImGroup.Platform.DINGTALK and "access_token=" not in (
        group.webhook_url or ""
    ):
        errors.append(
            {"field": "webhook_url", "message": _("钉钉机器人地址应包含 access_token 参数。")}
        )
    if group.platform == ImGroup.Platform.WECOM and "key=" not in (group.webhook_url or ""):
        errors.append({"field": "webhook_url", "message": _("企业微信机器人地址应包含 key 参数。")})
    try:
        check_outbound_url(group.webhook_url or "", field="webhook_url")
    except InvalidInputError as exc:
        errors = [e for e in errors if e["field"] != "webhook_url"] + exc.errors
    if errors:
        raise InvalidInputError(_("群机器人信息有误。"), errors=errors)


@transaction.atomic
def im_group_create(*, by: UserLike, **fields) -> ImGroup:
    departments = fields.pop("departments", None)
    group = ImGroup(**fields)
    _validate_group(group)
    checked = _departments_in_scope(group, departments)
    group.save()
    if checked is not None:
        group.departments.set(checked)
    audit_record(
        actor=by,
        action="im_group.create",
        obj=group,
        changes={
            **{k: str(v) for k, v in fields.items() if k != "secret"},
            "departments": [d.pk for d in checked or []],
        },
    )
    return group


def _departments_in_scope(group: ImGroup, departments) -> list | None:
    """The departments a group serves must lie in its unit's subtree."""
    if departments is None:
        return None
    from vcassure.orgs.models import Department

    ids = [d.pk if hasattr(d, "pk") else int(d) for d in departments]
    found = list(Department.objects.filter(pk__in=ids).select_related("org_unit"))
    outside = [d for d in found if not d.org_unit.path.startswith(group.org_unit.path)]
    missing = set(ids) - {d.pk for d in found}
    if outside or missing:
        raise InvalidInputError(
            _("群机器人信息有误。"),
            errors=[
                {"field": "departments", "message": _("所选部门不存在或不在该群的服务范围内。")}
            ],
        )
    return found


@transaction.atomic
def im_group_update(group: ImGroup, *, by: UserLike, **fields) -> ImGroup:
    departments = fields.pop("departments", None)
    changed = [k for k, v in fields.items() if getattr(group, k) != v]
    for name, value in fields.items():
        setattr(group, name, value)
    if {"webhook_url", "secret"} & set(changed):
        group.needs_attention, group.last_error, group.paused_until = False, "", None
    _validate_group(group)
    checked = _departments_in_scope(group, departments)
    group.save()
    if checked is not None:
        group.departments.set(checked)
        changed.append("departments")
    audit_record(actor=by, action="im_group.update", obj=group, changes={"fields": changed})
    return group


@transaction.atomic
def im_group_test_queue(group: ImGroup, *, by: UserLike) -> Delivery:
    """Queue one test digest into a group (topic "test:<id>"), so an administrator sees the robot
    work end to end. It waits like any digest while the group is inactive, paused or broken."""
    from django.core.exceptions import PermissionDenied
    from django.utils import timezone

    from vcassure.notifications.permissions import can_manage_im_groups

    if not can_manage_im_groups(by):
        raise PermissionDenied
    title = _("【测试】视频会商保障平台测试消息")
    at = timezone.localtime(clock.now()).strftime("%Y-%m-%d %H:%M")
    sentence = _("这是一条测试消息：群“%(name)s”的机器人已接入视频会商保障平台(%(at)s)。")
    text = sentence % {"name": group.name, "at": at}
    markdown = sentence % {"name": escaping.markdown(group.name), "at": at}
    [delivery] = group_digests_queue(
        topic=f"test:{group.pk}",
        groups=[group],
        title=title,
        markdown=f"### {title}\n\n{markdown}",
        text=f"{title}\n{text}",
        mentions={},
    )
    audit_record(actor=by, action="im_group.test", obj=group, changes={"topic": f"test:{group.pk}"})
    return delivery


def im_group_alert_administrators(group: ImGroup, *, error: str) -> None:
    """A robot's token or signature was refused: tell the province dispatch desk (who administer the
    groups) once, until someone fixes the group."""
    desk = dispatch_desk_staff()
    if not desk:
        return
    body = _(
        "群“%(name)s”的机器人地址或加签密钥无效，消息无法发出：%(error)s。请在“消息群”中修正。"
    ) % {"name": group.name, "error": error}
    notifications_queue(
        [
            PersonalMessage(
                staff=person,
                subject=f"im_group:{group.pk}",
                title=_("【消息群配置错误】%(name)s") % {"name": group.name},
                body=body,
                requires_ack=False,
            )
            for person in desk
        ],
        topic=f"im_group:{group.pk}",
        kind=Notification.Kind.INFO,
    )
