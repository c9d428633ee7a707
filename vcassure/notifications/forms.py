"""HTML input for the notification pages: validation of what was typed only. The rules (what a
robot URL must contain, which outcomes exist) live in the services, whose errors are put back
beside the fields with `add_service_errors`."""

import datetime
import re
from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from vcassure.accounts.types import UserLike
from vcassure.core.errors import InvalidInputError
from vcassure.core.outbound import check_outbound_url
from vcassure.core.schemas import MAX_ID
from vcassure.core.subjects import describe, meeting_ref, subject_id
from vcassure.notifications import services
from vcassure.notifications.models import Delivery, ImGroup, PhoneCallTask
from vcassure.orgs.models import Department, OrgUnit

CHANNEL_LABELS = {
    "dingtalk_robot": _("钉钉群机器人"),
    "wecom_robot": _("企业微信群机器人"),
    "dingtalk_work_notice": _("钉钉工作通知"),
    "wecom_app_message": _("企业微信应用消息"),
    "sms": _("短信"),
    "aliyun_sms": _("阿里云短信"),
    "email": _("邮件"),
    "oa": _("OA 待办"),
    "voice": _("语音电话"),
}


def channel_label(code: str) -> str:
    return str(CHANNEL_LABELS.get(code, code))


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _object_id(text: str) -> int | None:
    """The id a filter value names: ASCII digits within the database's range, else None."""
    if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_ID:
        return int(text)
    return None


class MeetingChoiceField(forms.TypedChoiceField):
    """A meeting chosen by its title among the topics of recent notices (never typed as an id)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("会议"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("empty_value", None)
        super().__init__(choices=[("", _("全部会议"))], **kwargs)

    def valid_value(self, value) -> bool:
        # Any meeting id is a valid filter (a link from an older meeting's page); the choices are
        # what the select offers.
        return _object_id(str(value)) is not None


def _with_topic_choices(form: forms.Form, topics: list[str]) -> None:
    chosen = _object_id(str(form.data.get("meeting", ""))) if form.is_bound else None
    if chosen is not None and meeting_ref(chosen) not in topics:
        topics = [meeting_ref(chosen), *topics]
    labels = describe(topics)
    field = form.fields["meeting"]
    assert isinstance(field, forms.ChoiceField)
    field.choices = [("", _("全部会议"))] + [
        (str(subject_id(t, "meeting")), labels[t].text) for t in topics if subject_id(t, "meeting")
    ]


class DeskFilterForm(_Form):
    meeting = MeetingChoiceField()

    def __init__(self, *args, topics: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        _with_topic_choices(self, topics or [])

    def topic(self) -> str:
        meeting = self.cleaned_data.get("meeting") if self.is_valid() else None
        return meeting_ref(meeting) if meeting else ""


class DeliveryFilterForm(_Form):
    meeting = MeetingChoiceField()
    staff = forms.CharField(
        label=_("接收人或群"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("姓名或群名称")}),
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部"))] + list(Delivery.Status.choices)
    )
    channel = forms.ChoiceField(
        label=_("渠道"), required=False, choices=[("", _("全部"))] + list(CHANNEL_LABELS.items())
    )

    def __init__(self, *args, topics: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        _with_topic_choices(self, topics or [])

    def filters(self) -> dict:
        """The selector's arguments from the fields that are valid (a bad one is ignored)."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "topic": meeting_ref(data["meeting"]) if data.get("meeting") else "",
            # a number is a person's id (links from other pages), anything else a name
            "recipient": (person := _object_id(staff := (data.get("staff") or "").strip())),
            "recipient_name": "" if person is not None else staff,
            "status": data.get("status") or "",
            "channel": data.get("channel") or "",
        }


PHONE_CALL_OUTCOME_CHOICES = [
    c for c in PhoneCallTask.Outcome.choices if c[0] != PhoneCallTask.Outcome.PENDING
]


class PhoneCallOutcomeForm(_Form):
    outcome = forms.ChoiceField(
        label=_("通话结果"),
        widget=forms.RadioSelect,
        choices=PHONE_CALL_OUTCOME_CHOICES,
        error_messages={"required": _("请选择通话结果。")},
    )
    note = forms.CharField(
        label=_("备注"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("如：已答应 8:30 前到场")}),
    )


INDENT = "\u3000"  # a full-width space per level, so the tree reads in a plain <select>


class _UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{INDENT * obj.depth}{obj.name}（{obj.code}）"


class ImGroupForm(_Form):
    """Create or edit a group. The secret is write-only: never rendered back, and a blank field
    on edit keeps the stored one."""

    name = forms.CharField(label=_("群名称"), max_length=100)
    platform = forms.ChoiceField(label=_("平台"), choices=ImGroup.Platform.choices)
    webhook_url = forms.CharField(
        label=_("机器人地址"),
        max_length=500,
        widget=forms.TextInput(
            attrs={
                "placeholder": "https://oapi.dingtalk.com/robot/send?access_token=…",
                "inputmode": "url",
                "autocomplete": "off",
            }
        ),
    )
    secret = forms.CharField(
        label=_("加签密钥"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    org_unit = _UnitChoiceField(
        label=_("服务范围"),
        queryset=OrgUnit.objects.none(),
        error_messages={"invalid_choice": _("组织单元不存在或不在您的管辖范围内。")},
    )
    purpose = forms.ChoiceField(label=_("用途"), choices=ImGroup.Purpose.choices)
    departments = forms.ModelMultipleChoiceField(
        label=_("服务部门"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("留空表示服务范围内的全部任务；选定部门时，只接收这些部门负责的任务。"),
        error_messages={"invalid_choice": _("所选部门不存在或不在该群的服务范围内。")},
    )
    dingtalk_conversation_id = forms.CharField(
        label=_("钉钉会话ID"),
        required=False,
        max_length=100,
        help_text=_("钉钉群的 conversationId：填写后，群成员在群里 @机器人 回复“收到”即计为确认。"),
    )
    is_active = forms.BooleanField(label=_("启用"), required=False)

    def __init__(self, *args, user: UserLike, group: ImGroup | None = None, **kwargs):
        if group is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": group.name,
                "platform": group.platform,
                "webhook_url": group.webhook_url,
                "org_unit": group.org_unit_id,
                "purpose": group.purpose,
                "is_active": group.is_active,
                "dingtalk_conversation_id": group.dingtalk_conversation_id,
                "departments": list(group.departments.values_list("pk", flat=True)),
            }
        kwargs.setdefault("initial", {"is_active": True})
        super().__init__(*args, **kwargs)
        self.group = group
        units = OrgUnit.objects.visible_to(user).order_by("code")
        unit_field = self.fields["org_unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units
        departments_field = self.fields["departments"]
        assert isinstance(departments_field, forms.ModelMultipleChoiceField)
        departments_field.queryset = (
            Department.objects.visible_to(user)
            .select_related("org_unit")
            .order_by("org_unit__code", "kind")
        )
        if group is None and not self.is_bound:
            unit_field.initial = units.first()  # the user's own unit heads its subtree
        if group is not None and group.secret:
            self.fields["secret"].help_text = _("当前密钥：%(masked)s。留空则保持不变。") % {
                "masked": masked_secret(group.secret)
            }
        else:
            self.fields["secret"].help_text = _(
                "钉钉机器人“加签”的密钥(SEC 开头)；企业微信群机器人留空。"
            )

    def clean_webhook_url(self) -> str:
        url = self.cleaned_data["webhook_url"].strip()
        try:
            check_outbound_url(url)
        except InvalidInputError as exc:
            raise forms.ValidationError(exc.message) from exc
        return url

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["departments"] = list(data.get("departments") or [])
        if self.group is not None and not data.get("secret"):
            data.pop("secret", None)
        return data


def masked_secret(secret: str) -> str:
    return f"****{secret[-4:]}" if secret else ""


# --- The working calendar ---

_WORKDAY_WORDS = {"班": True, "上班": True, "补班": True, "休": False, "休息": False, "放假": False}


_DATE_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")


class DayForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    action = forms.ChoiceField(
        label=gettext_lazy("设为"),
        choices=[
            ("holiday", gettext_lazy("休息（节假日）")),
            ("workday", gettext_lazy("上班（调休上班）")),
            ("clear", gettext_lazy("清除调整，恢复默认")),
        ],
    )
    note = forms.CharField(
        label=gettext_lazy("说明"),
        required=False,
        max_length=services.NOTE_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("如：春节、国庆节调休")}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("auto_id", "day_%s")
        super().__init__(*args, **kwargs)


class ArrangementForm(forms.Form):
    """A year's arrangement pasted as lines "2027-01-01 休 元旦" / "2027-02-07 班 春节调休".
    cleaned_data["text"] is the list of rows; `line_errors` says what is wrong where."""

    text = forms.CharField(
        label=gettext_lazy("全年安排"),
        widget=forms.Textarea(
            attrs={"rows": 10, "placeholder": "2027-01-01 休 元旦\n2027-02-07 班 春节调休"}
        ),
        error_messages={"required": gettext_lazy("请粘贴放假安排，每行一天。")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("auto_id", "import_%s")
        super().__init__(*args, **kwargs)
        self.line_errors: list[dict[str, Any]] = []

    def clean_text(self):
        rows, line_numbers, raw_lines = [], [], {}
        for number, raw in enumerate(self.cleaned_data["text"].splitlines(), start=1):
            line = raw.strip().lstrip("\ufeff")
            if not line or line.startswith("#"):
                continue
            raw_lines[number] = line
            row, problem = _parse_line(line)
            if problem:
                self.line_errors.append({"line": number, "text": line, "message": problem})
            else:
                rows.append(row)
                line_numbers.append(number)
        for error in services.working_days_validate(rows) if rows else []:
            number = line_numbers[error["row"] - 1] if error["row"] else 0
            self.line_errors.append(
                {"line": number, "text": raw_lines.get(number, ""), "message": error["message"]}
            )
        if not rows and not self.line_errors:
            self.line_errors.append({"line": 0, "text": "", "message": _("没有可录入的日期。")})
        if self.line_errors:
            self.line_errors.sort(key=lambda e: e["line"])
            raise forms.ValidationError(
                _("有 %(count)d 处错误，没有写入任何数据。请改正后重新提交。")
                % {"count": len(self.line_errors)}
            )
        return rows


def _parse_line(line: str) -> tuple[tuple[datetime.date, bool, str] | None, str]:
    parts = line.split(maxsplit=2)
    match = _DATE_RE.match(parts[0])
    if not match:
        return None, gettext("“%(value)s”不是日期，应写成 2027-01-01 这样。") % {"value": parts[0]}
    try:
        date = datetime.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None, gettext("日期“%(value)s”不存在。") % {"value": parts[0]}
    if len(parts) < 2:
        return None, gettext("日期后面缺少“休”或“班”。")
    if parts[1] not in _WORKDAY_WORDS:
        return None, gettext("“%(value)s”应为“休”或“班”。") % {"value": parts[1]}
    return (date, _WORKDAY_WORDS[parts[1]], parts[2].strip() if len(parts) > 2 else ""), ""
