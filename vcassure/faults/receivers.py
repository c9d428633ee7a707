"""What faults does when a lower app tells it something (connected in apps.py)."""

from vcassure.core.subjects import fault_id_of


def on_notifications_acknowledged(sender, *, acknowledgements, **kwargs) -> None:
    """Someone on duty acknowledged a fault notice (link, page or IM reply): the fault is
    acknowledged in their name, once; a fault someone else already took stays as it is."""
    from vcassure.faults.models import Fault
    from vcassure.faults.services import fault_acknowledge
    from vcassure.notifications.models import Notification
    from vcassure.orgs.models import Staff

    wanted = {}
    for a in acknowledgements:
        n = a.notification
        if n.kind != Notification.Kind.FAULT:
            continue
        fault_id = fault_id_of(n.subject)
        if fault_id is not None and fault_id not in wanted:
            wanted[fault_id] = (n.recipient_id, a.via)
    if not wanted:
        return
    faults = Fault.objects.filter(pk__in=wanted, state=Fault.State.OPEN)
    staff = Staff.objects.select_related("user").in_bulk([r for r, _v in wanted.values()])
    for fault in faults:
        recipient_id, via = wanted[fault.pk]
        fault_acknowledge(fault, by=None, staff=staff.get(recipient_id), via=via, if_open=True)
