"""The probes against real listeners and a real SNMP agent, all on 127.0.0.1."""

import asyncio
import concurrent.futures
import contextlib
import socket

import pytest

from tests.fakes.snmp_agent import (
    COMMUNITY,
    UPLINK_IF_INDEX,
    V3_AUTH_KEY,
    V3_PRIV_KEY,
    V3_USER,
    SwitchAgent,
)
from vcassure.probes.engine import Spec, probe_all


@pytest.fixture
def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def silent_port():
    """A listener whose accept queue is full and never drained: further SYNs are dropped, so a
    connection attempt hangs until the probe's timeout (Linux, tcp_abort_on_overflow=0)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(0)
    port = srv.getsockname()[1]
    fillers = []
    for _ in range(3):
        c = socket.socket()
        c.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            c.connect(("127.0.0.1", port))
        fillers.append(c)
    yield port
    for c in fillers:
        c.close()
    srv.close()


@pytest.fixture(scope="module")
def switch():
    agent = SwitchAgent().start()
    yield agent
    agent.stop()


def one(spec: Spec, timeout: float = 1.0):
    [outcome] = probe_all([spec], timeout=timeout)
    return outcome


def test_tcp_reachable_refused_and_timeout(listener, closed_port, silent_port):
    up = one(Spec(1, "127.0.0.1", "tcp", listener))
    assert up.ok and up.rtt_ms is not None and up.failure == ""

    refused = one(Spec(2, "127.0.0.1", "tcp", closed_port))
    assert not refused.ok and refused.failure == "refused"

    hung = one(Spec(3, "127.0.0.1", "tcp", silent_port), timeout=0.5)
    assert not hung.ok and hung.failure == "timeout"


def test_icmp_echo_to_loopback():
    outcome = one(Spec(1, "127.0.0.1", "icmp"))
    assert outcome.ok, outcome.error
    assert outcome.rtt_ms is not None


def test_many_devices_with_a_small_bound_all_get_their_result(listener, closed_port):
    specs = [Spec(i, "127.0.0.1", "tcp", listener if i % 2 else closed_port) for i in range(60)]
    outcomes = probe_all(specs, timeout=1.0, concurrency=5)
    assert [o.key for o in outcomes] == list(range(60))
    assert [o.ok for o in outcomes] == [bool(i % 2) for i in range(60)]


def v2c(agent, community=COMMUNITY) -> Spec:
    return Spec(
        1, "127.0.0.1", "snmp", agent.port, community=community, uplink_if_index=UPLINK_IF_INDEX
    )


def v3(agent, auth_key=V3_AUTH_KEY) -> Spec:
    return Spec(
        2,
        "127.0.0.1",
        "snmp",
        agent.port,
        snmp_version="v3",
        snmp_user=V3_USER,
        auth_protocol="sha",
        auth_key=auth_key,
        priv_protocol="aes",
        priv_key=V3_PRIV_KEY,
        uplink_if_index=UPLINK_IF_INDEX,
    )


def test_snmp_switch_up_then_uplink_down(switch):
    switch.uplink_up = True
    assert [o.ok for o in probe_all([v2c(switch), v3(switch)], timeout=2.0)] == [True, True]
    switch.uplink_up = False
    try:
        outcomes = probe_all([v2c(switch), v3(switch)], timeout=2.0)
    finally:
        switch.uplink_up = True
    assert [(o.ok, o.failure) for o in outcomes] == [(False, "uplink_down")] * 2
    assert f"ifOperStatus.{UPLINK_IF_INDEX} = 2" in outcomes[0].error


def test_snmp_bad_credentials(switch):
    wrong_community = one(v2c(switch, community="public"), timeout=1.0)
    # An agent does not answer a community it does not know: it looks like a dead agent.
    assert not wrong_community.ok and wrong_community.failure == "timeout"
    wrong_key = one(v3(switch, auth_key="not-the-key-2026"), timeout=2.0)
    assert not wrong_key.ok and wrong_key.failure == "auth"


def test_probes_run_where_an_event_loop_is_already_running(listener):
    """A caller inside a running loop (an async view; a test process whose browser driver keeps a
    loop) still gets its results instead of "asyncio.run() cannot be called from a running loop"."""

    async def inside_a_loop():
        return one(Spec(1, "127.0.0.1", "tcp", listener))

    # a thread of its own, so that this test does not depend on a loop in the test process
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        outcome = pool.submit(asyncio.run, inside_a_loop()).result()
    assert outcome.ok
