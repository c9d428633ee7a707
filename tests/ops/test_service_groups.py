"""bench/service_groups.py: the scale bench runs each service in a CPU cgroup weighted as its
systemd unit (deploy/), so that it measures the machine's cores shared as production shares them."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench import service_groups
from bench.service_groups import LOAD, PREFIX, ServiceGroups

ROOT = Path(__file__).resolve().parents[2]


def test_each_group_takes_its_weight_from_the_unit_that_runs_the_service():
    assert service_groups.weights() == {
        "web": 400,
        "postgresql": 200,
        "links": 100,
        "worker": 20,
        LOAD: 100,  # the bench's clients and fakes: systemd's default, as any other unit
    }


def test_a_weight_changed_in_a_unit_is_what_the_bench_uses(tmp_path, monkeypatch):
    unit = tmp_path / "vcassure-web.service"
    unit.write_text("[Service]\nExecStart=/bin/true\nCPUWeight=250\n")
    monkeypatch.setitem(service_groups.UNITS, "web", unit)
    assert service_groups.weights()["web"] == 250
    unit.write_text("[Service]\nExecStart=/bin/true\n")  # none given: systemd's default
    assert service_groups.weights()["web"] == 100


def _cpu_cgroup(pid: int) -> str:
    """The process's path in the cpu hierarchy (v1), or its unified path (v2)."""
    lines = [line.split(":", 2) for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines()]
    for _n, controllers, path in lines:
        if "cpu" in controllers.split(","):
            return path
    return next(path for _n, controllers, path in lines if controllers == "")


TWO_LEVELS = "import subprocess, time; subprocess.Popen(['sleep', '30']); time.sleep(30)"


@pytest.fixture
def groups():
    made, why = ServiceGroups.open()
    if made is None:
        pytest.skip(f"no writable CPU cgroups here: {why}")
    yield made
    made.close()


def test_a_service_started_in_its_group_runs_there_with_its_weight_and_is_let_go_on_close(groups):
    sleeper = subprocess.Popen(
        [sys.executable, "-c", TWO_LEVELS],
        preexec_fn=groups.preexec("web"),  # noqa: PLW1509
    )
    try:
        deadline = time.monotonic() + 10
        while len(service_groups.process_tree(sleeper.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        tree = service_groups.process_tree(sleeper.pid)
        assert len(tree) == 2
        # The server and what it forks later (gunicorn's workers) are in the web group.
        assert set(tree) <= set(groups.members("web"))
        assert _cpu_cgroup(sleeper.pid).endswith(f"/{groups.dir.name}/web")
        if groups.version == 1:
            assert (groups.dir / "web" / "cpu.shares").read_text().strip() == "4096"
            assert (groups.dir / "worker" / "cpu.shares").read_text().strip() == "205"
        else:
            assert (groups.dir / "web" / "cpu.weight").read_text().strip() == "400"
        groups.close()
        assert not groups.dir.exists()
        # Back where it would have been born: this process's group.
        assert _cpu_cgroup(sleeper.pid) == _cpu_cgroup(os.getpid())
    finally:
        for pid in service_groups.process_tree(sleeper.pid)[::-1]:
            os.kill(pid, 9)
        sleeper.wait()


def test_a_process_tree_joins_whole_and_postgresql_only_when_it_runs_here(groups):
    # Where the tree runs before the bench takes it (PostgreSQL: its own service's group).
    elsewhere = ServiceGroups(groups.base, groups.version, name=f"{PREFIX}{os.getpid()}-home")
    elsewhere.make()
    parent = subprocess.Popen([sys.executable, "-c", TWO_LEVELS])
    try:
        deadline = time.monotonic() + 10
        while len(service_groups.process_tree(parent.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        elsewhere.join_tree("web", parent.pid)
        born_in = _cpu_cgroup(parent.pid)
        assert born_in.endswith(f"{elsewhere.dir.name}/web")
        assert groups.join_tree("links", parent.pid) == 2
        assert set(service_groups.process_tree(parent.pid)) <= set(groups.members("links"))
        # A "backend" whose parent is not a PostgreSQL server: nothing is moved.
        assert groups.join_postgresql(parent.pid) == 0
        assert groups.members("postgresql") == []
        groups.close()
        # Both back in the group the tree came from.
        for pid in service_groups.process_tree(parent.pid):
            assert _cpu_cgroup(pid) == born_in
    finally:
        groups.close()
        elsewhere.close()
        for pid in service_groups.process_tree(parent.pid)[::-1]:
            os.kill(pid, 9)
        parent.wait()


def test_the_groups_a_killed_bench_left_are_swept_and_a_running_ones_kept(groups):
    gone = subprocess.Popen(["true"])
    gone.wait()
    stale = ServiceGroups(groups.base, groups.version, name=f"{PREFIX}{gone.pid}-test")
    stale.make()
    running = ServiceGroups(groups.base, groups.version, name=f"{PREFIX}{os.getpid()}-test")
    running.make()
    try:
        groups.sweep_stale()
        assert not stale.dir.exists()
        assert running.dir.exists()
    finally:
        running.close()
        stale.close()


def test_runs_are_pooled_by_how_their_services_were_scheduled(tmp_path, capsys):
    """`python -m bench.scale_pool`: one run's p99 is its slowest refresh; pooled, it is read from
    all of them, apart for the runs with and without the CPU groups."""
    import json

    from bench import scale_pool

    def run(name: str, samples: list[float], grouped: bool) -> Path:
        path = tmp_path / f"scale10_ack_pool-{name}.json"
        dashboards = {"samples_ms": samples, "p99_ms": max(samples)}
        groups = {"enabled": True} if grouped else {"enabled": False, "why": "--no-service-groups"}
        path.write_text(json.dumps({"load": {"dashboards": dashboards}, "service_groups": groups}))
        return path

    grouped = [run(str(i), [50.0 + i] * 99 + [150.0 + i], True) for i in range(3)]
    plain = run("p", [90.0] * 50 + [300.0], False)
    old = tmp_path / "scale10_ack_pool-old.json"  # from before the samples were kept: skipped
    old.write_text(json.dumps({"load": {"dashboards": {"p99_ms": 400.0}}}))
    pooled = scale_pool.pool([*grouped, plain, old])
    deployed = pooled["as deployed (CPU groups)"]
    assert deployed["runs"] == 3 and deployed["refreshes"] == 300
    assert deployed["runs_p99_ms"] == [150.0, 151.0, 152.0]
    assert deployed["p99_ms"] < 150  # three slow refreshes in 300: under the 99th percentile
    assert deployed["max_ms"] == 152.0
    assert pooled["default scheduling"]["refreshes"] == 51
    scale_pool.main([str(p) for p in grouped])
    assert "as deployed (CPU groups): 3 runs, 300 refreshes" in capsys.readouterr().out


def test_a_file_that_is_not_a_runs_results_is_named_in_the_error(tmp_path):
    from bench import scale_pool

    broken = tmp_path / "scale10-broken.json"
    broken.write_text("{")
    for path in (broken, tmp_path / "missing.json"):
        with pytest.raises(SystemExit, match=str(path)):
            scale_pool.pool([path])
