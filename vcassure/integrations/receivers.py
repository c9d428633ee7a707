"""What the integrations app hears from the apps below it, turned into webhook events.
Every event type of SPEC §6.2 has its signal connected here."""

from typing import Any

from vcassure.core.subjects import meeting_ref, subject_ref, task_ref
from vcassure.integrations.models import EventType
from vcassure.integrations.services.events import Event, iso, webhook_events_record

MEETING_MOVES = {
    "published": EventType.MEETING_PUBLISHED,
    "cancelled": EventType.MEETING_CANCELLED,
    "closed": EventType.MEETING_CLOSED,
}


def meeting_data(meeting: Any) -> dict:
    return {
        "id": meeting.pk,
        "title": meeting.title,
        "system": meeting.system.code,
        "kind": meeting.kind,
        "importance": meeting.importance,
        "state": meeting.state,
        "starts_at": iso(meeting.starts_at),
        "ends_at": iso(meeting.ends_at),
        "notice_ref": meeting.notice_ref,
        "org_unit": meeting.org_unit_id,
    }


def fault_data(fault: Any) -> dict:
    return {
        "id": fault.pk,
        "title": fault.title,
        "source": fault.source,
        "severity": fault.severity,
        "state": fault.state,
        "org_unit": fault.org_unit_id,
        "venue": fault.venue_id,
        "subject": fault.subject,
        "opened_at": iso(fault.opened_at),
        "restored_at": iso(fault.restored_at),
        "closed_at": iso(fault.closed_at),
    }


def on_meeting_state_changed(sender, *, meeting, from_state, to_state, at, **kwargs) -> None:
    event_type = MEETING_MOVES.get(str(to_state))
    if event_type is None:  # started, ended: not an event of SPEC §6.2
        return
    data = {**meeting_data(meeting), "previous_state": str(from_state)}
    webhook_events_record([Event(event_type, meeting_ref(meeting.pk), at, data)])


def on_meeting_rescheduled(sender, *, meeting, previous, at, **kwargs) -> None:
    if meeting.state == "draft":  # nobody outside has heard of a draft
        return
    data = {**meeting_data(meeting), "previous": previous}
    webhook_events_record([Event(EventType.MEETING_RESCHEDULED, meeting_ref(meeting.pk), at, data)])


def on_support_tasks_changed(sender, *, changes, **kwargs) -> None:
    """One batch of moves (a publish, a bulk acknowledgement): one INSERT for all its events."""
    webhook_events_record(
        Event(
            EventType.TASK_STATE_CHANGED,
            task_ref(change.task_id),
            change.at,
            {
                "id": change.task_id,
                "meeting": change.meeting_id,
                "from_state": str(change.from_state),
                "to_state": str(change.to_state),
                "at": iso(change.at),
            },
        )
        for change in changes
    )


def _fault_receiver(event_type: str):
    def receive(sender, *, fault, at=None, **kwargs) -> None:
        webhook_events_record(
            [
                Event(
                    event_type,
                    subject_ref("fault", fault.pk),
                    at or fault.updated_at,
                    fault_data(fault),
                )
            ]
        )

    return receive


on_fault_opened = _fault_receiver(EventType.FAULT_OPENED)
on_fault_restored = _fault_receiver(EventType.FAULT_RESTORED)
on_fault_closed = _fault_receiver(EventType.FAULT_CLOSED)


def on_shifts_uncovered(sender, *, shifts, at, **kwargs) -> None:
    """One `shift.uncovered` event per shift the duty clock warns about (at 72 h, then 24 h)."""
    webhook_events_record(
        [
            Event(
                EventType.SHIFT_UNCOVERED,
                subject_ref("shift", shift.pk),
                at,
                {
                    "id": shift.pk,
                    "period": shift.period_id,
                    "venue": shift.venue_id,
                    "starts_at": iso(shift.starts_at),
                    "ends_at": iso(shift.ends_at),
                    "assignee": shift.assignee_id,
                    "problem": problem or "uncovered",
                    "warning": mark,
                },
            )
            for shift, problem, mark in shifts
        ]
    )


def on_probe_failed(sender, *, results, label="", at=None, **kwargs) -> None:
    """One `probe.failed` event per failing device of a run, all in one INSERT."""
    webhook_events_record(
        Event(
            EventType.PROBE_FAILED,
            f"equipment:{r.equipment_id}",
            at or r.checked_at,
            {
                "equipment": r.equipment_id,
                "venue": r.equipment.venue_id,
                "kind": r.equipment.kind,
                "method": r.method,
                "failure": r.failure,
                "error": r.error,
                "checked_at": iso(r.checked_at),
                "round": label,
            },
        )
        for r in results
    )


def connect() -> None:
    from vcassure.duty.signals import shifts_uncovered
    from vcassure.faults.signals import fault_closed, fault_opened, fault_restored
    from vcassure.meetings.signals import (
        meeting_rescheduled,
        meeting_state_changed,
        support_tasks_changed,
    )
    from vcassure.probes.signals import probe_failed

    meeting_state_changed.connect(on_meeting_state_changed, dispatch_uid="integrations.meeting")
    meeting_rescheduled.connect(on_meeting_rescheduled, dispatch_uid="integrations.reschedule")
    support_tasks_changed.connect(on_support_tasks_changed, dispatch_uid="integrations.tasks")
    fault_opened.connect(on_fault_opened, dispatch_uid="integrations.fault_opened")
    fault_restored.connect(on_fault_restored, dispatch_uid="integrations.fault_restored")
    fault_closed.connect(on_fault_closed, dispatch_uid="integrations.fault_closed")
    shifts_uncovered.connect(on_shifts_uncovered, dispatch_uid="integrations.shifts_uncovered")
    probe_failed.connect(on_probe_failed, dispatch_uid="integrations.probe_failed")
