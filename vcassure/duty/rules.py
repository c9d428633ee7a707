"""The roster rules as pure code: a person's schedule is a sorted list of non-overlapping work
intervals (shifts, and meeting tasks or inspections merged in); `Schedule.problem` says which rule
one more interval would break. Used by the suggester (which never breaks one), by manual
assignment (refused with the rule's name) and by the list of rule-breaking shifts."""

import bisect
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

OVERLAP = "overlap"
TOO_LONG = "too_long"
SHORT_REST = "short_rest"


@dataclass(frozen=True)
class Limits:
    max_consecutive: timedelta
    min_rest: timedelta

    @classmethod
    def of(cls, rule) -> "Limits":
        return cls(
            max_consecutive=timedelta(hours=rule.max_consecutive_hours),
            min_rest=timedelta(hours=rule.min_rest_hours),
        )


def rule_message(code: str, limits: Limits) -> str:
    hours_long = int(limits.max_consecutive.total_seconds() // 3600)
    hours_rest = int(limits.min_rest.total_seconds() // 3600)
    return {
        OVERLAP: _("同一时间不能在两个会场值班(或与会议保障任务、巡检冲突)"),
        TOO_LONG: _("连续值班不能超过 %(n)s 小时") % {"n": hours_long},
        SHORT_REST: _("两次值班之间至少休息 %(n)s 小时") % {"n": hours_rest},
    }[code]


class Schedule:
    """One person's work: sorted, non-overlapping [start, end) intervals. Touching intervals form
    one stretch "in a row"; between stretches there must be the minimum rest."""

    __slots__ = ("starts", "ends")

    def __init__(self) -> None:
        self.starts: list[datetime] = []
        self.ends: list[datetime] = []

    def add_busy(self, start: datetime, end: datetime) -> None:
        """Merge in work that is not ours to refuse (a meeting task): overlapping pieces join."""
        i = bisect.bisect_left(self.ends, start)
        j = bisect.bisect_right(self.starts, end)
        if i < j:
            start = min(start, self.starts[i])
            end = max(end, self.ends[j - 1])
        self.starts[i:j] = [start]
        self.ends[i:j] = [end]

    def problem(self, start: datetime, end: datetime, limits: Limits) -> str | None:
        """The rule that adding [start, end) would break, or None."""
        starts, ends = self.starts, self.ends
        i = bisect.bisect_right(ends, start)  # first interval ending after our start
        if i < len(starts) and starts[i] < end:
            return OVERLAP
        # Our stretch: walk touching neighbours on both sides.
        left = i - 1
        block_start = start
        while left >= 0 and ends[left] == block_start:
            block_start = starts[left]
            left -= 1
        right = i
        block_end = end
        while right < len(starts) and starts[right] == block_end:
            block_end = ends[right]
            right += 1
        if block_end - block_start > limits.max_consecutive:
            return TOO_LONG
        if left >= 0 and block_start - ends[left] < limits.min_rest:
            return SHORT_REST
        if right < len(starts) and starts[right] - block_end < limits.min_rest:
            return SHORT_REST
        return None

    def add(self, start: datetime, end: datetime) -> None:
        i = bisect.bisect_right(self.ends, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


def schedule_problems(
    intervals: list[tuple[datetime, datetime]], limits: Limits
) -> list[tuple[int, str]]:
    """Every rule a whole schedule breaks, as (index of an interval, rule code): both intervals of
    a clash are named, so a shift is flagged whichever came first. For checking a roster after
    the fact (and in tests)."""
    order = sorted(range(len(intervals)), key=lambda k: intervals[k])
    found: list[tuple[int, str]] = []
    prev_end: datetime | None = None
    prev_k = -1
    block_start: datetime | None = None
    for k in order:
        start, end = intervals[k]
        if prev_end is not None and start < prev_end:
            found += [(k, OVERLAP), (prev_k, OVERLAP)]
            if end > prev_end:
                prev_end, prev_k = end, k
            continue
        if prev_end is None or start != prev_end:
            if prev_end is not None and start - prev_end < limits.min_rest:
                found += [(k, SHORT_REST), (prev_k, SHORT_REST)]
            block_start = start
        assert block_start is not None
        if end - block_start > limits.max_consecutive:
            found.append((k, TOO_LONG))
            if block_start != start:  # the interval before it is part of the same stretch
                found.append((prev_k, TOO_LONG))
        prev_end, prev_k = end, k
    return found
