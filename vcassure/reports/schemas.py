"""The reports API's shapes (SPEC §6.2): the meeting report's fields first, and the KPI row."""

from typing import Any

from ninja import Schema

from vcassure.core.schemas import LocalDatetime


class ReportUnitOut(Schema):
    org_unit: int
    name: str
    level: str
    venues: int
    acknowledged_on_time: int
    acknowledged_late: int
    unanswered: int
    on_site_on_time: int
    ready_on_time: int
    ready_before_start: int
    ready_late: int
    not_ready: int
    faults: int
    ack_on_time_rate: float | None
    ready_before_start_rate: float | None


class ReportChannelOut(Schema):
    channel_class: str
    label: str
    notices: int
    answered_on_time: int
    answered_late: int
    unanswered: int
    on_time_rate: float | None


class ReportFaultOut(Schema):
    id: int
    title: str
    venue: str
    state: str
    opened_at: LocalDatetime
    acknowledged_at: LocalDatetime
    restored_at: LocalDatetime
    ack_minutes: float | None
    restore_minutes: float | None


class ReportTimelineOut(Schema):
    at: LocalDatetime
    kind: str
    label: str
    actor: str


class ReportSignedOffOut(Schema):
    by: str
    at: LocalDatetime
    note: str


class ReportMilestonesOut(Schema):
    notice_received_at: LocalDatetime
    published_at: LocalDatetime
    all_acknowledged_at: LocalDatetime
    all_ready_at: LocalDatetime
    started_at: LocalDatetime
    ended_at: LocalDatetime
    closed_at: LocalDatetime


class ReportOut(Schema):
    venues: int
    acknowledged_on_time: int
    acknowledged_late: int
    unanswered: int
    ready_before_start: int
    ready_late: int
    not_ready: int
    faults: int
    mtta_minutes: float | None
    mttr_minutes: float | None
    by_unit: list[ReportUnitOut]
    by_channel: list[ReportChannelOut]
    meeting: int
    title: str
    state: str
    starts_at: LocalDatetime
    ends_at: LocalDatetime
    on_site_on_time: int
    on_site_late: int
    never_on_site: int
    ready_on_time: int
    shutdown_recorded: int
    ack_on_time_rate: float | None
    ready_before_start_rate: float | None
    milestones: ReportMilestonesOut
    escalations: dict[str, int]
    evidence: dict[str, Any]
    fault_list: list[ReportFaultOut]
    coordination: list[dict[str, Any]]
    timeline: list[ReportTimelineOut]
    signed_off: ReportSignedOffOut


class KpiRowOut(Schema):
    org_unit: int
    name: str
    meetings: int
    venue_tasks: int
    ack_on_time_rate: float | None
    ready_before_start_rate: float | None
    faults: int
    faults_per_100: float | None
    mtta_minutes: float | None
    mttr_minutes: float | None
    inspections_done_rate: float | None
    rank: int | None


class KpiTrendOut(Schema):
    month: str
    meetings: int
    venue_tasks: int
    ack_on_time_rate: float | None
    ready_before_start_rate: float | None
    faults: int
    faults_per_100: float | None
    mtta_minutes: float | None
    mttr_minutes: float | None
    inspections_done_rate: float | None


class KpisOut(Schema):
    month: str
    level: str
    items: list[KpiRowOut]
    count: int
    trend: list[KpiTrendOut]
