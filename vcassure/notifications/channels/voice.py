"""A voice call through Aliyun's voice service (Dyvmsapi SingleCallByTts): the recipient's phone
rings and a text-to-speech template (ALIYUN_VOICE_TTS_CODE) reads the message out. The template
gets the parameters ${title} and ${content}. Same SDK, signing and error mapping as Aliyun SMS."""

import json

from django.conf import settings

from . import escaping
from .base import Message, SendResult, Target
from .sms import (
    AliyunSdkClient,
    aliyun_call,
    aliyun_configured,
    aliyun_runtime,
    not_configured,
    recipient_mobile,
)

PLAY_TIMES = 2  # people answering in a machine room miss the first reading


class AliyunVoiceChannel:
    code = "voice"
    kind = "personal"
    required_setting = "ALIYUN_ACCESS_KEY_ID"  # the platform setting this channel needs
    address_field = "mobile"  # the Staff field it sends to
    ack_class = "phone"

    def __init__(self) -> None:
        self._sdk = AliyunSdkClient(
            "alibabacloud_dyvmsapi20170525.client.Client", "ALIYUN_VOICE_ENDPOINT"
        )

    def send(self, message: Message, target: Target) -> SendResult:
        if not (aliyun_configured() and settings.ALIYUN_VOICE_TTS_CODE):
            return not_configured(
                "Aliyun voice call (ALIYUN_ACCESS_KEY_ID, ALIYUN_ACCESS_KEY_SECRET, ALIYUN_VOICE_TTS_CODE)"
            )
        mobile = recipient_mobile(target)
        if not mobile:
            return SendResult(
                ok=False,
                retryable=False,
                error="Voice call: this person's mobile number is not configured",
            )
        from alibabacloud_dyvmsapi20170525.models import SingleCallByTtsRequest

        params = {
            "title": escaping.plain(message.title, multiline=False),
            "content": escaping.plain(message.text or message.title, multiline=False),
        }
        call = SingleCallByTtsRequest(
            called_number=mobile,
            tts_code=settings.ALIYUN_VOICE_TTS_CODE,
            tts_param=json.dumps(params, ensure_ascii=False),
            play_times=PLAY_TIMES,
            out_id=str(message.extra.get("ref", "")) or None,
        )
        client = self._sdk.get()
        return aliyun_call(
            lambda: client.single_call_by_tts_with_options(call, aliyun_runtime()), "CallId"
        )
