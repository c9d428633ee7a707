"""Reads of probe results: which devices are probed, the latest result per device, failing ones."""

from datetime import datetime

from django.db.models import QuerySet

from vcassure.probes.models import ProbeResult, ProbeRun, ProbeStatus, VenueMachineDown
from vcassure.venues.models import Equipment

PROBED_KINDS = (Equipment.Kind.TERMINAL, Equipment.Kind.SWITCH)


def probeable_equipment(venue_ids) -> QuerySet[Equipment]:
    """The active terminals and access switches with a management address at these venues."""
    return (
        Equipment.objects.filter(
            venue_id__in=venue_ids,
            kind__in=PROBED_KINDS,
            is_active=True,
            management_ip__isnull=False,
        )
        .select_related("probe_target")
        .order_by("venue_id", "kind", "id")
    )


def latest_results(equipment_ids) -> QuerySet[ProbeResult]:
    """The latest result of each of these devices (through ProbeStatus: one row per device)."""
    return (
        ProbeResult.objects.filter(
            pk__in=ProbeStatus.objects.filter(equipment_id__in=equipment_ids).values("result_id")
        )
        .select_related("equipment__venue")
        .order_by("equipment__venue_id", "equipment__kind", "equipment_id")
    )


def venues_down(*, since: datetime) -> QuerySet[VenueMachineDown]:
    """Venues with a device whose latest probe, made since `since`, failed (one row a venue)."""
    return VenueMachineDown.objects.filter(checked_at__gte=since)


def failing_status(*, since: datetime) -> QuerySet[ProbeStatus]:
    """Devices whose latest probe, made since `since`, failed."""
    return ProbeStatus.objects.filter(ok=False, checked_at__gte=since)


def run_exists(label: str) -> bool:
    return ProbeRun.objects.filter(label=label).exists()


def probed_equipment_get(*, user, pk: int) -> Equipment:
    """A terminal or access switch in the user's scope, with its venue and probe settings;
    Equipment.DoesNotExist for another scope's device, as for a missing one."""
    return (
        Equipment.objects.visible_to(user)
        .filter(kind__in=PROBED_KINDS)
        .select_related("venue__org_unit", "probe_target")
        .get(pk=pk)
    )


def probe_history(equipment: Equipment, *, limit: int = 20) -> list[ProbeResult]:
    """The device's latest results, newest first."""
    return list(
        ProbeResult.objects.filter(equipment=equipment).order_by("-checked_at", "-id")[:limit]
    )
