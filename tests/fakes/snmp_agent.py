"""A real SNMP agent (pysnmp's command responder) serving a recorded access switch on 127.0.0.1:
sysUpTime and ifOperStatus of its uplink, answering SNMP v2c with one community and v3 with one
user (SHA authentication, AES privacy). Run in a thread with its own event loop; `uplink_up`
may be flipped while it runs."""

import asyncio
import socket
import threading
from dataclasses import dataclass

UPLINK_IF_INDEX = 24
COMMUNITY = "vca-probe-ro"
V3_USER = "vcaprobe"
V3_AUTH_KEY = "auth-key-2026"
V3_PRIV_KEY = "priv-key-2026"


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SwitchAgent:
    port: int = 0
    uplink_up: bool = True

    def start(self) -> "SwitchAgent":
        self.port = self.port or _free_udp_port()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("SNMP agent did not start")
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(5)

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        from pysnmp.carrier.asyncio.dgram import udp
        from pysnmp.entity import config, engine
        from pysnmp.entity.rfc3413 import cmdrsp, context

        snmp_engine = engine.SnmpEngine()
        config.add_transport(
            snmp_engine,
            udp.DOMAIN_NAME,
            udp.UdpAsyncioTransport().open_server_mode(("127.0.0.1", self.port)),
        )
        config.add_v1_system(snmp_engine, "switch-area", COMMUNITY)
        config.add_v3_user(
            snmp_engine,
            V3_USER,
            config.USM_AUTH_HMAC96_SHA,
            V3_AUTH_KEY,
            config.USM_PRIV_CFB128_AES,
            V3_PRIV_KEY,
        )
        config.add_vacm_user(snmp_engine, 2, "switch-area", "noAuthNoPriv", (1, 3, 6, 1, 2, 1))
        config.add_vacm_user(snmp_engine, 3, V3_USER, "authPriv", (1, 3, 6, 1, 2, 1))
        snmp_context = context.SnmpContext(snmp_engine)
        builder = snmp_context.get_mib_instrum().get_mib_builder()
        smi = builder.import_symbols(
            "SNMPv2-SMI", "MibTable", "MibTableRow", "MibTableColumn", "MibScalarInstance"
        )
        mib_table, mib_table_row, mib_table_column, mib_scalar_instance = smi
        (integer32,) = builder.import_symbols("SNMPv2-SMI", "Integer32")
        agent = self

        class OperStatus(mib_scalar_instance):
            def getValue(self, name, **context):  # noqa: N802 (pysnmp's name)
                return self.getSyntax().clone(1 if agent.uplink_up else 2)

        # The interfaces table of MIB-II, just the columns a probe reads.
        if_entry = (1, 3, 6, 1, 2, 1, 2, 2, 1)
        oper_status = mib_table_column((*if_entry, 8), integer32()).setMaxAccess("read-only")
        builder.export_symbols(
            "__SWITCH_IF",
            ifTable=mib_table(if_entry[:-1]).setMaxAccess("not-accessible"),
            ifEntry=mib_table_row(if_entry)
            .setMaxAccess("not-accessible")
            .setIndexNames((0, "__SWITCH_IF", "ifIndex")),
            ifIndex=mib_table_column((*if_entry, 1), integer32()).setMaxAccess("read-only"),
            ifOperStatus=oper_status,
            ifOperStatusUplink=OperStatus(oper_status.name, (UPLINK_IF_INDEX,), integer32(1)),
        )
        cmdrsp.GetCommandResponder(snmp_engine, snmp_context)
        cmdrsp.NextCommandResponder(snmp_engine, snmp_context)
        self._stop = asyncio.Event()
        self._ready.set()
        await self._stop.wait()
        snmp_engine.close_dispatcher()
