import datetime
import re
from calendar import Calendar
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from vcassure.accounts.permissions import can_see_phone_numbers
from vcassure.core import clock
from vcassure.core.errors import ApplicationError, InvalidInputError
from vcassure.core.middleware import poll_url
from vcassure.core.pagination import int_or_none, paginate
from vcassure.notifications import demo, selectors, services
from vcassure.notifications.calendar import WorkingCalendar, working_windows, years_without_data
from vcassure.notifications.forms import (
    DeliveryFilterForm,
    DeskFilterForm,
    ImGroupForm,
    PhoneCallOutcomeForm,
    add_service_errors,
    channel_label,
    masked_secret,
)
from vcassure.notifications.models import EscalationPolicy, ImGroup
from vcassure.notifications.permissions import can_manage_im_groups, can_work_dispatch_desk
from vcassure.notifications.services.messages import (
    im_group_test_queue,
    phone_call_number_reveal,
    phone_call_record,
)

# The words accepted in a pasted arrangement line, after the date.
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
        return None, _("“%(value)s”不是日期，应写成 2027-01-01 这样。") % {"value": parts[0]}
    try:
        date = datetime.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None, _("日期“%(value)s”不存在。") % {"value": parts[0]}
    if len(parts) < 2:
        return None, _("日期后面缺少“休”或“班”。")
    if parts[1] not in _WORKDAY_WORDS:
        return None, _("“%(value)s”应为“休”或“班”。") % {"value": parts[1]}
    return (date, _WORKDAY_WORDS[parts[1]], parts[2].strip() if len(parts) > 2 else ""), ""


def _check_admin(user) -> None:
    if not user.is_administrator:
        raise PermissionDenied


def _year_or_current(value: str | None) -> int:
    year = int_or_none(value)
    if year is None or not services.MIN_YEAR <= year <= services.MAX_YEAR:
        return clock.now().astimezone(timezone.get_default_timezone()).year
    return year


def _calendar_url(year: int) -> str:
    return f"{reverse('notifications:calendar')}?year={year}"


def _month_grids(year: int, calendar: WorkingCalendar) -> list[dict[str, Any]]:
    months = []
    for month in range(1, 13):
        weeks = [
            [calendar.day(d) if d.month == month else None for d in week]
            for week in Calendar(firstweekday=0).monthdatescalendar(year, month)
        ]
        months.append({"number": month, "weeks": weeks})
    return months


def _render_page(request, year: int, *, day_form=None, import_form=None, status: int = 200):
    calendar = WorkingCalendar()
    calendar.preload(year, year)
    months = _month_grids(year, calendar)
    days = [day for m in months for week in m["weeks"] for day in week if day is not None]
    picked = None
    if day_form is None:
        initial: dict[str, Any] = {}
        try:
            picked = datetime.date.fromisoformat(request.GET.get("date", ""))
        except ValueError:
            picked = None
        if picked is not None and picked.year == year:
            info = calendar.day(picked)
            initial = {
                "date": picked,
                "action": "holiday" if info.is_workday else "workday",
                "note": info.note if info.source == "override" else "",
            }
        day_form = DayForm(initial=initial)
    return render(
        request,
        "notifications/calendar.html",
        {
            "year": year,
            "months": months,
            "overrides": [d for d in days if d.source == "override"],
            "workday_count": sum(1 for d in days if d.is_workday),
            "rest_count": sum(1 for d in days if not d.is_workday),
            "without_data": bool(years_without_data([year])),
            "has_fallback_days": any(d.source == "fallback" for d in days),
            "windows": working_windows(),
            "ack_minutes_im": settings.ACK_MINUTES_IM,
            "ack_working_minutes_office": settings.ACK_WORKING_MINUTES_OFFICE,
            "day_form": day_form,
            "import_form": import_form or ArrangementForm(),
            "picked": picked,
        },
        status=status,
    )


@login_required
@require_GET
def calendar_year(request):
    _check_admin(request.user)
    return _render_page(request, _year_or_current(request.GET.get("year")))


@login_required
@require_POST
def calendar_day(request):
    _check_admin(request.user)
    year = _year_or_current(request.POST.get("year"))
    form = DayForm(request.POST)
    if form.is_valid():
        date, action, note = (
            form.cleaned_data["date"],
            form.cleaned_data["action"],
            form.cleaned_data["note"],
        )
        try:
            if action == "clear":
                if services.working_day_delete(by=request.user, date=date):
                    messages.success(
                        request,
                        _("已清除 %(date)s 的调整，恢复默认安排。") % {"date": date.isoformat()},
                    )
                else:
                    messages.info(
                        request, _("%(date)s 没有调整，无需清除。") % {"date": date.isoformat()}
                    )
            else:
                services.working_day_set(
                    by=request.user, date=date, is_workday=action == "workday", note=note
                )
                label = _("上班") if action == "workday" else _("休息")
                messages.success(
                    request,
                    _("已将 %(date)s 设为%(label)s。") % {"date": date.isoformat(), "label": label},
                )
            return redirect(_calendar_url(date.year))
        except InvalidInputError as exc:
            form.add_error(None, exc.message)
    return _render_page(request, year, day_form=form, status=400)


@login_required
@require_POST
def calendar_import(request):
    _check_admin(request.user)
    year = _year_or_current(request.POST.get("year"))
    form = ArrangementForm(request.POST)
    if form.is_valid():
        rows = form.cleaned_data["text"]
        try:
            result = services.working_days_import(by=request.user, rows=rows)
        except InvalidInputError as exc:
            form.add_error("text", exc.message)
        else:
            messages.success(
                request,
                _(
                    "已录入 %(total)d 天：新增 %(created)d 天，修改 %(updated)d 天，未变 %(unchanged)d 天。"
                )
                % {
                    "total": len(rows),
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
            return redirect(_calendar_url(rows[0][0].year))
    return _render_page(request, year, import_form=form, status=400)


# --- Dispatch desk, delivery log, IM groups, demo inbox -------------------------------------

DESK_CALLS_SHOWN = 100
DEMO_ROWS_SHOWN = 300
_ACTION_LABELS = dict(EscalationPolicy.Action.choices)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _get_or_404(fn, **kwargs):
    try:
        return fn(**kwargs)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def _escalation_label(steps: list, index: int) -> str:
    if 0 <= index < len(steps or []):
        return str(_ACTION_LABELS.get(steps[index].get("action"), steps[index].get("action", "")))
    return ""


@login_required
@require_GET
def desk(request):
    """People who have not acknowledged, by deadline (the part that refreshes every 10 s), and the
    phone calls the desk still has to make."""
    user = request.user
    _require(can_work_dispatch_desk(user))
    form = DeskFilterForm(request.GET)
    topic = form.topic()
    now = clock.now()
    unanswered = selectors.unanswered_list(user=user, topic=topic, now=now)
    context = {
        **paginate(request, unanswered),
        "form": form,
        "topic": topic,
        "now": now,
        "overdue_count": unanswered.filter(ack_due_at__lt=now).count(),
        "poll_url": poll_url(request),
    }
    for n in context["page_obj"]:
        n.is_overdue = n.ack_due_at < now
        n.escalation_reached = _escalation_label(n.escalation_steps, n.escalation_level - 1)
        n.escalation_next = _escalation_label(n.escalation_steps, n.escalation_level)
    if request.htmx:
        return render(request, "notifications/desk.html#unanswered", context)
    calls = selectors.phone_call_list(user=user)
    context.update(
        {
            "calls": list(calls[:DESK_CALLS_SHOWN]),
            "call_count": calls.count(),
            "outcome_choices": PhoneCallOutcomeForm.base_fields["outcome"].choices,
            "can_see_phone": can_see_phone_numbers(user),
        }
    )
    return render(request, "notifications/desk.html", context)


@login_required
@require_POST
def phone_call_reveal(request, pk: int):
    call = _get_or_404(
        selectors.phone_call_get, user=request.user, pk=pk
    )  # another scope's: 404, not 403
    _require(can_work_dispatch_desk(request.user))
    number = phone_call_number_reveal(call, by=request.user)
    return render(
        request, "notifications/desk.html#call_number", {"call": call, "revealed": number}
    )


@login_required
@require_POST
def phone_call_outcome(request, pk: int):
    call = _get_or_404(
        selectors.phone_call_get, user=request.user, pk=pk
    )  # another scope's: 404, not 403
    _require(can_work_dispatch_desk(request.user))
    form = PhoneCallOutcomeForm(request.POST)
    if form.is_valid():
        try:
            call = phone_call_record(
                call,
                by=request.user,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("已记录给 %(name)s 的电话：%(outcome)s。")
                % {"name": call.notification.recipient.name, "outcome": call.get_outcome_display()},
            )
    else:
        problems = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, _("没有记录：%(errors)s") % {"errors": "；".join(problems)})
    return redirect(f"{reverse('notifications:desk')}#calls")


@login_required
@require_GET
def delivery_list(request):
    _require(can_work_dispatch_desk(request.user))
    form = DeliveryFilterForm(request.GET)
    qs = selectors.delivery_list(user=request.user, **form.filters())
    context = {**paginate(request, qs), "form": form}
    for d in context["page_obj"]:
        d.channel_label = channel_label(d.channel)
    return render(request, "notifications/delivery_list.html", context)


@login_required
@require_GET
def delivery_detail(request, pk: int):
    delivery = _get_or_404(selectors.delivery_get, user=request.user, pk=pk)
    _require(can_work_dispatch_desk(request.user))
    delivery.channel_label = channel_label(delivery.channel)
    return render(request, "notifications/delivery_detail.html", {"delivery": delivery})


@login_required
@require_GET
def group_list(request):
    user = request.user
    _require(can_work_dispatch_desk(user) or can_manage_im_groups(user))
    platform = request.GET.get("platform", "")
    purpose = request.GET.get("purpose", "")
    qs = selectors.im_group_list(
        user=user,
        platform=platform if platform in ImGroup.Platform.values else "",
        purpose=purpose if purpose in ImGroup.Purpose.values else "",
    )
    context = {
        **paginate(request, qs),
        "platform": platform,
        "purpose": purpose,
        "platforms": ImGroup.Platform.choices,
        "purposes": ImGroup.Purpose.choices,
        "can_manage": can_manage_im_groups(user),
        "now": clock.now(),
        "demo_inbox": demo_fakes_enabled() and user.is_administrator,
    }
    for group in context["page_obj"]:
        group.masked_secret = masked_secret(group.secret)
        group.is_paused = bool(group.paused_until and group.paused_until > context["now"])
    return render(request, "notifications/group_list.html", context)


def _group_form_page(request, form: ImGroupForm, group: ImGroup | None, status: int = 200):
    return render(
        request, "notifications/group_form.html", {"form": form, "group": group}, status=status
    )


@login_required
def group_create(request):
    _require(can_manage_im_groups(request.user))
    if request.method != "POST":
        return _group_form_page(request, ImGroupForm(user=request.user), None)
    form = ImGroupForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            group = services.im_group_create(by=request.user, **form.service_fields())
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已添加群“%(name)s”。") % {"name": group.name})
            return redirect("notifications:group_list")
    return _group_form_page(request, form, None, status=400)


@login_required
def group_edit(request, pk: int):
    group = _get_or_404(selectors.im_group_get, user=request.user, pk=pk)
    _require(can_manage_im_groups(request.user))
    if request.method != "POST":
        return _group_form_page(request, ImGroupForm(user=request.user, group=group), group)
    form = ImGroupForm(request.POST, user=request.user, group=group)
    if form.is_valid():
        try:
            # The service validates before it saves: on an error nothing is written.
            group = services.im_group_update(group, by=request.user, **form.service_fields())
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存群“%(name)s”。") % {"name": group.name})
            return redirect("notifications:group_list")
    # A refused update has set the typed values on `group` (nothing saved): show the stored row.
    return _group_form_page(
        request, form, _get_or_404(selectors.im_group_get, user=request.user, pk=pk), status=400
    )


@login_required
@require_POST
def group_test(request, pk: int):
    group = _get_or_404(selectors.im_group_get, user=request.user, pk=pk)
    _require(can_manage_im_groups(request.user))
    im_group_test_queue(group, by=request.user)
    text = _("已将一条测试消息加入发送队列，将发往群“%(name)s”。") % {"name": group.name}
    if not group.is_active or group.needs_attention:
        text += _("注意：该群目前已停用或需要处理，消息会在恢复后发出。")
    messages.success(request, text)
    return redirect("notifications:group_list")


def demo_fakes_enabled() -> bool:
    return bool(settings.DEBUG or getattr(settings, "DEMO_FAKES_ENABLED", False))


@login_required
@require_GET
def demo_inbox(request):
    """What the local fake servers received (demo mode only; refreshes every 5 s)."""
    if not demo_fakes_enabled():
        raise Http404
    _require(request.user.is_administrator)
    fakes = demo.running_fakes()
    rows = demo.inbox_rows(fakes, limit=DEMO_ROWS_SHOWN)
    group_names = {
        demo.robot_key(g.webhook_url): g.name for g in selectors.im_group_list(user=request.user)
    }
    for row in rows:
        row.channel_label = channel_label(row.channel) if row.channel else row.fake
        row.group_name = group_names.get(row.robot_key, "") if row.robot_key else ""
    names = [str(demo.FAKE_LABELS.get(name, name)) for name in sorted(fakes)]
    context = {"rows": rows, "fakes": names, "shown": DEMO_ROWS_SHOWN}
    if request.htmx:
        return render(request, "notifications/demo_inbox.html#inbox", context)
    return render(request, "notifications/demo_inbox.html", context)
