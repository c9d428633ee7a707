import json
import logging

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from vcassure.accounts.types import UserLike
from vcassure.core.api import LimitOffsetPagination
from vcassure.core.errors import InvalidInputError
from vcassure.core.idempotency import idempotent
from vcassure.core.schemas import ErrorOut, ObjectId
from vcassure.core.subjects import meeting_ref
from vcassure.notifications import selectors, services
from vcassure.notifications.models import Delivery
from vcassure.notifications.permissions import can_manage_im_groups
from vcassure.notifications.schemas import DeliveryOut, ImGroupIn, ImGroupOut, ImGroupPatch
from vcassure.orgs.models import OrgUnit
from vcassure.orgs.scoping import visible_unit

log = logging.getLogger(__name__)
router = Router(tags=["notifications"])


class DeliveryFilter(Schema):
    meeting: ObjectId | None = None
    status: Delivery.Status | None = None
    channel: str = ""


def _unit_in_scope(user: UserLike, pk: int) -> OrgUnit:
    unit = visible_unit(user, pk)
    if unit is None:
        raise InvalidInputError(
            _("群的服务范围无效。"),
            errors=[{"field": "org_unit", "message": _("组织单元不存在或不在您的管辖范围内。")}],
        )
    return unit


def _require_manager(user: UserLike) -> None:
    if not can_manage_im_groups(user):
        raise PermissionDenied(_("只有管理员和调度员可以管理即时消息群。"))


@router.get("/im-groups", response=list[ImGroupOut], summary="IM groups in the caller's scope")
@paginate(LimitOffsetPagination)
def im_group_list(request: HttpRequest):
    return selectors.im_group_list(user=request.user)


@router.post(
    "/im-groups", response={201: ImGroupOut, 403: ErrorOut}, summary="Add an IM group robot"
)
@idempotent
def im_group_create(request: HttpRequest, body: ImGroupIn):
    _require_manager(request.user)
    data = body.dict()
    data["org_unit"] = _unit_in_scope(request.user, data["org_unit"])
    return Status(201, services.im_group_create(by=request.user, **data))


@router.get("/im-groups/{int:group_id}", response=ImGroupOut)
def im_group_detail(request: HttpRequest, group_id: int):
    return selectors.im_group_get(user=request.user, pk=group_id)


@router.patch(
    "/im-groups/{int:group_id}",
    response={200: ImGroupOut, 403: ErrorOut},
    summary="Change an IM group robot",
)
def im_group_patch(request: HttpRequest, group_id: int, body: ImGroupPatch):
    group = selectors.im_group_get(user=request.user, pk=group_id)
    _require_manager(request.user)
    # null means "unchanged": none of these columns may be empty (a null secret was a 500).
    data = {k: v for k, v in body.dict(exclude_unset=True).items() if v is not None}
    if "org_unit" in data:
        data["org_unit"] = _unit_in_scope(request.user, data["org_unit"])
    return services.im_group_update(group, by=request.user, **data)


@router.get("/deliveries", response=list[DeliveryOut], summary="Every delivery with its attempts")
@paginate(LimitOffsetPagination)
def delivery_list(request: HttpRequest, filters: Query[DeliveryFilter]):
    return selectors.delivery_list(
        user=request.user,
        topic=meeting_ref(filters.meeting) if filters.meeting else "",
        status=filters.status or "",
        channel=filters.channel,
    )


@router.post(
    "/im/dingtalk/callback",
    auth=None,
    response={200: dict, 400: ErrorOut, 401: ErrorOut},
    summary="DingTalk outgoing robot callback: a reply in the group acknowledges",
)
def dingtalk_callback(request: HttpRequest):
    """Headers `timestamp` and `sign` (SPEC §6.2); body with conversationId, senderStaffId,
    text.content and sessionWebhook. The answer goes back through sessionWebhook; the response
    itself is an empty DingTalk message (nothing more is posted in the group)."""
    try:
        services.dingtalk_callback_verify(
            request.headers.get("timestamp", ""), request.headers.get("sign", "")
        )
    except services.CallbackRefused as exc:
        log.warning("DingTalk callback refused: %s", exc)
        return Status(401, {"detail": _("签名无效或已过期。"), "errors": []})
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise InvalidInputError(_("请求体不是有效的 JSON。"))
    reply = services.dingtalk_callback_handle(body)
    webhook = str(body.get("sessionWebhook") or "")
    sent = bool(webhook) and services.session_webhook_reply(
        webhook, reply, at_user_id=str(body.get("senderStaffId") or "")
    )
    return {
        "msgtype": "empty",
        "acknowledged": [n.pk for n in reply.acknowledged],
        "replied": sent,
    }
