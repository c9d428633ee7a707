"""`python -m bench.scale_pool [FILE.json …]`: the dashboards' refreshes under load of several
`--scale` runs pooled (default: every bench/results/scale*-<time>.json), by how the services were
scheduled (CPU groups as deployed, or not). One run has 50–65 refreshes, so its own "p99" is its
slowest one or two; pooled, the percentile is read from hundreds."""

import json
import statistics
import sys
from pathlib import Path

from bench.ack_burst import _percentile

RESULTS = Path(__file__).resolve().parent / "results"


def pool(paths: list[Path]) -> dict[str, dict]:
    """{mode: {runs, refreshes, p50_ms, p90_ms, p99_ms, max_ms, runs_p99_ms}} over the files that
    have the samples (runs from before they were kept are skipped)."""
    by_mode: dict[str, list[dict]] = {}
    for path in paths:
        try:
            run = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise SystemExit(f"{path}: not a --scale run's results ({exc})") from exc
        dashboards = (run.get("load") or {}).get("dashboards") or {}
        if not dashboards.get("samples_ms"):
            continue
        groups = run.get("service_groups") or {}
        mode = "as deployed (CPU groups)" if groups.get("enabled") else "default scheduling"
        by_mode.setdefault(mode, []).append(dashboards)
    out = {}
    for mode, runs in by_mode.items():
        ms = sorted(x for d in runs for x in d["samples_ms"])
        out[mode] = {
            "runs": len(runs),
            "refreshes": len(ms),
            "p50_ms": round(statistics.median(ms), 1),
            "p90_ms": round(_percentile(ms, 90), 1),
            "p99_ms": round(_percentile(ms, 99), 1),
            "max_ms": ms[-1],
            "runs_p99_ms": [d["p99_ms"] for d in runs],
        }
    return out


def main(argv: list[str]) -> None:
    paths = [Path(a) for a in argv] or sorted(RESULTS.glob("scale*-*.json"))
    pooled = pool(paths)
    if not pooled:
        print("no --scale run with its refreshes kept: run `python -m bench --scale 10` first")
        return
    for mode, p in pooled.items():
        print(
            f"{mode}: {p['runs']} runs, {p['refreshes']} refreshes under load: p50 {p['p50_ms']} / "
            f"p90 {p['p90_ms']} / p99 {p['p99_ms']} / max {p['max_ms']} ms "
            f"(each run's p99: {', '.join(f'{x:g}' for x in p['runs_p99_ms'])})"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
