"""The simulated crowd (`manage.py simulate`): what each venue's person will do, drawn once, and the
simulator's own record of what it did and saw, kept apart from the database so that the meeting
report can be checked against it (reports/tests/test_simulated_report.py)."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Person:
    """One venue task's person: the plan (drawn once), the facts read when the crowd was cast
    (deadlines, the notice's class and escalation steps, who stands behind the person), and the
    record of what the simulator made them do, with the simulated time of each act."""

    task_id: int
    notice_id: int | None
    ack_at: datetime | None  # plan; None: never answers
    check_in_at: datetime | None
    fail_step: int | None  # a "before" step that fails once
    repair_minutes: int = 10  # after the fault opened: restored
    fault_ack_minutes: int = 2  # after the fault opened: acknowledged by network operations
    done: set[str] = field(default_factory=set)
    # facts when cast
    units: tuple[int, ...] = ()  # the venue's city and county (org unit ids)
    ack_class: str = ""
    ack_due: datetime | None = None
    on_site_due: datetime | None = None
    ready_due: datetime | None = None
    shutdown_due: datetime | None = None
    escalation_steps: list[dict] = field(default_factory=list)
    has_supervisor: bool = False
    has_head: bool = False
    has_mobile: bool = False
    # the record
    acked: datetime | None = None
    checked_in: datetime | None = None
    results: dict[int, tuple[str, datetime]] = field(default_factory=dict)  # latest per step
    photos: int = 0
    before_steps_passed_at: datetime | None = None  # the last "before" step passed
    shutdown_at: datetime | None = None  # step 4 passed
    fault_opened: datetime | None = None
    fault_acked: datetime | None = None
    fault_restored: datetime | None = None


@dataclass
class Report:
    """The simulator's totals. `acked_*`, `check_ins`, `steps_*` and `faults_restored` count what it
    did; `rungs` what the escalation sweeper it drove said it climbed; `clock` the meeting moves
    the clock sweep it drove made (kind, simulated time); `never`, `escalations`,
    `faults_opened` and `tasks` are read back from the database at the end."""

    venues: int = 0
    notices: int = 0
    acked_on_time: int = 0
    acked_late: int = 0
    never: int = 0
    escalations: int = 0
    rungs: int = 0
    overdue: int = 0  # reminders the clock sweep it drove said it sent
    check_ins: int = 0
    steps_passed: int = 0
    steps_failed: int = 0
    photos: int = 0
    faults_opened: int = 0
    faults_restored: int = 0
    desk: int = 0  # the dispatch desk's size when cast
    clock: list[tuple[str, datetime]] = field(default_factory=list)
    tasks: dict[str, int] = field(default_factory=dict)
    sim_minutes: int = 0
    last_minute: datetime | None = None  # the simulated time of the last tick
    wall_seconds: float = 0.0

    @property
    def acks(self) -> int:
        return self.acked_on_time + self.acked_late

    def consistent(self) -> list[str]:
        problems = []
        if self.acks + self.never != self.notices:
            problems.append(f"acks {self.acks} + never {self.never} != notices {self.notices}")
        if self.faults_opened != self.steps_failed:
            problems.append(f"faults {self.faults_opened} != failed steps {self.steps_failed}")
        return problems
