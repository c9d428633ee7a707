"""Writes for notifications: queue messages (rows first, queue poked on commit), manage IM
groups. Acknowledging lives in acknowledgements.py; sending and escalating in outbox.py and
escalation.py."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from vcassure.core import clock
from vcassure.core.errors import InvalidInputError
from vcassure.core.outbound import check_outbound_url
from vcassure.core.services import audit_record
from vcassure.notifications import calendar, tokens
from vcassure.notifications.channels import escaping
from vcassure.notifications.channels.base import channel_registry
from vcassure.notifications.models import (
    Delivery,
    EscalationPolicy,
    ImGroup,
    Notification,
    PhoneCallTask,
)
from vcassure.notifications.services.acknowledgements import notifications_acknowledge
from vcassure.orgs.models import OrgUnit, Staff

BULK_BATCH = 500
CHANNEL_REQUIREMENTS = {
    # channel code → (setting that must be set, staff attribute the person must have)
    "dingtalk_work_notice": ("DINGTALK_APP_KEY", "dingtalk_user_id"),
    "wecom_app_message": ("WECOM_CORP_ID", "wecom_user_id"),
    "sms": ("SMS_GATEWAY_URL", "mobile"),
    "aliyun_sms": ("ALIYUN_ACCESS_KEY_ID", "mobile"),
    "email": ("EMAIL_URL", "email"),
    "oa": ("OA_WEBHOOK_URL", "email"),
    "voice": ("ALIYUN_ACCESS_KEY_ID", "mobile"),
}


def channel_is_configured(code: str) -> bool:
    setting, _attr = CHANNEL_REQUIREMENTS.get(code, ("", ""))
    return bool(setting and getattr(settings, setting, ""))


def personal_channels_for(staff: Staff, *, only: Iterable[str] | None = None) -> list[str]:
    """The channels that can reach this person, in the configured order."""
    order = list(only) if only is not None else settings.PERSONAL_CHANNEL_ORDER
    result = []
    for code in order:
        if code not in CHANNEL_REQUIREMENTS or not channel_is_configured(code):
            continue
        if getattr(staff, CHANNEL_REQUIREMENTS[code][1], ""):
            result.append(code)
    return result


def recipient_payload(staff: Staff) -> dict:
    return {
        "staff_id": staff.pk,
        "name": staff.name,
        "mobile": staff.mobile,
        "email": staff.email,
        "dingtalk_user_id": staff.dingtalk_user_id,
        "wecom_user_id": staff.wecom_user_id,
    }


@dataclass
class PersonalMessage:
    """One person to notify about one subject."""

    staff: Staff
    subject: str
    title: str
    body: str
    requires_ack: bool = True
    escalates: Notification | None = None
    topic: str = ""  # defaults to the batch's topic
    extra: dict = field(default_factory=dict)


def escalation_steps_for(
    staff: Staff, policies: dict[int | None, list] | None = None
) -> list[dict]:
    if policies is None:
        policies = escalation_policies()
    return policies.get(staff.department_id) or policies.get(None) or EscalationPolicy.DEFAULT_STEPS


def escalation_policies() -> dict[int | None, list]:
    return {p.department_id: p.steps for p in EscalationPolicy.objects.all()}


def _ack_class(channels: list[str], mentioned_in_im_group: bool) -> Literal["im", "office"]:
    registry = channel_registry()
    if mentioned_in_im_group or (channels and registry[channels[0]].ack_class == "im"):
        return "im"
    return "office"


def notifications_queue(
    messages: list[PersonalMessage],
    *,
    topic: str = "",
    kind: str,
    mentioned_staff_ids: set[int] | None = None,
    now: datetime | None = None,
) -> list[Notification]:
    """Write one Notification and its first Delivery per message (bulk), with the reply deadline
    and the escalation policy copied on. Call inside the business transaction; the queue is
    poked when it commits."""
    now = now or clock.now()
    mentioned = mentioned_staff_ids or set()
    policies = escalation_policies()
    rows: list[Notification] = []
    first_channels: list[list[str]] = []
    deadline_cache: dict[Literal["im", "office"], datetime] = {}
    for msg in messages:
        channels = personal_channels_for(msg.staff)
        ack_class = _ack_class(channels, msg.staff.pk in mentioned)
        if ack_class not in deadline_cache:
            deadline_cache[ack_class] = calendar.ack_due_at(now, ack_class)
        due = deadline_cache[ack_class] if msg.requires_ack else None
        steps = escalation_steps_for(msg.staff, policies) if msg.requires_ack else []
        rows.append(
            Notification(
                recipient=msg.staff,
                kind=kind,
                topic=msg.topic or topic,
                subject=msg.subject,
                title=escaping.one_line(msg.title)[:200],
                body=msg.body,
                requires_ack=msg.requires_ack,
                ack_class=ack_class,
                ack_due_at=due,
                escalation_steps=steps,
                next_escalation_at=(due + timedelta(minutes=steps[0]["after_minutes"]))
                if steps and due
                else None,
                token_nonce=tokens.new_nonce(),
                escalates=msg.escalates,
                created_at=now,
            )
        )
        first_channels.append(channels)
    Notification.objects.bulk_create(rows, batch_size=BULK_BATCH)
    deliveries = []
    for notification, channels, msg in zip(rows, first_channels, messages, strict=True):
        if not channels:
            continue  # nobody to reach by message: escalation takes over at the deadline
        deliveries.append(personal_delivery_build(notification, channels[0], msg.staff, now=now))
    Delivery.objects.bulk_create(deliveries, batch_size=BULK_BATCH)
    poke_outbox_on_commit()
    return rows


def personal_delivery_build(
    notification: Notification,
    channel: str,
    staff: Staff,
    *,
    now: datetime,
    failover_of: Delivery | None = None,
) -> Delivery:
    link = tokens.ack_url(
        tokens.make_token(
            notification_id=notification.pk, staff_id=staff.pk, nonce=notification.token_nonce
        )
    )
    return Delivery(
        notification=notification,
        topic=notification.topic,
        channel=channel,
        status=Delivery.Status.QUEUED,
        next_attempt_at=now,
        created_at=now,
        failover_of=failover_of,
        payload={
            "title": notification.title,
            "text": notification.body,
            "link_url": link if notification.requires_ack else "",
            "recipient": recipient_payload(staff),
        },
    )


def group_digests_queue(
    *,
    topic: str,
    groups: list[ImGroup],
    title: str,
    markdown: str,
    text: str,
    mentions: dict[int, list[str]],
    now: datetime | None = None,
) -> list[Delivery]:
    """ONE digest per group per meeting event, with @mentions of the people concerned in it
    (mentions: group id → mobiles)."""
    now = now or clock.now()
    rows = [
        Delivery(
            group=g,
            topic=topic,
            channel=g.channel_code,
            status=Delivery.Status.QUEUED,
            next_attempt_at=now,
            created_at=now,
            payload={
                "title": title,
                "markdown": markdown,
                "text": text,
                "mention_mobiles": mentions.get(g.pk, [])[:100],
            },
        )
        for g in groups
    ]
    Delivery.objects.bulk_create(rows, batch_size=BULK_BATCH)
    poke_outbox_on_commit()
    return rows


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


def _poke_outbox() -> None:
    from vcassure.notifications.tasks import process_outbox_task

    process_outbox_task()


def poke_outbox_on_commit() -> None:
    """Wake the sender once the rows are committed: one queue message per transaction, however
    many messages it queued (a publish queues digests for every group and the personal notices)."""
    connection = transaction.get_connection()
    # Django keeps the callbacks of the open transaction in run_on_commit (dropped on rollback).
    if connection.in_atomic_block and any(
        func is _poke_outbox for _sids, func, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(_poke_outbox)


def notifications_cancel(*, topic: str, subjects: Iterable[str] | None = None) -> int:
    """Withdraw open notices (meeting cancelled or rescheduled): no more sends, no escalation."""
    qs = Notification.objects.filter(topic=topic, acknowledged_at__isnull=True, is_cancelled=False)
    if subjects is not None:
        qs = qs.filter(subject__in=list(subjects))
    ids = list(qs.values_list("id", flat=True))
    now = clock.now()
    Notification.objects.filter(pk__in=ids).update(
        is_cancelled=True, next_escalation_at=None, updated_at=now
    )
    Delivery.objects.filter(notification_id__in=ids, status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.CANCELLED, last_error="withdrawn", updated_at=now
    )
    return len(ids)


IM_GROUP_FIELDS = [
    "platform",
    "name",
    "webhook_url",
    "secret",
    "org_unit",
    "purpose",
    "is_active",
    "departments",
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
def im_group_create(*, by, **fields) -> ImGroup:
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
def im_group_update(group: ImGroup, *, by, **fields) -> ImGroup:
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


def unanswered_q(now: datetime) -> Q:
    return Q(
        acknowledged_at__isnull=True,
        requires_ack=True,
        is_cancelled=False,
        ack_due_at__isnull=False,
    )


PHONE_CALL_OUTCOMES = {"reached", "no_answer", "wrong_number"}
PHONE_CALL_NOTE_MAX_LENGTH = 500


@transaction.atomic
def phone_call_record(call: PhoneCallTask, *, by, outcome: str, note: str = "") -> PhoneCallTask:
    """The dispatch desk records how a call went. "reached" means the person heard the notice on
    the phone: it is acknowledged for them (via "phone"), which stops the escalation."""
    from django.core.exceptions import PermissionDenied

    from vcassure.core.errors import ConflictError
    from vcassure.notifications.permissions import can_work_dispatch_desk

    if not can_work_dispatch_desk(by):
        raise PermissionDenied
    note = (note or "").strip()
    errors = []
    if outcome not in PHONE_CALL_OUTCOMES:
        errors.append({"field": "outcome", "message": _("请选择通话结果。")})
    if len(note) > PHONE_CALL_NOTE_MAX_LENGTH:
        errors.append(
            {
                "field": "note",
                "message": _("备注最多 %(n)d 个字。") % {"n": PHONE_CALL_NOTE_MAX_LENGTH},
            }
        )
    if errors:
        raise InvalidInputError(_("通话结果有误。"), errors=errors)
    call = (
        PhoneCallTask.objects.select_for_update(of=("self",))
        .select_related("notification")
        .get(pk=call.pk)
    )
    if call.outcome != PhoneCallTask.Outcome.PENDING:
        raise ConflictError(
            _("该电话任务已记录过结果(%(outcome)s)。") % {"outcome": call.get_outcome_display()}
        )
    call.outcome, call.note, call.done_at, call.done_by = outcome, note, clock.now(), by
    call.save(update_fields=["outcome", "note", "done_at", "done_by", "updated_at"])
    audit_record(
        actor=by, action="phone_call.record", obj=call, changes={"outcome": outcome, "note": note}
    )
    if outcome == PhoneCallTask.Outcome.REACHED:
        notification = call.notification
        notifications_acknowledge(
            recipient_id=notification.recipient_id, subject=notification.subject, via="phone", by=by
        )
    return call


def phone_call_number_reveal(call: PhoneCallTask, *, by) -> str:
    """Show the full number of a phone-call task to a role that may see it, and leave a trace."""
    from django.core.exceptions import PermissionDenied

    from vcassure.accounts.permissions import can_see_phone_numbers

    if not can_see_phone_numbers(by):
        raise PermissionDenied
    audit_record(
        actor=by,
        action="phone_call.number_reveal",
        obj=call,
        changes={"notification": call.notification_id},
    )
    return call.number


@transaction.atomic
def im_group_test_queue(group: ImGroup, *, by) -> Delivery:
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


ESCALATION_ACTIONS = {"renotify", "supervisor", "department_head", "dispatch_desk"}


def escalation_steps_problems(steps) -> list[str]:
    """What is wrong with a policy's steps (empty when it is usable)."""
    if not isinstance(steps, list) or not steps:
        return [_("升级步骤应为非空列表。")]
    problems: list[str] = []
    previous = -1
    for i, step in enumerate(steps, start=1):
        if not isinstance(step, dict):
            problems.append(_("第 %(i)s 步格式不正确。") % {"i": i})
            continue
        minutes = step.get("after_minutes")
        if not isinstance(minutes, int) or minutes < 0:
            problems.append(_("第 %(i)s 步的 after_minutes 应为非负整数。") % {"i": i})
        elif minutes < previous:
            problems.append(_("第 %(i)s 步的时间早于上一步。") % {"i": i})
        else:
            previous = minutes
        if step.get("action") not in ESCALATION_ACTIONS:
            problems.append(_("第 %(i)s 步的动作无效：%(a)s。") % {"i": i, "a": step.get("action")})
        if step.get("action") == "renotify" and not step.get("channels"):
            problems.append(_("第 %(i)s 步(换渠道重发)需要列出渠道。") % {"i": i})
    return problems


@transaction.atomic
def escalation_policy_save(policy: EscalationPolicy, *, by) -> EscalationPolicy:
    problems = escalation_steps_problems(policy.steps)
    if problems:
        raise InvalidInputError(
            _("升级策略有误。"), errors=[{"field": "steps", "message": p} for p in problems]
        )
    created = policy.pk is None
    policy.save()
    audit_record(
        actor=by,
        action="escalation_policy.create" if created else "escalation_policy.update",
        obj=policy,
        changes={"steps": policy.steps},
    )
    return policy


def im_group_alert_administrators(group: ImGroup, *, error: str) -> None:
    """A robot's token or signature was refused: tell the province dispatch desk (who administer the
    groups) once, until someone fixes the group."""
    from vcassure.notifications.escalation import dispatch_desk_staff

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
