"""The probes themselves, free of the database: ICMP echo (icmplib), TCP connect (asyncio), SNMP
GET of sysUpTime and the uplink's ifOperStatus (pysnmp). `probe_all` runs many at once with a
bound on concurrency and a timeout per device."""

import asyncio
import concurrent.futures
import contextlib
import errno
import time
from dataclasses import dataclass, field

SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
IF_OPER_STATUS = "1.3.6.1.2.1.2.2.1.8"  # .ifIndex; 1 = up


@dataclass(frozen=True)
class Spec:
    """One device to probe. Credentials are clear here, in memory only: never log a Spec."""

    key: int
    host: str
    method: str  # icmp | tcp | snmp
    port: int | None = None
    snmp_version: str = "v2c"
    community: str = field(default="", repr=False)
    snmp_user: str = ""
    auth_protocol: str = ""
    auth_key: str = field(default="", repr=False)
    priv_protocol: str = ""
    priv_key: str = field(default="", repr=False)
    uplink_if_index: int | None = None


@dataclass
class Outcome:
    key: int
    method: str
    ok: bool
    rtt_ms: float | None = None
    failure: str = ""  # probes.models.Failure
    error: str = ""


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)


_icmp_privileged: bool | None = None


async def probe_icmp(spec: Spec, timeout: float) -> Outcome:
    """One echo request. Unprivileged (datagram ICMP socket) where the system allows it
    (net.ipv4.ping_group_range), otherwise a raw socket, which needs root or CAP_NET_RAW."""
    import icmplib

    global _icmp_privileged
    modes = [_icmp_privileged] if _icmp_privileged is not None else [False, True]
    for privileged in modes:
        try:
            host = await icmplib.async_ping(
                spec.host, count=1, timeout=timeout, privileged=privileged
            )
        except icmplib.SocketPermissionError:
            continue
        except icmplib.ICMPLibError as exc:
            return Outcome(spec.key, "icmp", False, failure="error", error=str(exc)[:200])
        _icmp_privileged = privileged
        if host.is_alive:
            return Outcome(spec.key, "icmp", True, rtt_ms=round(host.avg_rtt, 2))
        return Outcome(spec.key, "icmp", False, failure="unreachable", error="no echo reply")
    return Outcome(
        spec.key, "icmp", False, failure="error", error="ICMP sockets not permitted on this host"
    )


async def probe_tcp(spec: Spec, timeout: float) -> Outcome:
    start = time.perf_counter()
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(spec.host, spec.port), timeout=timeout
        )
    except TimeoutError:
        return Outcome(spec.key, "tcp", False, failure="timeout", error=f"no answer in {timeout}s")
    except ConnectionRefusedError:
        return Outcome(spec.key, "tcp", False, failure="refused", error="connection refused")
    except OSError as exc:
        failure = "unreachable" if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH) else "error"
        return Outcome(spec.key, "tcp", False, failure=failure, error=str(exc)[:200])
    rtt = _ms(start)
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return Outcome(spec.key, "tcp", True, rtt_ms=rtt)


def _snmp_auth(spec: Spec):
    from pysnmp.hlapi.v3arch import asyncio as snmp

    if spec.snmp_version == "v3":
        auth = {
            "md5": snmp.usmHMACMD5AuthProtocol,
            "sha": snmp.usmHMACSHAAuthProtocol,
            "sha256": snmp.usmHMAC192SHA256AuthProtocol,
        }.get(spec.auth_protocol, snmp.usmNoAuthProtocol)
        priv = {"des": snmp.usmDESPrivProtocol, "aes": snmp.usmAesCfb128Protocol}.get(
            spec.priv_protocol, snmp.usmNoPrivProtocol
        )
        return snmp.UsmUserData(
            spec.snmp_user,
            authKey=spec.auth_key or None,
            privKey=spec.priv_key or None,
            authProtocol=auth,
            privProtocol=priv,
        )
    # v2c is what many access switches still speak; v3 is used whenever it is configured.
    return snmp.CommunityData(spec.community, mpModel=1)  # noqa: S508


_mib_view = None


def snmp_engine():
    """A fresh SNMP engine sharing the process's one MIB view: building that view takes a second
    of CPU, which would stall every probe of a batch if each engine built its own."""
    global _mib_view
    from pysnmp.hlapi.v3arch import asyncio as snmp
    from pysnmp.smi import builder, view

    if _mib_view is None:
        _mib_view = view.MibViewController(builder.MibBuilder())
        snmp.ObjectType(snmp.ObjectIdentity(SYS_UPTIME)).resolve_with_mib(_mib_view)
    engine = snmp.SnmpEngine()
    engine.cache["mibViewController"] = _mib_view
    return engine


def _credentials_key(spec: Spec) -> tuple:
    if spec.snmp_version == "v3":
        return (
            "v3",
            spec.snmp_user,
            spec.auth_protocol,
            spec.auth_key,
            spec.priv_protocol,
            spec.priv_key,
        )
    return ("v2c",)


async def probe_snmp(spec: Spec, timeout: float, engine=None) -> Outcome:
    """GET sysUpTime and, when the uplink is known, its ifOperStatus. A wrong community gets no
    answer at all (SNMP agents stay silent), a wrong v3 key an authentication report."""
    own = engine is None
    engine = engine or snmp_engine()
    try:
        return await _snmp_get(spec, timeout, engine)
    finally:
        if own:
            engine.close_dispatcher()


async def _snmp_get(spec: Spec, timeout: float, engine) -> Outcome:
    from pysnmp.hlapi.v3arch import asyncio as snmp

    oids = [snmp.ObjectType(snmp.ObjectIdentity(SYS_UPTIME))]
    if spec.uplink_if_index:
        oids.append(
            snmp.ObjectType(snmp.ObjectIdentity(f"{IF_OPER_STATUS}.{spec.uplink_if_index}"))
        )
    start = time.perf_counter()
    try:
        target = await snmp.UdpTransportTarget.create(
            (spec.host, spec.port or 161), timeout=timeout, retries=0
        )
        error_indication, error_status, _, var_binds = await snmp.get_cmd(
            engine, _snmp_auth(spec), target, snmp.ContextData(), *oids, lookupMib=False
        )
    except Exception as exc:  # pysnmp raises its own errors for bad parameters
        return Outcome(spec.key, "snmp", False, failure="error", error=str(exc)[:200])
    if error_indication:
        text = str(error_indication)
        lowered = text.lower()
        if "timeout" in lowered or "no snmp response" in lowered:
            # v2c: a wrong community looks exactly like a dead agent.
            failure = "timeout"
        elif any(w in lowered for w in ("auth", "unknown user", "decrypt", "digest", "usm")):
            failure = "auth"
        else:
            failure = "error"
        return Outcome(spec.key, "snmp", False, failure=failure, error=text[:200])
    if error_status:
        return Outcome(
            spec.key, "snmp", False, failure="error", error=error_status.prettyPrint()[:200]
        )
    rtt = _ms(start)
    values = [value for _, value in var_binds]
    if any(v.__class__.__name__ in ("NoSuchObject", "NoSuchInstance") for v in values):
        return Outcome(spec.key, "snmp", False, failure="error", error="no such object")
    if spec.uplink_if_index and int(values[1]) != 1:
        return Outcome(
            spec.key,
            "snmp",
            False,
            rtt_ms=rtt,
            failure="uplink_down",
            error=f"ifOperStatus.{spec.uplink_if_index} = {int(values[1])}",
        )
    return Outcome(spec.key, "snmp", True, rtt_ms=rtt)


async def _probe_one(spec: Spec, timeout: float, engines: dict) -> Outcome:
    try:
        if spec.method == "tcp":
            return await probe_tcp(spec, timeout)
        if spec.method == "snmp":
            engine = engines[_credentials_key(spec)]
            return await asyncio.wait_for(probe_snmp(spec, timeout, engine), timeout + 1)
        return await asyncio.wait_for(probe_icmp(spec, timeout), timeout + 1)
    except TimeoutError:
        return Outcome(spec.key, spec.method, False, failure="timeout", error="timed out")


async def probe_all_async(
    specs: list[Spec], *, timeout: float = 2.0, concurrency: int = 500
) -> list[Outcome]:
    gate = asyncio.Semaphore(concurrency)
    # One SNMP engine per set of credentials (an engine keeps one key set per v3 user name).
    engines = {
        key: snmp_engine() for key in {_credentials_key(s) for s in specs if s.method == "snmp"}
    }

    async def bounded(spec: Spec) -> Outcome:
        async with gate:
            return await _probe_one(spec, timeout, engines)

    try:
        return list(await asyncio.gather(*(bounded(s) for s in specs)))
    finally:
        for engine in engines.values():
            engine.close_dispatcher()


def probe_all(specs: list[Spec], *, timeout: float = 2.0, concurrency: int = 500) -> list[Outcome]:
    """Probe every spec, at most `concurrency` at a time; one Outcome per spec, in order."""
    if not specs:
        return []
    run = probe_all_async(specs, timeout=timeout, concurrency=concurrency)
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: a worker thread or a command, no loop of its own
        return asyncio.run(run)
    # Called where an event loop already runs in this thread (an async view, a test process whose
    # browser driver keeps one): run the probes on a loop of their own in a short-lived thread.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run).result()
