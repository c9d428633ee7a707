"""Writes for faults: open (routed to the city's network operations, the sole emergency
interface), restore, close. Each move is a FaultEvent and an audit record."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike, actor
from vcassure.core import clock
from vcassure.core.services import audit_record
from vcassure.faults.models import Fault, FaultEvent
from vcassure.faults.permissions import can_handle_fault
from vcassure.faults.signals import fault_closed, fault_opened, fault_restored
from vcassure.orgs.models import Department, OrgUnit


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
) -> Fault:
    now = clock.now()
    department = responsible_department(org_unit)
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
        state=Fault.State.ASSIGNED if department else Fault.State.OPEN,
    )
    FaultEvent.objects.create(
        fault=fault, kind=FaultEvent.Kind.OPENED, at=now, actor=actor(by), note=description[:1000]
    )
    if department:
        FaultEvent.objects.create(
            fault=fault, kind=FaultEvent.Kind.ASSIGNED, at=now, note=department.name
        )
    audit_record(
        actor=by,
        action="fault.open",
        obj=fault,
        changes={"subject": subject, "department": department and department.pk},
    )
    transaction.on_commit(
        lambda: fault_opened.send(sender=Fault, fault=fault, by=by, at=fault.opened_at)
    )
    return fault


def _check_can_handle(fault: Fault, user: "UserLike | None") -> None:
    """Out of scope looks like missing; in scope without the role is refused. `by=None` is the
    system itself (a probe recovering, a test fixture)."""
    if user is None:
        return
    if not Fault.objects.visible_to(user).filter(pk=fault.pk).exists():
        raise Fault.DoesNotExist
    if not can_handle_fault(user):
        raise PermissionDenied(_("只有网络运行部、技术维护部、调度员和负责人可以处理故障。"))


@transaction.atomic
def fault_restore(fault: Fault, *, by: "UserLike | None", note: str = "") -> Fault:
    _check_can_handle(fault, by)
    fault = Fault.objects.select_for_update().get(pk=fault.pk)
    fault.transition_to(Fault.State.RESTORED)
    fault.restored_at = clock.now()
    fault.save(update_fields=["state", "restored_at", "updated_at"])
    FaultEvent.objects.create(
        fault=fault,
        kind=FaultEvent.Kind.RESTORED,
        at=fault.restored_at,
        actor=actor(by),
        note=note[:1000] or _("已恢复"),
    )
    audit_record(actor=by, action="fault.restore", obj=fault, changes={"note": note})
    fault_restored.send(sender=Fault, fault=fault, by=by, at=fault.restored_at)
    return fault


@transaction.atomic
def fault_close(fault: Fault, *, by: "UserLike | None", note: str = "") -> Fault:
    _check_can_handle(fault, by)
    fault = Fault.objects.select_for_update().get(pk=fault.pk)
    fault.transition_to(Fault.State.CLOSED)
    fault.closed_at = clock.now()
    fault.save(update_fields=["state", "closed_at", "updated_at"])
    FaultEvent.objects.create(
        fault=fault,
        kind=FaultEvent.Kind.CLOSED,
        at=fault.closed_at,
        actor=actor(by),
        note=note[:1000],
    )
    audit_record(actor=by, action="fault.close", obj=fault)
    transaction.on_commit(
        lambda: fault_closed.send(sender=Fault, fault=fault, by=by, at=fault.closed_at)
    )
    return fault
