from datetime import datetime

from ninja import Field, Schema

from vcassure.integrations.services import masked_secret

EVENTS_HELP = (
    "event types: meeting.published, meeting.rescheduled, meeting.cancelled, meeting.closed, "
    "task.state_changed, fault.opened, fault.restored, fault.closed, shift.uncovered, probe.failed"
)


class WebhookOut(Schema):
    id: int
    url: str
    secret: str = Field(description="masked: whsec_**** and the last four characters")
    events: list[str]
    description: str
    is_active: bool
    failing_since: datetime | None
    last_success_at: datetime | None
    disabled_at: datetime | None
    disabled_reason: str
    created_at: datetime

    @staticmethod
    def resolve_secret(obj) -> str:
        return masked_secret(obj.secret)


class WebhookIn(Schema):
    url: str = Field(min_length=1, max_length=500)
    secret: str = Field(
        default="", max_length=200, description="whsec_ + base64; empty: one is generated"
    )
    events: list[str] = Field(description=EVENTS_HELP)
    description: str = Field(default="", max_length=200)
    is_active: bool = True


class WebhookPatch(Schema):
    url: str | None = Field(default=None, min_length=1, max_length=500)
    secret: str | None = Field(default=None, max_length=200)
    events: list[str] | None = Field(default=None, description=EVENTS_HELP)
    description: str | None = Field(default=None, max_length=200)
    is_active: bool | None = None


class WebhookDeliveryOut(Schema):
    id: int
    event_id: str
    event_type: str
    subject: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    last_status_code: int | None
    last_error: str
    response_snippet: str
    replay_of: int | None
    created_at: datetime

    @staticmethod
    def resolve_replay_of(obj) -> int | None:
        return obj.replay_of_id


class WebhookCreatedOut(WebhookOut):
    """The answer to a create: the secret in full, this once, so the caller can verify."""

    @staticmethod
    def resolve_secret(obj) -> str:
        return obj.secret
