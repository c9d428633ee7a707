"""The roster rules, and the suggester that never breaks one (hypothesis over random rosters)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from vcassure.duty.roster import Slot, build_schedules, suggest
from vcassure.duty.rules import OVERLAP, SHORT_REST, TOO_LONG, Limits, Schedule, schedule_problems

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2027, 6, 1, tzinfo=SH)
LIMITS = Limits(max_consecutive=timedelta(hours=12), min_rest=timedelta(hours=8))


def h(n: float) -> datetime:
    return T0 + timedelta(hours=n)


def test_no_more_than_twelve_hours_in_a_row():
    s = Schedule()
    s.add(h(0), h(8))
    assert s.problem(h(8), h(16), LIMITS) == TOO_LONG
    assert s.problem(h(8), h(12), LIMITS) is None  # 12 hours exactly is allowed


def test_at_least_eight_hours_rest_between_shifts():
    s = Schedule()
    s.add(h(0), h(8))
    assert s.problem(h(10), h(18), LIMITS) == SHORT_REST
    assert s.problem(h(16), h(24), LIMITS) is None
    assert s.problem(h(-16), h(-8), LIMITS) is None
    assert s.problem(h(-10), h(-2), LIMITS) == SHORT_REST  # rest before the existing shift too


def test_no_one_at_two_venues_at_once():
    s = Schedule()
    s.add(h(0), h(8))
    assert s.problem(h(4), h(12), LIMITS) == OVERLAP
    assert s.problem(h(-4), h(1), LIMITS) == OVERLAP


def test_a_meeting_task_counts_against_the_person():
    s = build_schedules([], []).get(1) or Schedule()
    s.add_busy(h(9), h(12))  # a meeting task, on site to shutdown
    assert s.problem(h(0), h(8), LIMITS) == SHORT_REST
    assert s.problem(h(8), h(16), LIMITS) == OVERLAP
    assert s.problem(h(18), h(26), LIMITS) == SHORT_REST
    assert s.problem(h(12), h(20), LIMITS) is None  # touching: 11 h in a row is allowed
    assert s.problem(h(12), h(22), LIMITS) == TOO_LONG  # 13 h in a row


def test_the_rules_change_with_the_limits():
    relaxed = Limits(max_consecutive=timedelta(hours=16), min_rest=timedelta(hours=4))
    s = Schedule()
    s.add(h(0), h(8))
    assert s.problem(h(8), h(16), relaxed) is None
    assert s.problem(h(12), h(20), relaxed) is None


def test_schedule_problems_names_both_sides_of_a_clash():
    found = schedule_problems([(h(0), h(8)), (h(6), h(10))], LIMITS)
    assert {k for k, code in found if code == OVERLAP} == {0, 1}


def test_two_people_cover_a_venue_around_the_clock_with_eight_hour_shifts():
    slots = [Slot(key=i, venue_id=1, starts_at=h(8 * i), ends_at=h(8 * i + 8)) for i in range(9)]
    filled = suggest(slots, {1: [10, 11, 12]}, build_schedules([]), LIMITS)
    assert filled == 9
    assert [s.assignee_id for s in slots] == [10, 11, 10, 11, 10, 11, 10, 11, 10]


def test_the_pool_takes_over_when_primary_and_backup_are_busy():
    schedules = build_schedules([(10, h(-2), h(30)), (11, h(-2), h(30))])
    slots = [Slot(key=0, venue_id=1, starts_at=h(0), ends_at=h(8))]
    suggest(slots, {1: [10, 11, 12]}, schedules, LIMITS)
    assert slots[0].assignee_id == 12


def test_a_shift_nobody_can_take_stays_uncovered():
    slots = [Slot(key=i, venue_id=1, starts_at=h(8 * i), ends_at=h(8 * i + 8)) for i in range(3)]
    suggest(slots, {1: [10]}, build_schedules([]), LIMITS)
    assert [s.assignee_id for s in slots] == [10, None, 10]


hours = st.integers(min_value=0, max_value=96)


@st.composite
def rosters(draw):
    """Random venues with random overlapping candidate lists, shifts of 4 to 12 hours that may
    overlap across venues, people already busy (meeting tasks), and random limits."""
    n_venues = draw(st.integers(1, 6))
    people = list(range(100, 100 + draw(st.integers(1, 8))))
    candidates = {
        v: draw(st.lists(st.sampled_from(people), min_size=0, max_size=5, unique=True))
        for v in range(n_venues)
    }
    length = draw(st.sampled_from([4, 6, 8, 12]))
    slots = []
    key = 0
    for v in range(n_venues):
        offset = draw(st.integers(0, 11))
        for i in range(draw(st.integers(0, 10))):
            slots.append(
                Slot(
                    key=key,
                    venue_id=v,
                    starts_at=h(offset + i * length),
                    ends_at=h(offset + (i + 1) * length),
                )
            )
            key += 1
    busy = [
        (draw(st.sampled_from(people)), h(a), h(a + draw(st.integers(1, 14))))
        for a in draw(st.lists(hours, max_size=6))
    ]
    limits = Limits(
        max_consecutive=timedelta(hours=draw(st.sampled_from([8, 12, 16, 24]))),
        min_rest=timedelta(hours=draw(st.sampled_from([0, 4, 8, 12]))),
    )
    return slots, candidates, busy, limits


@settings(max_examples=300, deadline=None)
@given(rosters())
def test_the_suggester_never_breaks_a_rule_it_was_given(roster):
    slots, candidates, busy, limits = roster
    schedules = build_schedules(busy)
    # What people already had may itself break rules; only what the suggester adds is judged.
    before = {
        p: {(k, c) for k, c in schedule_problems([(s, e) for q, s, e in busy if q == p], limits)}
        for p in {b[0] for b in busy}
    }
    suggest(slots, candidates, schedules, limits)
    people = {s.assignee_id for s in slots if s.assignee_id is not None}
    for person in people:
        given_ = [(s.starts_at, s.ends_at) for s in slots if s.assignee_id == person]
        assert all(
            s.assignee_id in candidates[s.venue_id] for s in slots if s.assignee_id == person
        )
        own_busy = [(s, e) for q, s, e in busy if q == person]
        problems = schedule_problems(own_busy + given_, limits)
        new = [(k, c) for k, c in problems if k >= len(own_busy)]
        assert not new, (person, new, before.get(person))
