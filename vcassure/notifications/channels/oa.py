"""The office-automation (OA) system's webhook (OA_WEBHOOK_URL): it turns our POST into a to-do
item for the receiver in the operator's OA. The contract:

    POST <OA_WEBHOOK_URL>
    Content-Type: application/json
    {"title": "…", "content": "…", "url": "<acknowledgement link or empty>",
     "receiver": {"mobile": "…", "email": "…", "name": "…"}, "ref": "<our reference>"}

    2xx            accepted; a JSON body's "id" (if any) is kept as the provider reference
    429 or 5xx     try again later
    other 4xx      refused for good
"""

from django.conf import settings

from . import escaping
from ._http import clip, json_object, request, status_failure
from .base import Message, SendResult, Target

PROVIDER = "OA"


class OaWebhookChannel:
    code = "oa"
    kind = "personal"
    required_setting = "OA_WEBHOOK_URL"  # the platform setting this channel needs
    address_field = "email"  # the Staff field it sends to
    ack_class = "office"

    def send(self, message: Message, target: Target) -> SendResult:
        if not settings.OA_WEBHOOK_URL:
            return SendResult(
                ok=False, retryable=False, error="OA webhook (OA_WEBHOOK_URL) is not configured"
            )
        recipient = target.recipient
        if recipient is None or not (recipient.mobile or recipient.email):
            return SendResult(
                ok=False,
                retryable=False,
                error="OA: neither mobile number nor email is configured for this person",
            )
        payload = {
            "title": escaping.plain(message.title, multiline=False),
            "content": escaping.plain(message.text or message.markdown),
            "url": message.link_url,
            "receiver": {
                "mobile": recipient.mobile,
                "email": recipient.email,
                "name": recipient.name,
            },
            "ref": str(message.extra.get("ref", "")),
        }
        response = request("POST", settings.OA_WEBHOOK_URL, json=payload)
        if isinstance(response, SendResult):
            return response
        failure = status_failure(response, PROVIDER)
        if failure:
            return failure
        body = json_object(response) or {}
        return SendResult(
            ok=True,
            provider_ref=clip(str(body.get("id") or ""), 200),
            http_status=response.status_code,
        )
