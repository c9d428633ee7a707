"""HTML input for the meeting pages. Business rules stay in services and validation.py; these
forms parse what the browser sends and place the services' errors next to the right fields."""

from datetime import datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vcassure.accounts.types import UserLike
from vcassure.core.errors import ApplicationError
from vcassure.core.forms import ServiceErrorsForm
from vcassure.meetings import selectors
from vcassure.meetings.models import Meeting, SupportTask
from vcassure.orgs.models import OrgUnit
from vcassure.orgs.selectors import org_unit_list
from vcassure.venues.forms import VenuePickerField
from vcassure.venues.models import Venue
from vcassure.venues.selectors import customer_system_list, venue_list

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


class LocalDateTimeField(forms.DateTimeField):
    """A `datetime-local` input, read and shown in the operator's zone (Asia/Shanghai) whatever
    zone happens to be active."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)
    input_formats = [DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

    def to_python(self, value):
        with timezone.override(local_zone()):
            return super().to_python(value)

    def prepare_value(self, value):
        with timezone.override(local_zone()):
            return super().prepare_value(value)


class BaseForm(ServiceErrorsForm):
    """Places an ApplicationError's [{field, message}] beside the fields they name."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class MeetingForm(BaseForm):
    """Create or edit a draft meeting. The branch venues come from the venue picker (a list of
    ids); the service checks their scope and system, as it does for the API."""

    error_fields = {"org_unit": None}

    system = forms.ChoiceField(label=_("视频会商系统"))
    venues = VenuePickerField(
        label=pgettext_lazy("plural", "分会场"),
        required=False,
        system_field="system",
        role="branch",
    )
    title = forms.CharField(label=_("会议名称"), max_length=200)
    kind = forms.ChoiceField(
        label=_("类型"), choices=Meeting.Kind.choices, initial=Meeting.Kind.MEETING
    )
    importance = forms.ChoiceField(
        label=_("重要程度"), choices=Meeting.Importance.choices, initial=Meeting.Importance.NORMAL
    )
    starts_at = LocalDateTimeField(label=_("开始时间"))
    ends_at = LocalDateTimeField(label=_("结束时间"))
    notice_ref = forms.CharField(label=_("正式通知文号"), max_length=100, required=False)
    notice_document = forms.FileField(
        label=_("正式通知文件"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".pdf,.docx,.png,.jpg,.jpeg"}),
        help_text=_("PDF、DOCX 或图片(PNG、JPEG)，不超过 10 MB。发布前须提供文号或文件。"),
    )
    main_venue = forms.TypedChoiceField(
        label=_("主会场"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, user: UserLike, meeting: Meeting | None = None, **kwargs):
        if meeting is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "system": meeting.system.code,
                "title": meeting.title,
                "kind": meeting.kind,
                "importance": meeting.importance,
                "starts_at": meeting.starts_at,
                "ends_at": meeting.ends_at,
                "notice_ref": meeting.notice_ref,
                "main_venue": meeting.main_venue_id,
                "venues": selectors.meeting_venue_ids(meeting),
            }
        super().__init__(*args, **kwargs)
        self.user = user
        self.meeting = meeting
        cast(forms.ChoiceField, self.fields["system"]).choices = [
            ("", _("请选择")),
            *((s.code, s.name) for s in customer_system_list()),
        ]
        groups: dict[str, list[tuple[int, str]]] = {}
        for venue in venue_list(user=user, role=Venue.Role.MAIN).order_by(
            "system__code", "org_unit__code", "code"
        ):
            groups.setdefault(venue.system.name, []).append(
                (venue.pk, f"{venue.name} ({venue.code})")
            )
        cast(forms.ChoiceField, self.fields["main_venue"]).choices = [
            ("", _("不指定")),
            *groups.items(),
        ]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {
            "system": data["system"],
            "title": data["title"],
            "kind": data["kind"],
            "importance": data["importance"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "notice_ref": data.get("notice_ref", ""),
            "main_venue": data.get("main_venue"),
            "venues": data["venues"],
        }
        if data.get("notice_document"):
            kwargs["notice_document"] = data["notice_document"]
        return kwargs


class PublishForm(BaseForm):
    confirm_shortfalls = forms.BooleanField(
        label=_("我已知晓以上人员缺口，确认发布"), required=False
    )

    def add_service_errors(self, exc: ApplicationError) -> None:
        if exc.code == "shortfalls":
            self.add_error("confirm_shortfalls", exc.message)
        else:
            super().add_service_errors(exc)


class RescheduleForm(BaseForm):
    starts_at = LocalDateTimeField(label=_("新的开始时间"))
    ends_at = LocalDateTimeField(label=_("新的结束时间"))


class CancelForm(BaseForm):
    reason = forms.CharField(
        label=_("取消原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写取消原因。")},
    )
    confirm = forms.BooleanField(
        label=_("确认取消本次会议，并通知所有相关人员"),
        error_messages={"required": _("请勾选确认后再取消。")},
    )


class MeetingFilterForm(BaseForm):
    """The list page's filters; a bad value is ignored rather than refused."""

    q = forms.CharField(label=_("搜索"), required=False)
    system = forms.ChoiceField(label=_("系统"), required=False)
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *Meeting.State.choices]
    )
    date_from = forms.DateField(
        label=_("开始日期从"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    org_unit = forms.TypedChoiceField(
        label=_("所属单元"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, user: UserLike, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["system"]).choices = [
            ("", _("全部")),
            *((s.code, s.name) for s in customer_system_list()),
        ]
        units = org_unit_list(user=user).exclude(level=OrgUnit.Level.TOWNSHIP).order_by("code")
        cast(forms.ChoiceField, self.fields["org_unit"]).choices = [
            ("", _("全部")),
            *(
                (u.pk, f"\u3000{u.name}" if u.level == OrgUnit.Level.COUNTY else u.name)
                for u in units
            ),
        ]

    def filters(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        zone = local_zone()

        def day_start(value) -> datetime | None:
            return datetime.combine(value, time.min, tzinfo=zone) if value else None

        date_to = data.get("date_to")
        return {
            "q": (data.get("q") or "").strip(),
            "system": data.get("system") or "",
            "state": data.get("state") or "",
            "starts_from": day_start(data.get("date_from")),
            "starts_to": day_start(date_to + timedelta(days=1)) if date_to else None,
            "org_unit": data.get("org_unit"),
        }


class TaskFilterForm(BaseForm):
    """Filters of a task table. The unit is any id: task_list scopes it, so no list to check against."""

    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *SupportTask.State.choices]
    )
    org_unit = forms.IntegerField(label=_("组织单元"), required=False, widget=forms.Select)

    def __init__(self, *args, units: list[OrgUnit], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.Select, self.fields["org_unit"].widget).choices = [
            ("", _("全部")),
            *((u.pk, f"{u.name} · {u.get_level_display()}") for u in units),
        ]

    def filters(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"state": data.get("state") or "", "org_unit": data.get("org_unit")}


class CompleteForm(BaseForm):
    """A coordination task's completion; which fields apply depends on the department."""

    note = forms.CharField(
        label=_("说明"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    channel_opened_at = LocalDateTimeField(label=_("灾备高清频道开启时间"), required=False)
    signal_monitored_until = LocalDateTimeField(label=_("信号监控结束时间"), required=False)
    signal_ok = forms.TypedChoiceField(
        label=_("信号情况"),
        choices=[("1", _("正常")), ("0", _("异常"))],
        coerce=lambda v: v == "1",
        initial="1",
        required=False,
    )
    trunk_checked_at = LocalDateTimeField(label=_("干线巡检时间"), required=False)
    trunk_ok = forms.TypedChoiceField(
        label=_("干线巡检结果"),
        choices=[("", "—"), ("1", _("正常")), ("0", _("异常"))],
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
    )

    FIELDS_BY_ROLE = {
        SupportTask.Role.BROADCAST: ("channel_opened_at", "signal_monitored_until", "signal_ok"),
        SupportTask.Role.NETWORK_OPS: ("trunk_checked_at", "trunk_ok"),
    }

    def __init__(self, *args, role: str, **kwargs):
        super().__init__(*args, **kwargs)
        keep = {"note", *self.FIELDS_BY_ROLE.get(SupportTask.Role(role), ())}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("signal_ok") in ("", None):
            data.pop("signal_ok", None)
        return data


class CloseForm(BaseForm):
    note = forms.CharField(
        label=_("关闭说明"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写关闭说明。")},
    )
    force = forms.BooleanField(label=_("有未完成事项，仍然关闭(将记入报告)"), required=False)


class TestRoundForm(BaseForm):
    """Schedule a joint-test round: a time slot, optionally for one city of the meeting."""

    city = forms.TypedChoiceField(
        label=_("城市"), required=False, coerce=int, empty_value=None, choices=()
    )
    starts_at = LocalDateTimeField(label=_("开始时间"))
    ends_at = LocalDateTimeField(label=_("结束时间"))

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, prefix="round", **kwargs)
        city = cast(forms.TypedChoiceField, self.fields["city"])
        city.choices = [("", _("全部会场")), *[(c.pk, c.name) for c in cities]]
