"""Writes of the probes app: a device's probe settings (credentials encrypted), and a probe run
over a list of devices, storing every result and the latest per device, then telling whoever
listens (`probe_failed`) about the failures."""

import ipaddress
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from vcassure.core import clock
from vcassure.core.errors import InvalidInputError
from vcassure.core.services import audit_record
from vcassure.probes import crypto, engine
from vcassure.probes.models import (
    Method,
    ProbeResult,
    ProbeRun,
    ProbeStatus,
    ProbeTarget,
    VenueMachineDown,
)
from vcassure.probes.signals import probe_failed
from vcassure.venues.models import Equipment

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 2.0
DEFAULT_CONCURRENCY = 500


def probe_target_save(
    *,
    equipment: Equipment,
    method: str,
    port: int | None = None,
    snmp_version: str = "",
    community: str | None = None,
    snmp_user: str = "",
    auth_protocol: str = "",
    auth_key: str | None = None,
    priv_protocol: str = "",
    priv_key: str | None = None,
    uplink_if_index: int | None = None,
    is_active: bool | None = None,
    by=None,
) -> ProbeTarget:
    """Create or change how a device is probed. A secret left as None keeps the stored one;
    `is_active` None keeps the switch as it is. Audited: which settings changed, and for secrets
    only that they were set, never their values."""
    errors = []
    if method not in Method.values:
        errors.append({"field": "method", "message": _("探测方式只能是 icmp、tcp 或 snmp。")})
    if method == Method.TCP and not port:
        errors.append({"field": "port", "message": _("TCP 探测需要端口。")})
    if port is not None and not 0 < port < 65536:
        errors.append({"field": "port", "message": _("端口应在 1–65535 之间。")})
    if method == Method.SNMP and snmp_version not in ("v2c", "v3"):
        errors.append({"field": "snmp_version", "message": _("SNMP 版本只能是 v2c 或 v3。")})
    if method == Method.SNMP and snmp_version == "v3" and not snmp_user:
        errors.append({"field": "snmp_user", "message": _("SNMPv3 需要用户名。")})
    if uplink_if_index is not None and uplink_if_index < 1:
        errors.append({"field": "uplink_if_index", "message": _("ifIndex 应为正整数。")})
    if errors:
        raise InvalidInputError(errors[0]["message"], errors=errors)
    target = ProbeTarget.objects.filter(equipment=equipment).first() or ProbeTarget(
        equipment=equipment
    )
    created = target.pk is None
    before = {f: getattr(target, f) for f in PLAIN_FIELDS}
    target.method = method
    target.port = port
    target.snmp_version = snmp_version if method == Method.SNMP else ""
    target.snmp_user = snmp_user
    target.auth_protocol = auth_protocol
    target.priv_protocol = priv_protocol
    target.uplink_if_index = uplink_if_index
    if community is not None:
        target.community_encrypted = crypto.encrypt(community)
    if auth_key is not None:
        target.auth_key_encrypted = crypto.encrypt(auth_key)
    if priv_key is not None:
        target.priv_key_encrypted = crypto.encrypt(priv_key)
    if is_active is not None:
        target.is_active = is_active
    target.save()
    changes: dict = {
        f: [before[f], getattr(target, f)]
        for f in PLAIN_FIELDS
        if created or before[f] != getattr(target, f)
    }
    for name, value in (("community", community), ("auth_key", auth_key), ("priv_key", priv_key)):
        if value is not None:
            changes[name] = "set" if value else "cleared"  # never the value
    audit_record(
        actor=by,
        action="probe_target.create" if created else "probe_target.update",
        obj=target,
        changes=changes,
        object_repr=f"{equipment} @ {equipment.management_ip or '-'}",
    )
    return target


PLAIN_FIELDS = (
    "method",
    "port",
    "snmp_version",
    "snmp_user",
    "auth_protocol",
    "priv_protocol",
    "uplink_if_index",
    "is_active",
)


def probe_now(equipment: Equipment, *, by=None) -> ProbeResult | None:
    """Probe one device now, on demand (its settings page): the same run as the scheduled rounds,
    so PROBE_ALLOWED_NETWORKS and the engine's rules hold. None: the device has no management
    address or lies outside the allowed networks (nothing was sent)."""
    if not equipment.management_ip:
        return None
    outcome = probes_run([equipment])
    result = outcome.results[0] if outcome.results else None
    audit_record(
        actor=by,
        action="probe.run_now",
        obj=equipment,
        changes={"ok": result.ok, "failure": result.failure} if result else {"skipped": True},
    )
    return result


def spec_of(equipment: Equipment) -> engine.Spec:
    """What the engine needs to probe a device, secrets decrypted in memory only."""
    target = getattr(equipment, "probe_target", None)
    host = str(equipment.management_ip)
    if target is None or not target.is_active:
        return engine.Spec(key=equipment.pk, host=host, method=Method.ICMP)
    return engine.Spec(
        key=equipment.pk,
        host=host,
        method=target.method,
        port=target.port,
        snmp_version=target.snmp_version or "v2c",
        community=crypto.decrypt(target.community_encrypted),
        snmp_user=target.snmp_user,
        auth_protocol=target.auth_protocol,
        auth_key=crypto.decrypt(target.auth_key_encrypted),
        priv_protocol=target.priv_protocol,
        priv_key=crypto.decrypt(target.priv_key_encrypted),
        uplink_if_index=target.uplink_if_index,
    )


@dataclass
class RunOutcome:
    run: ProbeRun | None  # None: a run of that label was already made
    results: list[ProbeResult]

    @property
    def failed(self) -> list[ProbeResult]:
        return [r for r in self.results if not r.ok]


def _claim(label: str, now) -> ProbeRun | None:
    try:
        with transaction.atomic():
            return ProbeRun.objects.create(label=label, started_at=now)
    except IntegrityError:
        return None


def probes_run(
    equipment: list[Equipment],
    *,
    label: str = "",
    timeout: float | None = None,
    concurrency: int | None = None,
) -> RunOutcome:
    """Probe the devices now (the network part concurrently, outside any transaction), then store
    each result and the latest per device in one transaction. A non-empty `label` is claimed
    first: a second run with the same label does nothing and returns run=None."""
    now = clock.now()
    run = None
    if label:
        run = _claim(label, now)
        if run is None:
            return RunOutcome(run=None, results=[])
    wait = timeout if timeout is not None else float(settings.PROBE_TIMEOUT or DEFAULT_TIMEOUT)
    bound = (
        concurrency
        if concurrency is not None
        else int(settings.PROBE_CONCURRENCY or DEFAULT_CONCURRENCY)
    )
    allowed = [
        ipaddress.ip_network(n) for n in getattr(settings, "PROBE_ALLOWED_NETWORKS", []) if n
    ]
    specs = []
    for e in equipment:
        address = ipaddress.ip_address(str(e.management_ip))
        # A device outside PROBE_ALLOWED_NETWORKS is left alone: no packet, no result.
        if not allowed or any(address in network for network in allowed):
            specs.append(spec_of(e))
    if len(specs) < len(equipment):
        log.info(
            "probe run %s: %s devices outside the allowed networks skipped",
            label or "-",
            len(equipment) - len(specs),
        )
    outcomes = engine.probe_all(specs, timeout=wait, concurrency=bound)
    checked_at = clock.now()
    rows = [
        ProbeResult(
            equipment_id=o.key,
            run=run,
            method=o.method,
            ok=o.ok,
            failure=o.failure,
            rtt_ms=o.rtt_ms,
            error=o.error[:200],
            checked_at=checked_at,
        )
        for o in outcomes
    ]
    with transaction.atomic():
        results = ProbeResult.objects.bulk_create(rows, batch_size=1000)
        ProbeStatus.objects.bulk_create(
            [
                ProbeStatus(
                    equipment_id=r.equipment_id,
                    result=r,
                    ok=r.ok,
                    failure=r.failure,
                    checked_at=r.checked_at,
                )
                for r in results
            ],
            update_conflicts=True,
            unique_fields=["equipment"],
            update_fields=["result", "ok", "failure", "checked_at"],
            batch_size=1000,
        )
        venue_machine_state_refresh({e.venue_id for e in equipment})
        if run is not None:
            run.finished_at = checked_at
            run.devices = len(results)
            run.failed = sum(1 for r in results if not r.ok)
            run.save(update_fields=["finished_at", "devices", "failed"])
    by_id = {e.pk: e for e in equipment}
    for r in results:
        r.equipment = by_id[r.equipment_id]
    outcome = RunOutcome(run=run, results=results)
    failed = outcome.failed
    log.info("probe run %s: %s devices, %s failed", label or "-", len(results), len(failed))
    if failed:
        probe_failed.send(sender=ProbeResult, results=failed, label=label, at=checked_at)
    return outcome


# Venues recomputed per statement: SQLite allows 32,766 parameters a statement.
REFRESH_CHUNK = 2000


def venue_machine_state_refresh(venue_ids: Iterable[int | None]) -> None:
    """Recompute VenueMachineDown for these venues from their devices' latest statuses: a row for
    each venue with a device failing its latest probe (stamped with the latest such failure), none
    for the others. Called in the probe run's transaction, and when a device is deleted or moved
    to another venue. Two statements per 2,000 venues."""
    ids = sorted({pk for pk in venue_ids if pk is not None})
    for start in range(0, len(ids), REFRESH_CHUNK):
        chunk = ids[start : start + REFRESH_CHUNK]
        failing = (
            ProbeStatus.objects.filter(ok=False, equipment__venue_id__in=chunk)
            .values_list("equipment__venue_id")
            .annotate(latest=Max("checked_at"))
            .order_by()
        )
        rows = [VenueMachineDown(venue_id=venue, checked_at=latest) for venue, latest in failing]
        with transaction.atomic():
            VenueMachineDown.objects.filter(venue_id__in=chunk).delete()
            VenueMachineDown.objects.bulk_create(rows, batch_size=1000)
