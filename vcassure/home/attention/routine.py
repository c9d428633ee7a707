"""Sources for routine work seen from a desk: overdue inspections and shifts at risk within 72 hours."""

from datetime import datetime, timedelta

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vcassure.accounts.types import UserLike
from vcassure.core.templatetags.vca_time import when
from vcassure.duty.models import Shift
from vcassure.duty.selectors import roster_problems
from vcassure.home.attention.base import LIMIT, NOW, SOON, AttentionItem, late_by, more_item
from vcassure.routine.models import Inspection

# --- overdue inspections (routine) ----------------------------------------------------------------


def inspections_overdue(user: UserLike, now: datetime) -> list[AttentionItem]:
    """Open inspections past their due time, one item per unit owning the venues, oldest first,
    linking to the overdue list."""
    rows = list(
        Inspection.objects.visible_to(user)
        .filter(state__in=Inspection.OPEN_STATES, due_at__lt=now)
        .values("org_unit_id", "org_unit__name")
        .annotate(n=Count("id"), first=Min("due_at"))
        .order_by("first", "org_unit_id")[: LIMIT + 1]
    )
    url = reverse("routine:overdue")
    items = [
        AttentionItem(
            kind="inspection_overdue",
            urgency=NOW,
            label=ngettext("%(n)s 项巡检逾期未完成", "%(n)s 项巡检逾期未完成", row["n"])
            % {"n": row["n"]},
            detail=row["org_unit__name"],
            badge=late_by(row["first"], now),
            tone="bad",
            url=url,
            due_at=row["first"],
        )
        for row in rows[:LIMIT]
    ]
    if len(rows) > LIMIT:
        items.append(more_item("inspection_overdue", len(rows) - LIMIT, url))
    return items


# --- uncovered or rule-breaking shifts (duty) -----------------------------------------------------

SHIFT_HORIZON = timedelta(hours=72)


def shifts_at_risk(user: UserLike, now: datetime) -> list[AttentionItem]:
    """Shifts starting within 72 h that nobody covers or whose person would break a roster rule,
    one item per special period, linking to the period's page."""
    shifts = list(
        Shift.objects.visible_to(user)
        .filter(starts_at__gte=now, starts_at__lt=now + SHIFT_HORIZON)
        .select_related("period")
        .only("id", "assignee_id", "starts_at", "ends_at", "period__id", "period__name")
    )
    if not shifts:
        return []
    broken = roster_problems([s for s in shifts if s.assignee_id])
    per_period: dict[int, dict] = {}
    for shift in shifts:
        if shift.assignee_id is not None and shift.pk not in broken:
            continue
        entry = per_period.setdefault(
            shift.period_id,
            {"period": shift.period, "uncovered": 0, "broken": 0, "first": shift.starts_at},
        )
        entry["uncovered" if shift.assignee_id is None else "broken"] += 1
        entry["first"] = min(entry["first"], shift.starts_at)
    items = []
    for entry in sorted(per_period.values(), key=lambda e: e["first"])[:LIMIT]:
        parts = []
        if entry["uncovered"]:
            parts.append(
                ngettext("%(n)s 个班次无人值班", "%(n)s 个班次无人值班", entry["uncovered"])
                % {"n": entry["uncovered"]}
            )
        if entry["broken"]:
            parts.append(
                ngettext("%(n)s 个班次违反排班规则", "%(n)s 个班次违反排班规则", entry["broken"])
                % {"n": entry["broken"]}
            )
        first = entry["first"]
        items.append(
            AttentionItem(
                kind="shift_risk",
                urgency=NOW if first - now < timedelta(hours=24) else SOON,
                label=entry["period"].name,
                detail=" · ".join(parts),
                badge=_("最早 %(at)s 开始") % {"at": when(first)},
                tone="bad" if first - now < timedelta(hours=24) else "warn",
                url=reverse("duty:period_detail", args=[entry["period"].pk]),
                due_at=first,
            )
        )
    return items
