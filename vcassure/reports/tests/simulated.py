"""What the meeting report of a simulated meeting must say, worked out from the simulator's own
record (meetings/management/crowd.py: what each person did and when, the deadlines read when the
crowd was cast, what the sweepers it drove said they did) and never from the report's queries."""

from collections import Counter, defaultdict
from datetime import datetime, timedelta

from vcassure.meetings.management.simulation import Simulation

MINUTE = timedelta(minutes=1)


def status(at: datetime | None, due: datetime | None) -> str:
    if at is None:
        return "never"
    return "late" if due is not None and at > due else "on_time"


def rate(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def minutes(start: datetime | None, end: datetime | None) -> float:
    assert start is not None and end is not None
    return (end - start).total_seconds() / 60


def next_tick(at: datetime) -> datetime:
    """The first simulated minute at or after `at` (ticks fall on whole minutes)."""
    floor = at.replace(second=0, microsecond=0)
    return floor if floor == at else floor + MINUTE


def first_tick_after(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0) + MINUTE


def counts(people, start: datetime) -> dict:
    c: Counter = Counter()
    for p in people:
        ready = p.before_steps_passed_at
        c["venues"] += 1
        c[f"ack_{status(p.acked, p.ack_due)}"] += 1
        c[f"site_{status(p.checked_in, p.on_site_due)}"] += 1
        c[f"ready_{status(ready, p.ready_due)}"] += 1
        c[f"start_{status(ready, start)}"] += 1
        c["faults"] += p.fault_opened is not None
        c["shutdown"] += p.shutdown_at is not None
    return {
        "venues": c["venues"],
        "acknowledged_on_time": c["ack_on_time"],
        "acknowledged_late": c["ack_late"],
        "unanswered": c["ack_never"],
        "on_site_on_time": c["site_on_time"],
        "ready_on_time": c["ready_on_time"],
        "ready_before_start": c["start_on_time"],
        "ready_late": c["start_late"],
        "not_ready": c["start_never"],
        "faults": c["faults"],
        "ack_on_time_rate": rate(c["ack_on_time"], c["venues"]),
        "ready_before_start_rate": rate(c["start_on_time"], c["venues"]),
        "_on_site_late": c["site_late"],
        "_never_on_site": c["site_never"],
        "_shutdown": c["shutdown"],
    }


def rungs_fired(p, last: datetime) -> list[dict]:
    """The escalation rungs of a person's notice that climbed: each falls due at the reply
    deadline plus its minutes, is swept at the next tick, and climbs unless the answer came by
    that tick (people act before the worker sweeps within a tick) or the run was over."""
    fired = []
    if p.ack_due is None:
        return fired
    for step in p.escalation_steps:
        tick = next_tick(p.ack_due + timedelta(minutes=step["after_minutes"]))
        if tick > last or (p.acked is not None and p.acked <= tick):
            break
        fired.append(step)
    return fired


def overdue_batches(p, last: datetime) -> int:
    """How many of the person's deadlines (on site, ready, shutdown) the clock marked as missed:
    swept at the first tick after the deadline, unless the person had acted by then."""
    missed = 0
    for due, done in (
        (p.on_site_due, p.checked_in),
        (p.ready_due, p.before_steps_passed_at),
        (p.shutdown_due, p.shutdown_at),
    ):
        if due is None:
            continue
        tick = first_tick_after(due)
        if tick <= last and (done is None or done > tick):
            missed += 1
    return missed


def expected_report(sim: Simulation) -> dict:
    people, r = sim.people, sim.report
    start = sim.meeting.starts_at
    last = r.last_minute
    assert last is not None
    summary = counts(people, start)
    by_unit: dict[int, list] = defaultdict(list)
    for p in people:
        for unit in p.units:
            by_unit[unit].append(p)
    channels = {}
    for cls in ("im", "office"):
        mine = [p for p in people if p.ack_class == cls]
        c = Counter(status(p.acked, p.ack_due) for p in mine)
        channels[cls] = {
            "notices": len(mine),
            "answered_on_time": c["on_time"],
            "answered_late": c["late"],
            "unanswered": c["never"],
            "on_time_rate": rate(c["on_time"], len(mine)),
        }
    faulted = [p for p in people if p.fault_opened is not None]
    to_ack = [minutes(p.fault_opened, p.fault_acked) for p in faulted]
    repair = [minutes(p.fault_opened, p.fault_restored) for p in faulted]
    escalation_rows = phone_calls = 0
    for p in people:
        for step in rungs_fired(p, last):
            action = step.get("action")
            escalation_rows += {
                "supervisor": int(p.has_supervisor),
                "department_head": int(p.has_head),
                "dispatch_desk": r.desk,
            }.get(action, 0)
            phone_calls += action == "dispatch_desk" and p.has_mobile
    steps: dict[int, Counter] = defaultdict(Counter)
    for p in people:
        for number, (result, _at) in p.results.items():
            steps[number][result] += 1
    acked = [p.acked for p in people]
    readies = [p.before_steps_passed_at for p in people]
    kinds = Counter({"created": 1, "published": 1})
    kinds.update(kind for kind, _at in r.clock)
    if all(acked):
        kinds["all_acknowledged"] += 1
    if all(readies):
        kinds["all_ready"] += 1
    return {
        "summary": summary,
        "by_unit": {unit: counts(group, start) for unit, group in by_unit.items()},
        "by_channel": channels,
        "mtta_minutes": mean(to_ack),
        "mttr_minutes": mean(repair),
        "rungs": sum(len(rungs_fired(p, last)) for p in people),
        "escalations": {
            "escalations": escalation_rows,
            "phone_calls": phone_calls,
            "overdue_reminders": sum(
                overdue_batches(p, last) * (r.desk + 1 + p.has_supervisor) for p in people
            ),
        },
        "photos": sum(p.photos for p in people),
        "steps": {n: {"pass": c["pass"], "fail": c["fail"]} for n, c in sorted(steps.items())},
        "timeline": dict(kinds),
        "started_at": next((at for kind, at in r.clock if kind == "started"), None),
        "ended_at": next((at for kind, at in r.clock if kind == "ended"), None),
        "all_acknowledged_at": max(acked) if all(acked) else None,  # type: ignore[type-var]
        "all_ready_at": max(readies) if all(readies) else None,  # type: ignore[type-var]
    }
