"""The services of `python -m bench --scale N` in CPU cgroups of their own, weighted as deploy/
weights them, so that the machine shares its cores between them as it does in production.

In production every systemd unit runs in a cgroup of its own, and the kernel shares a busy
machine's cores between the units by their CPUWeight= (the web pool 400, PostgreSQL 200 by the
drop-in deploy/postgresql/vcassure-cpu.conf, the links pool 100, the consumers 20). Started by
the bench, all of the application would share one session (one autogroup) while every PostgreSQL
backend, which calls setsid(), would be an autogroup of its own: the ack burst's and the
consumers' backends would each weigh as much as the whole web pool, which is not how it runs.

Here each service gets a group of its own with its unit's weight, read from the unit files; the
bench itself (its HTTP clients, the fake providers, the pollers: other machines in production)
gets one at systemd's default weight, the same as a service. cgroup v1 (`cpu.shares`, 1024 for
weight 100) or v2 (`cpu.weight`); when neither can be written (no permission, no cpu controller)
the bench runs without and says so. Never part of the product."""

import contextlib
import os
import re
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNITS = {  # group: the file whose CPUWeight= it takes
    "web": ROOT / "deploy" / "systemd" / "vcassure-web.service",
    "links": ROOT / "deploy" / "systemd" / "vcassure-links.service",
    "worker": ROOT / "deploy" / "systemd" / "vcassure-worker@.service",
    "postgresql": ROOT / "deploy" / "postgresql" / "vcassure-cpu.conf",
}
DEFAULT_WEIGHT = 100  # systemd's, for a unit that says nothing
LOAD = "load"  # the bench's own processes: the clients, the fake providers, the pollers
PREFIX = "vcassure-bench-"
CGROUP = Path("/sys/fs/cgroup")


def unit_weight(path: Path) -> int:
    found = re.search(r"^CPUWeight=(\d+)\s*$", path.read_text(), re.MULTILINE)
    return int(found.group(1)) if found else DEFAULT_WEIGHT


def weights() -> dict[str, int]:
    """Each group's CPU weight: its unit's, and systemd's default for the load generator."""
    return {**{group: unit_weight(path) for group, path in UNITS.items()}, LOAD: DEFAULT_WEIGHT}


def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                out.setdefault(ppid, []).append(int(entry.name))
    return out


def process_tree(pid: int) -> list[int]:
    """pid and every process below it."""
    children, found, todo = _children(), [pid], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class ServiceGroups:
    """A cgroup per service under one directory of the cpu hierarchy, removed on close() (every
    process moved back to where its group's processes came from first)."""

    def __init__(self, base: Path, version: int, name: str | None = None) -> None:
        self.base, self.version = base, version
        self.dir = base / (name or f"{PREFIX}{os.getpid()}")
        self.weights = weights()
        # Where each group's processes go back to on close(): where the first process moved in
        # came from (the PostgreSQL server: its own service's group on a systemd machine), or else
        # where this process runs (where a server started here would have been born).
        self.origin = self.cgroup_of(os.getpid())
        self.home: dict[str, Path] = {}

    @classmethod
    def open(cls) -> "tuple[ServiceGroups | None, str]":
        """The groups, made and weighted, or None and why not."""
        if (CGROUP / "cpu" / "cpu.shares").exists():
            groups = cls(CGROUP / "cpu", 1)
        elif "cpu" in _read(CGROUP / "cgroup.controllers").split():
            groups = cls(CGROUP, 2)
        else:
            return None, "no cgroup cpu controller on this machine"
        try:
            groups.sweep_stale()
            groups.make()
        except OSError as exc:
            with contextlib.suppress(OSError):
                groups.close()
            return None, f"cgroups not writable here ({exc.strerror or exc})"
        return groups, f"cgroup v{groups.version}"

    def make(self) -> None:
        if self.version == 2:  # the controller handed down from the root to our groups
            _write(self.base / "cgroup.subtree_control", "+cpu")
        self.dir.mkdir()
        if self.version == 2:
            _write(self.dir / "cgroup.subtree_control", "+cpu")
        for group, weight in self.weights.items():
            path = self.dir / group
            path.mkdir()
            if self.version == 1:
                _write(path / "cpu.shares", str(round(weight * 1024 / 100)))
            else:
                _write(path / "cpu.weight", str(weight))

    def cgroup_of(self, pid: int) -> Path:
        """The directory of the process's group in this hierarchy."""
        lines = [x.split(":", 2) for x in _read(Path(f"/proc/{pid}/cgroup")).splitlines()]
        for _n, controllers, path in lines:
            if (self.version == 1 and "cpu" in controllers.split(",")) or (
                self.version == 2 and controllers == ""
            ):
                return self.base / path.lstrip("/")
        return self.base

    def join(self, group: str, pid: int) -> None:
        """Move a process (all its threads) into a group; its later children are born there."""
        if group not in self.home and pid != os.getpid():
            self.home[group] = self.cgroup_of(pid)
        _write(self.dir / group / "cgroup.procs", str(pid))

    def join_tree(self, group: str, pid: int) -> int:
        """Move a process and everything below it; how many moved (those gone meanwhile skipped)."""
        moved = 0
        for each in process_tree(pid):
            with contextlib.suppress(ProcessLookupError, FileNotFoundError):
                self.join(group, each)
                moved += 1
        return moved

    def preexec(self, group: str, then: Callable[[], None] | None = None) -> Callable[[], None]:
        """For subprocess.Popen(preexec_fn=…): the child joins the group before it runs anything."""

        def enter() -> None:
            self.join(group, os.getpid())
            if then is not None:
                then()

        return enter

    def members(self, group: str) -> list[int]:
        return [int(p) for p in _read(self.dir / group / "cgroup.procs").split()]

    def join_postgresql(self, backend_pid: int) -> int:
        """The local PostgreSQL server (the postmaster above this backend, and every process below
        it: new backends are forked by the postmaster, so they are born in the group); 0 when the
        server is not on this machine."""
        try:
            stat = Path(f"/proc/{backend_pid}/stat").read_text()
            postmaster = int(stat.rsplit(")", 1)[1].split()[1])
            comm = Path(f"/proc/{postmaster}/comm").read_text().strip()
        except (OSError, ValueError, IndexError):
            return 0
        if not comm.startswith("postgres"):
            return 0
        return self.join_tree("postgresql", postmaster)

    def close(self) -> None:
        """Every process back where its group's came from, the groups removed."""
        _remove(self.base, self.dir, {g: self.home.get(g, self.origin) for g in self.weights})

    def sweep_stale(self) -> None:
        """Groups a killed bench left behind (with the PostgreSQL server still in one): those whose
        bench process (the number in the name) is gone; a running bench's are left alone."""
        for stale in self.base.glob(f"{PREFIX}*"):
            owner = stale.name.removeprefix(PREFIX).split("-")[0]
            alive = owner.isdigit() and Path(f"/proc/{owner}").exists()
            if stale.is_dir() and stale != self.dir and not alive:
                _remove(self.base, stale)

    def describe(self) -> str:
        order = sorted(self.weights.items(), key=lambda kv: -kv[1])
        return ", ".join(f"{group} {weight}" for group, weight in order)


@contextlib.contextmanager
def placed_services(enabled: bool, connection):
    """The services' CPU groups for the load, with this process (the load generator) and the
    local PostgreSQL server placed; (groups or None, what was done)."""
    if not enabled:
        yield None, {"enabled": False, "why": "--no-service-groups"}
        return
    groups, how = ServiceGroups.open()
    if groups is None:
        yield None, {"enabled": False, "why": how}
        return
    try:
        groups.join(LOAD, os.getpid())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            postgresql = groups.join_postgresql(cursor.fetchone()[0])
        yield (
            groups,
            {
                "enabled": True,
                "how": how,
                "weights": groups.weights,
                "postgresql_processes": postgresql,
            },
        )
    finally:
        groups.close()


def _remove(base: Path, top: Path, homes: dict[str, Path] | None = None) -> None:
    """Empty the groups under `top` (each process to its group's home, or to the hierarchy's
    root when that is gone or unknown: a stale group's) and remove them."""
    if not top.exists():
        return
    for group in sorted((p for p in top.iterdir() if p.is_dir()), reverse=True):
        home = (homes or {}).get(group.name, base)
        if not (home / "cgroup.procs").exists() or home.is_relative_to(top):
            home = base
        for pid in _read(group / "cgroup.procs").split():
            with contextlib.suppress(ProcessLookupError, FileNotFoundError, OSError):
                _write(home / "cgroup.procs", pid)
        with contextlib.suppress(OSError):
            group.rmdir()
    with contextlib.suppress(OSError):
        top.rmdir()


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _write(path: Path, value: str) -> None:
    with open(path, "w") as out:  # one write() each: the kernel takes one value per write
        out.write(value)
