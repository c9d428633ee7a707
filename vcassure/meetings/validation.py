"""Checking a meeting's input at the edge: every problem is collected with its field, and nothing
is written unless all of it is valid."""

from dataclasses import dataclass
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from vcassure.accounts.types import UserLike
from vcassure.core import clock
from vcassure.core.errors import InvalidInputError
from vcassure.core.uploads import DetectedFile, detect_document
from vcassure.orgs.models import OrgUnit
from vcassure.orgs.scoping import scope_unit, sees_everything, sees_nothing, subtree_q
from vcassure.venues.models import CustomerSystem, Venue

MAX_NOTICE_BYTES = 10 * 1024 * 1024
MAX_TITLE = 200


@dataclass
class MeetingInput:
    system: CustomerSystem
    title: str
    main_venue: Venue | None
    venue_ids: list[int]
    owner: OrgUnit
    notice: DetectedFile | None = None  # what the notice document was found to be


NOTICE_IMAGE_FORMATS = ("PNG", "JPEG")


def owner_unit(user: UserLike) -> OrgUnit | None:
    """The unit a user creates meetings for: the root of what they may see."""
    if sees_nothing(user):
        return None
    if sees_everything(user):
        return OrgUnit.objects.filter(parent__isnull=True).order_by("code").first()
    return scope_unit(user)


def venues_matching_filter(
    *, user: UserLike, system: CustomerSystem, levels: list[str], org_units: list[int]
) -> list[int]:
    """All active branch venues of the system under the given units, at the given levels, in scope."""
    qs = Venue.objects.visible_to(user).filter(
        system=system, is_active=True, role=Venue.Role.BRANCH
    )
    if levels:
        qs = qs.filter(org_unit__level__in=levels)
    paths = list(
        OrgUnit.objects.visible_to(user).filter(pk__in=org_units).values_list("path", flat=True)
    )
    if org_units:
        condition = Q()
        for path in paths:
            condition |= subtree_q(path)
        qs = qs.filter(condition) if paths else qs.none()
    return list(qs.order_by("org_unit__path", "code").values_list("id", flat=True))


def validate_meeting_input(
    *,
    user: UserLike,
    system: str,
    title: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    importance: str,
    kind: str,
    notice_ref: str,
    notice_document: UploadedFile | None,
    main_venue: int | None,
    venues: list[int] | None,
    venue_filter: dict | None,
) -> MeetingInput:
    from vcassure.meetings.models import Meeting

    errors: list[dict] = []

    def err(field: str, message: str) -> None:
        errors.append({"field": field, "message": message})

    owner = owner_unit(user)
    if owner is None:
        err("org_unit", _("您的账号未关联组织单元，不能创建会议。"))
    system_obj = CustomerSystem.objects.filter(code=system).first()
    if system_obj is None:
        err("system", _("未知的视频会商系统：%(code)s。") % {"code": system})
    title = (title or "").strip()
    if not title:
        err("title", _("会议名称不能为空。"))
    elif len(title) > MAX_TITLE:
        err("title", _("会议名称不能超过 %(n)s 个字。") % {"n": MAX_TITLE})
    if importance not in Meeting.Importance.values:
        err("importance", _("重要程度无效：%(value)s。") % {"value": importance})
    if kind not in Meeting.Kind.values:
        err("kind", _("会议类型无效：%(value)s。") % {"value": kind})
    if starts_at is None:
        err("starts_at", _("请填写开始时间。"))
    if ends_at is None:
        err("ends_at", _("请填写结束时间。"))
    if starts_at and ends_at:
        if ends_at <= starts_at:
            err("ends_at", _("结束时间必须晚于开始时间。"))
        if starts_at <= clock.now():
            err("starts_at", _("开始时间不能早于当前时间。"))
    if len(notice_ref or "") > 100:
        err("notice_ref", _("通知文号不能超过 100 个字符。"))
    notice = None
    if notice_document is not None:
        if (notice_document.size or 0) > MAX_NOTICE_BYTES:
            err("notice_document", _("通知文件不能超过 10 MB。"))
        else:
            # Parsed, not judged by its first bytes: "%PDF-" followed by HTML is no PDF.
            notice = detect_document(notice_document, image_formats=NOTICE_IMAGE_FORMATS)
            if notice is None:
                err("notice_document", _("文件内容不是有效的 PDF、Word 文档或图片。"))

    main = None
    venue_ids: list[int] = []
    if system_obj is not None and owner is not None:
        visible = Venue.objects.visible_to(user).filter(is_active=True)
        if main_venue is not None:
            main = Venue.objects.filter(pk=main_venue).select_related("org_unit").first()
            if main is None or not visible.filter(pk=main_venue).exists():
                err("main_venue", _("主会场不存在或不在您的管辖范围内。"))
                main = None
            elif main.system_id != system_obj.pk:
                err("main_venue", _("主会场不属于所选系统。"))
                main = None
        if venue_filter:
            levels = list(venue_filter.get("levels") or [])
            bad_levels = [lv for lv in levels if lv not in OrgUnit.Level.values]
            units = [int(u) for u in venue_filter.get("org_units") or []]
            missing = set(units) - set(
                OrgUnit.objects.visible_to(user).filter(pk__in=units).values_list("id", flat=True)
            )
            if bad_levels:
                err(
                    "venue_filter.levels",
                    _("未知的层级：%(levels)s。")
                    % {"levels": pgettext("list separator", "、").join(bad_levels)},
                )
            if missing:
                err(
                    "venue_filter.org_units",
                    _("组织单元不存在或不在您的管辖范围内：%(ids)s。")
                    % {
                        "ids": pgettext("list separator", "、").join(
                            str(i) for i in sorted(missing)
                        )
                    },
                )
            if not bad_levels and not missing:
                venue_ids = venues_matching_filter(
                    user=user, system=system_obj, levels=levels, org_units=units
                )
        else:
            requested = list(dict.fromkeys(int(v) for v in venues or []))
            found = {
                v["id"]: v
                for v in visible.filter(pk__in=requested).values("id", "system_id", "role")
            }
            unknown = [v for v in requested if v not in found]
            wrong_system = [
                v for v in requested if v in found and found[v]["system_id"] != system_obj.pk
            ]
            if unknown:
                err(
                    "venues",
                    _("会场不存在或不在您的管辖范围内：%(ids)s。")
                    % {"ids": pgettext("list separator", "、").join(map(str, unknown))},
                )
            if wrong_system:
                err(
                    "venues",
                    _("会场不属于所选系统：%(ids)s。")
                    % {"ids": pgettext("list separator", "、").join(map(str, wrong_system))},
                )
            venue_ids = [v for v in requested if v in found and v not in wrong_system]
        if main is not None and main.pk in venue_ids:
            venue_ids.remove(main.pk)
        if not venue_ids and not any(e["field"].startswith("venue") for e in errors):
            err("venues", _("请至少选择一个分会场。"))
    if errors or system_obj is None or owner is None:
        raise InvalidInputError(_("会议信息有误，请修改后重试。"), errors=errors)
    return MeetingInput(
        system=system_obj,
        title=title,
        main_venue=main,
        venue_ids=venue_ids,
        owner=owner,
        notice=notice,
    )
