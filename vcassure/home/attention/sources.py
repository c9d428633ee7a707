"""The list of sources in the order the home page shows them, and `attention_for`, which runs the
applicable ones and sorts their items most urgent first."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy

from vcassure.accounts.types import UserLike
from vcassure.home.attention.base import (
    NOW,
    AttentionItem,
    AttentionSource,
    is_desk,
    is_field_staff,
    not_field_only,
)
from vcassure.home.attention.desk import (
    faults_open,
    im_groups_failing,
    meetings_soon,
    phone_calls_waiting,
    unanswered_overdue,
)
from vcassure.home.attention.field import my_inspections_today, my_next_shift, my_next_tasks
from vcassure.home.attention.routine import inspections_overdue, shifts_at_risk
from vcassure.notifications.permissions import can_manage_im_groups

SOURCES: list[AttentionSource] = [
    AttentionSource(
        "my_task",
        gettext_lazy("我的任务"),
        gettext_lazy("没有待办的保障任务"),
        my_next_tasks,
        is_field_staff,
    ),
    AttentionSource(
        "meeting",
        gettext_lazy("今明两天的会议"),
        gettext_lazy("今明两天没有会议"),
        meetings_soon,
        not_field_only,
    ),
    AttentionSource(
        "unanswered",
        gettext_lazy("超时未确认"),
        gettext_lazy("没有超过响应时限未确认的人员"),
        unanswered_overdue,
        is_desk,
    ),
    AttentionSource(
        "fault",
        gettext_lazy("未恢复的故障"),
        gettext_lazy("没有未恢复的故障"),
        faults_open,
        lambda user: user.is_authenticated,
    ),
    AttentionSource(
        "phone_call",
        gettext_lazy("待拨打的电话"),
        gettext_lazy("没有待拨打的电话"),
        phone_calls_waiting,
        is_desk,
    ),
    AttentionSource(
        "im_group",
        gettext_lazy("消息群机器人"),
        gettext_lazy("消息群机器人工作正常"),
        im_groups_failing,
        can_manage_im_groups,
    ),
    AttentionSource(
        "inspection_overdue",
        gettext_lazy("逾期的巡检"),
        gettext_lazy("没有逾期的巡检"),
        inspections_overdue,
        not_field_only,
    ),
    AttentionSource(
        "shift_risk",
        gettext_lazy("72 小时内无人或违规的班次"),
        gettext_lazy("72 小时内的班次都有人值守且符合规则"),
        shifts_at_risk,
        not_field_only,
    ),
    AttentionSource(
        "my_inspection",
        gettext_lazy("我今天的巡检"),
        gettext_lazy("今天没有待做的巡检"),
        my_inspections_today,
        is_field_staff,
    ),
    AttentionSource(
        "my_shift",
        gettext_lazy("我的下一个班次"),
        gettext_lazy("没有排到值班"),
        my_next_shift,
        is_field_staff,
    ),
]


@dataclass
class Attention:
    items: list[AttentionItem]
    fine: list[str]  # what the sources with nothing to show say is fine
    now: datetime
    titles: dict[str, str]  # source key -> its title

    @property
    def rows(self) -> list[tuple[AttentionItem, str]]:
        return [(item, self.titles.get(item.kind, "")) for item in self.items]

    @property
    def urgent_count(self) -> int:
        return sum(1 for item in self.items if item.urgency == NOW)


def attention_for(
    user: UserLike, now: datetime, sources: Iterable[AttentionSource] = SOURCES
) -> Attention:
    """Every applicable source's items, most urgent first."""
    items: list[AttentionItem] = []
    fine: list[str] = []
    titles: dict[str, str] = {}
    for source in sources:
        if not source.applies(user):
            continue
        titles[source.key] = str(source.title)
        found = source.collect(user, now)
        if found:
            items.extend(found)
        else:
            fine.append(str(source.fine))
    items.sort(key=lambda item: item.sort_key)
    return Attention(items=items, fine=fine, now=now, titles=titles)
