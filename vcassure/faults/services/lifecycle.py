"""The one write path of a fault's state: open (routed to the city's network operations, the sole
emergency interface, with the severity's deadlines), acknowledge, assign, on site, restore, close,
reopen. Each move is a FaultEvent with who and when and an audit record; a move the state does not
allow is a ConflictError (409)."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike, actor
from vcassure.core import clock
from vcassure.core.errors import InvalidInputError
from vcassure.core.services import audit_record
from vcassure.core.stored_files import stored_file_track, uploads_guarded
from vcassure.faults.models import Fault, FaultEvent
from vcassure.faults.permissions import can_handle_fault
from vcassure.faults.services.policy import deadlines_for
from vcassure.faults.signals import fault_closed, fault_opened, fault_reopened, fault_restored
from vcassure.orgs.models import Department, OrgUnit, Staff


def responsible_department(org_unit: OrgUnit) -> Department | None:
    """The network operations department of the unit's city: every emergency goes through it."""
    chain = org_unit.chain_ids
    if len(chain) < 2:
        return (
            Department.objects.filter(org_unit_id=chain[0], kind=Department.Kind.OPS).first()
            if chain
            else None
        )
    return Department.objects.filter(org_unit_id=chain[1], kind=Department.Kind.NETWORK_OPS).first()


def access_department(org_unit: OrgUnit) -> Department | None:
    """The customer department nearest the unit (its own level first, then up): the seed makes it
    responsible for getting support staff into the venue."""
    chain = list(reversed(org_unit.chain_ids))
    found = {
        d.org_unit_id: d
        for d in Department.objects.filter(org_unit_id__in=chain, kind=Department.Kind.CUSTOMER)
    }
    return next((found[u] for u in chain if u in found), None)


def _event(fault: Fault, kind: str, at: datetime, by, note: str = "") -> FaultEvent:
    return FaultEvent.objects.create(
        fault=fault, kind=kind, at=at, actor=actor(by), note=(note or "")[:1000]
    )


# Events that record something about a fault without moving it (guidance.py, escalation.py).
LOG_KINDS = {FaultEvent.Kind.GUIDANCE, FaultEvent.Kind.NOTE, FaultEvent.Kind.ESCALATED}


@uploads_guarded
def fault_log(
    fault: Fault,
    *,
    kind: str,
    by: "UserLike | None" = None,
    at: datetime | None = None,
    note: str = "",
    advisor: str = "",
    photo: tuple[str, bytes, str] | None = None,
) -> FaultEvent:
    """Add a guidance, note or escalation to the fault's timeline (photo: name with a checked
    extension, its bytes, its content type). State moves have their own functions above."""
    if kind not in LOG_KINDS:
        raise ValueError(f"{kind!r} is a state move, not a log entry")
    event = FaultEvent(
        fault=fault,
        kind=kind,
        at=at or clock.now(),
        actor=actor(by),
        note=(note or "")[:1000],
        advisor=advisor[:100],
    )
    if photo is not None:
        name, data, content_type = photo
        event.photo_content_type = content_type
        event.photo.save(name, ContentFile(data), save=False)
        stored_file_track(event.photo)
    event.save()
    return event


@transaction.atomic
def fault_open(
    *,
    title: str,
    source: str,
    org_unit: OrgUnit,
    by: "UserLike | None" = None,
    venue=None,
    subject: str = "",
    step_result=None,
    description: str = "",
    severity: str = Fault.Severity.MAJOR,
    notify: bool = True,
) -> Fault:
    """A new fault, open, with the severity's deadlines, routed to the city's network operations
    (a venue-access report: to the customer department) whose IM groups and people on duty are
    told at once (notify=False only for fixtures that test no message)."""
    now = clock.now()
    department = (
        access_department(org_unit)
        if source == Fault.Source.ACCESS
        else responsible_department(org_unit)
    )
    due = deadlines_for(severity, now)
    fault = Fault.objects.create(
        title=title[:200],
        description=description,
        source=source,
        severity=severity,
        org_unit=org_unit,
        venue=venue,
        subject=subject,
        step_result=step_result,
        assigned_department=department,
        opened_at=now,
        opened_by=actor(by),
        state=Fault.State.OPEN,
        ack_due_at=due.ack_due_at,
        on_site_due_at=due.on_site_due_at,
        restore_due_at=due.restore_due_at,
    )
    _event(
        fault,
        FaultEvent.Kind.OPENED,
        now,
        by,
        description or (_("转%(d)s") % {"d": department.name} if department is not None else ""),
    )
    audit_record(
        actor=by,
        action="fault.open",
        obj=fault,
        changes={
            "subject": subject,
            "department": department and department.pk,
            "severity": severity,
        },
    )
    if notify and department is not None:
        from vcassure.faults.services.notify import notify_fault_opened

        notify_fault_opened(fault)
    transaction.on_commit(
        lambda: fault_opened.send(sender=Fault, fault=fault, by=by, at=fault.opened_at)
    )
    return fault


def check_can_handle(fault: Fault, user: "UserLike | None") -> None:
    """Out of scope looks like missing; in scope without the role is refused. `by=None` is the
    system itself (a link acknowledgement, a probe recovering, a test fixture)."""
    if user is None:
        return
    if not Fault.objects.visible_to(user).filter(pk=fault.pk).exists():
        raise Fault.DoesNotExist
    if not can_handle_fault(user):
        raise PermissionDenied(_("只有网络运行部、技术维护部、调度员和负责人可以处理故障。"))


def _locked(fault: Fault) -> Fault:
    return Fault.objects.select_for_update().get(pk=fault.pk)


def _stop_asking(fault: Fault) -> None:
    """Someone has the fault: the department's other open notices about it stop escalating."""
    from vcassure.core.subjects import fault_ref
    from vcassure.notifications.services import notifications_cancel

    notifications_cancel(topic=fault_ref(fault.pk))


@transaction.atomic
def fault_acknowledge(
    fault: Fault,
    *,
    by: "UserLike | None",
    staff: Staff | None = None,
    via: str = "page",
    if_open: bool = False,
) -> Fault:
    """Network operations has it (page, API, or a person's acknowledgement link: by=None,
    staff=the person, if_open=True so that a fault someone else already took is left as it is).
    A reopened fault keeps its first acknowledgement time (MTTA)."""
    check_can_handle(fault, by)
    fault = _locked(fault)
    if if_open and fault.state != Fault.State.OPEN:
        return fault
    fault.transition_to(Fault.State.ACKNOWLEDGED)
    now = clock.now()
    fault.acknowledged_at = fault.acknowledged_at or now
    fault.save(update_fields=["state", "acknowledged_at", "updated_at"])
    who = by if by is not None else (staff.user if staff is not None else None)
    note = staff.name if staff is not None and by is None else ""
    _event(fault, FaultEvent.Kind.ACKNOWLEDGED, now, who, note)
    audit_record(
        actor=who, action="fault.acknowledge", obj=fault, changes={"via": via, "staff": note}
    )
    _stop_asking(fault)
    return fault


def assignable_staff(fault: Fault):
    """Who may be sent: the county's technical maintenance people on the fault's chain, or the
    responsible department's own people (network operations going itself)."""
    chain = fault.org_unit.chain_ids
    q = Q(department__kind=Department.Kind.TECH_MAINTENANCE, department__org_unit_id__in=chain)
    if fault.assigned_department_id:
        q |= Q(department_id=fault.assigned_department_id)
    return (
        Staff.objects.active()
        .filter(q)
        .select_related("department", "org_unit")
        .order_by("department__org_unit__path", "department_id", "name")
    )


@transaction.atomic
def fault_assign(fault: Fault, *, by: "UserLike | None", assignee: Staff | int) -> Fault:
    """Send someone (again): an open fault is acknowledged on the way."""
    check_can_handle(fault, by)
    fault = _locked(fault)
    staff_id = assignee.pk if isinstance(assignee, Staff) else assignee
    person = assignable_staff(fault).filter(pk=staff_id).first()
    if person is None:
        raise InvalidInputError(
            _("处理人须是本故障所在县技术维护部或市网络运行部的在岗人员。"),
            errors=[{"field": "assignee", "message": _("处理人不在可派范围内。")}],
        )
    now = clock.now()
    if fault.state == Fault.State.OPEN:
        fault.transition_to(Fault.State.ACKNOWLEDGED)
        fault.acknowledged_at = fault.acknowledged_at or now
        _event(fault, FaultEvent.Kind.ACKNOWLEDGED, now, by)
    _stop_asking(fault)  # the department's open notices, and a previous assignee's
    fault.transition_to(Fault.State.ASSIGNED)
    fault.assignee = person
    fault.save(update_fields=["state", "assignee", "acknowledged_at", "updated_at"])
    _event(fault, FaultEvent.Kind.ASSIGNED, now, by, person.name)
    audit_record(actor=by, action="fault.assign", obj=fault, changes={"assignee": person.pk})
    from vcassure.faults.services.notify import notify_fault_assigned

    notify_fault_assigned(fault, person)
    return fault


@transaction.atomic
def fault_on_site(fault: Fault, *, by: "UserLike | None", note: str = "") -> Fault:
    check_can_handle(fault, by)
    fault = _locked(fault)
    fault.transition_to(Fault.State.ON_SITE)
    fault.on_site_at = clock.now()
    if fault.acknowledged_at is None:
        fault.acknowledged_at = fault.on_site_at
    fault.save(update_fields=["state", "on_site_at", "acknowledged_at", "updated_at"])
    _event(fault, FaultEvent.Kind.ON_SITE, fault.on_site_at, by, note)
    audit_record(actor=by, action="fault.on_site", obj=fault)
    return fault


@transaction.atomic
def fault_restore(fault: Fault, *, by: "UserLike | None", note: str = "") -> Fault:
    check_can_handle(fault, by)
    fault = _locked(fault)
    fault.transition_to(Fault.State.RESTORED)
    fault.restored_at = clock.now()
    if fault.acknowledged_at is None:
        fault.acknowledged_at = fault.restored_at
    fault.save(update_fields=["state", "restored_at", "acknowledged_at", "updated_at"])
    _event(fault, FaultEvent.Kind.RESTORED, fault.restored_at, by, note or _("已恢复"))
    audit_record(actor=by, action="fault.restore", obj=fault, changes={"note": note})
    _stop_asking(fault)
    # Inside the transaction: meetings moves the venue task back with the fault, or neither.
    fault_restored.send(sender=Fault, fault=fault, by=by, at=fault.restored_at)
    return fault


@transaction.atomic
def fault_close(fault: Fault, *, by: "UserLike | None", note: str = "") -> Fault:
    check_can_handle(fault, by)
    fault = _locked(fault)
    fault.transition_to(Fault.State.CLOSED)
    fault.closed_at = clock.now()
    fault.save(update_fields=["state", "closed_at", "updated_at"])
    _event(fault, FaultEvent.Kind.CLOSED, fault.closed_at, by, note)
    audit_record(actor=by, action="fault.close", obj=fault)
    transaction.on_commit(
        lambda: fault_closed.send(sender=Fault, fault=fault, by=by, at=fault.closed_at)
    )
    return fault


@transaction.atomic
def fault_reopen(fault: Fault, *, by: "UserLike | None", reason: str = "") -> Fault:
    """A restored fault that is not fixed after all: open again, with a reason. The first
    acknowledgement and restore times stay for MTTA; restored_at is cleared until it is restored
    again."""
    check_can_handle(fault, by)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInputError(
            _("请填写重新打开的原因。"),
            errors=[{"field": "reason", "message": _("请填写原因。")}],
        )
    fault = _locked(fault)
    fault.transition_to(Fault.State.OPEN)
    fault.restored_at = None
    fault.on_site_at = None
    fault.save(update_fields=["state", "restored_at", "on_site_at", "updated_at"])
    now = clock.now()
    _event(fault, FaultEvent.Kind.REOPENED, now, by, reason)
    audit_record(actor=by, action="fault.reopen", obj=fault, changes={"reason": reason})
    fault_reopened.send(sender=Fault, fault=fault, by=by, at=now, reason=reason)
    return fault
