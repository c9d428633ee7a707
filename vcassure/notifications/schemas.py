from datetime import datetime

from ninja import Schema
from pydantic import Field

from vcassure.core.schemas import ObjectId
from vcassure.notifications.models import ImGroup


class ImGroupOut(Schema):
    id: int
    platform: str
    name: str
    webhook_url: str
    secret: str  # masked: only the last four characters are shown
    org_unit: int
    purpose: str
    departments: list[int]
    dingtalk_conversation_id: str
    is_active: bool
    paused_until: datetime | None
    needs_attention: bool
    last_error: str

    @staticmethod
    def resolve_secret(obj) -> str:
        return f"****{obj.secret[-4:]}" if obj.secret else ""

    @staticmethod
    def resolve_org_unit(obj) -> int:
        return obj.org_unit_id

    @staticmethod
    def resolve_departments(obj) -> list[int]:
        return sorted(d.pk for d in obj.departments.all())


class ImGroupIn(Schema):
    platform: ImGroup.Platform
    name: str = Field(min_length=1, max_length=100)
    webhook_url: str = Field(min_length=1, max_length=500)
    secret: str = Field(default="", max_length=200)
    org_unit: ObjectId
    purpose: ImGroup.Purpose = ImGroup.Purpose.SUPPORT
    departments: list[ObjectId] = Field(
        default_factory=list, description="empty: every department in the unit's subtree"
    )
    dingtalk_conversation_id: str = Field(
        default="",
        max_length=100,
        description="DingTalk conversationId: replies in the group count",
    )
    is_active: bool = True


class ImGroupPatch(Schema):
    platform: ImGroup.Platform | None = None
    name: str | None = Field(default=None, min_length=1, max_length=100)
    webhook_url: str | None = Field(default=None, min_length=1, max_length=500)
    secret: str | None = Field(default=None, max_length=200)
    org_unit: ObjectId | None = None
    purpose: ImGroup.Purpose | None = None
    departments: list[ObjectId] | None = None
    dingtalk_conversation_id: str | None = Field(default=None, max_length=100)
    is_active: bool | None = None


class AttemptOut(Schema):
    at: datetime
    ok: bool
    error: str
    retryable: bool
    duration_ms: int
    http_status: int | None


class DeliveryOut(Schema):
    id: int
    channel: str
    status: str
    topic: str
    notification: int | None
    recipient: int | None
    recipient_name: str | None
    group: int | None
    group_name: str | None
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str
    attempt_log: list[AttemptOut]

    @staticmethod
    def resolve_notification(obj) -> int | None:
        return obj.notification_id

    @staticmethod
    def resolve_recipient(obj) -> int | None:
        return obj.notification.recipient_id if obj.notification_id else None

    @staticmethod
    def resolve_recipient_name(obj) -> str | None:
        return obj.notification.recipient.name if obj.notification_id else None

    @staticmethod
    def resolve_group(obj) -> int | None:
        return obj.group_id

    @staticmethod
    def resolve_group_name(obj) -> str | None:
        return obj.group.name if obj.group_id else None

    @staticmethod
    def resolve_attempt_log(obj) -> list:
        return list(obj.attempt_log.all())
