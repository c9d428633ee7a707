"""Writes of the integrations app: subscriptions, recording events, sending them."""

from vcassure.integrations.services.events import Event, webhook_events_record
from vcassure.integrations.services.sender import (
    webhook_deliveries_drain,
    webhook_deliveries_process_due,
)
from vcassure.integrations.services.subscriptions import (
    masked_secret,
    secret_generate,
    webhook_delivery_replay,
    webhook_subscription_create,
    webhook_subscription_update,
)

__all__ = [
    "Event",
    "masked_secret",
    "secret_generate",
    "webhook_deliveries_drain",
    "webhook_deliveries_process_due",
    "webhook_delivery_replay",
    "webhook_events_record",
    "webhook_subscription_create",
    "webhook_subscription_update",
]
