"""The integrator's guidance on a fault: a log of who advised what (with an optional photo,
checked by decoding it), and a message to the integrator's contact by SMS or email through the
notification channels."""

from django.db import transaction
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike
from vcassure.core.errors import InvalidInputError
from vcassure.core.services import audit_record
from vcassure.core.subjects import fault_ref
from vcassure.core.uploads import detect_image, upload_bytes
from vcassure.faults.models import Fault, FaultEvent
from vcassure.faults.services.lifecycle import check_can_handle, fault_log
from vcassure.notifications.channels.base import channel_registry
from vcassure.notifications.delivery import channel_is_configured
from vcassure.notifications.services import direct_message_queue

MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")


def integrators_of(fault: Fault) -> list:
    """The integrators of the venue's equipment in use, each once, with what they installed."""
    if fault.venue_id is None:
        return []
    from vcassure.venues.models import Equipment

    found: dict[int, dict] = {}
    for e in (
        Equipment.objects.filter(venue_id=fault.venue_id, is_active=True, integrator__isnull=False)
        .select_related("integrator")
        .order_by("kind", "pk")
    ):
        if e.integrator_id is None:
            continue
        row = found.setdefault(e.integrator_id, {"integrator": e.integrator, "equipment": []})
        row["equipment"].append(e)
    return list(found.values())


@transaction.atomic
def fault_guidance_add(
    fault: Fault, *, by: "UserLike | None", note: str, advisor: str = "", photo=None
) -> FaultEvent:
    check_can_handle(fault, by)
    note, advisor = (note or "").strip(), (advisor or "").strip()
    errors = []
    if not note:
        errors.append({"field": "note", "message": _("请填写指导内容。")})
    elif len(note) > 1000:
        errors.append({"field": "note", "message": _("指导内容不能超过 1000 个字。")})
    if len(advisor) > 100:
        errors.append({"field": "advisor", "message": _("指导人不能超过 100 个字。")})
    detected = None
    if photo is not None:
        if (photo.size or 0) > MAX_PHOTO_BYTES:
            errors.append({"field": "photo", "message": _("照片不能超过 10 MB。")})
        else:
            detected = detect_image(upload_bytes(photo), PHOTO_FORMATS)
            if detected is None:
                errors.append(
                    {"field": "photo", "message": _("照片只能是有效的 JPEG、PNG 或 WebP 图片。")}
                )
    if errors:
        raise InvalidInputError(_("指导记录有误，请修改后重试。"), errors=errors)
    event = fault_log(
        fault,
        kind=FaultEvent.Kind.GUIDANCE,
        by=by,
        note=note,
        advisor=advisor,
        photo=(f"guidance.{detected.extension}", upload_bytes(photo), detected.content_type)
        if detected is not None
        else None,
    )
    audit_record(actor=by, action="fault.guidance", obj=fault, changes={"advisor": advisor})
    return event


def integrator_channels() -> list[str]:
    """Of SMS and email, those the platform is set up to send."""
    registry = channel_registry()
    return [c for c in ("sms", "email") if c in registry and channel_is_configured(registry[c])]


@transaction.atomic
def fault_integrator_notify(
    fault: Fault, *, by: "UserLike | None", integrator, channel: str, message: str = ""
) -> None:
    """Queue an SMS or email to the integrator's contact about the fault, and log it."""
    check_can_handle(fault, by)
    message = (message or "").strip()
    address = integrator.contact_phone if channel == "sms" else integrator.email
    if channel not in ("sms", "email") or channel not in integrator_channels():
        raise InvalidInputError(
            _("平台未配置该渠道，请改用其他方式。"),
            errors=[{"field": "channel", "message": channel}],
        )
    if not address:
        raise InvalidInputError(
            _("集成商“%(n)s”没有登记%(what)s。")
            % {"n": integrator.name, "what": _("联系电话") if channel == "sms" else _("邮箱")},
            errors=[{"field": "channel", "message": _("缺少联系方式。")}],
        )
    if len(message) > 500:
        raise InvalidInputError(
            _("消息不能超过 500 个字。"), errors=[{"field": "message", "message": ""}]
        )
    where = fault.venue.name if fault.venue is not None else fault.org_unit.name
    text = "\n".join(
        line
        for line in [
            _("【视频会商保障】%(w)s 故障：%(t)s") % {"w": where, "t": fault.title},
            fault.description[:200],
            message,
            _("请联系 %(d)s 协助处理。")
            % {"d": fault.assigned_department.name if fault.assigned_department else "96311"},
        ]
        if line
    )
    direct_message_queue(
        topic=fault_ref(fault.pk),
        channel=channel,
        title=_("故障协助：%(t)s") % {"t": fault.title},
        text=text,
        name=integrator.contact_name or integrator.name,
        mobile=integrator.contact_phone if channel == "sms" else "",
        email=integrator.email if channel == "email" else "",
    )
    fault_log(
        fault,
        kind=FaultEvent.Kind.NOTE,
        by=by,
        note=_("已通过%(c)s通知集成商 %(n)s：%(m)s")
        % {"c": _("短信") if channel == "sms" else _("邮件"), "n": integrator.name, "m": message},
    )
    audit_record(
        actor=by,
        action="fault.integrator_notify",
        obj=fault,
        changes={"integrator": integrator.pk, "channel": channel},
    )
