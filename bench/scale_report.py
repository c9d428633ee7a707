"""The table of `python -m bench --scale N`: each figure with its target and its bare baseline
measured in the same run, and the details under it."""

from bench.scale import MEETINGS, TARGETS


def _max(rows: list[dict], key: str) -> float:
    return max(r[key] for r in rows)


def figures(out: dict) -> list[dict]:
    """The table: each figure with its target and its bare baseline from the same run."""
    load, idle, fan, sweep = out["load"], out["idle"], out["fanout"], out["sweeper"]
    pub, base = _max(out["publish"], "seconds"), _max(out["publish_baseline"], "seconds")
    dash, dash_idle = load["dashboards"], idle["dashboards"]
    acks, bare = load["acks"], idle["bare_inserts"]
    fan_s = load["fanout_seconds_after_publish"]
    rows = [
        (
            "publish, slowest of 3 at once",
            pub,
            "s",
            f"{MEETINGS} × bulk insert at once",
            base,
            f"each ≤ {TARGETS['publish_s']} s",
            pub <= TARGETS["publish_s"],
        ),
        (
            "fan-out of the 3 meetings",
            fan_s,
            "s",
            f"{fan['sent']} bare POSTs",
            fan["baseline_posts_s"],
            "report (alone: ≤ 5 s a meeting)",
            None,
        ),
        (
            "dashboard refresh p99 under load",
            dash["p99_ms"],
            "ms",
            "same refresh idle, p99",
            dash_idle["p99_ms"],
            f"p99 ≤ {TARGETS['dashboard_p99_ms']} ms",
            dash["p99_ms"] <= TARGETS["dashboard_p99_ms"],
        ),
        (
            "acknowledgements under load",
            acks["rps"],
            "req/s",
            "bare INSERT view alone",
            bare["rps"],
            "report (alone: ≥ 50 % of bare)",
            None,
        ),
        (
            "sweeper, 1,000,000 timers",
            sweep["seconds"],
            "s",
            "COUNT of open timers",
            sweep["baseline_count_s"],
            f"≤ {TARGETS['sweeper_s']} s",
            sweep["seconds"] <= TARGETS["sweeper_s"],
        ),
        (
            "peak RSS, web and worker",
            out["rss"]["max_mb"],
            "MB",
            "",
            None,
            f"each ≤ {TARGETS['rss_mb']} MB",
            out["rss"]["max_mb"] <= TARGETS["rss_mb"],
        ),
    ]
    keys = ("figure", "value", "unit", "baseline_of", "baseline", "target", "meets_target")
    table = [dict(zip(keys, row, strict=True)) for row in rows]
    for row in table:
        v, b = row["value"], row["baseline"]
        row["ratio"] = round(v / b, 1) if v is not None and b else None
    return table


def print_report(out: dict) -> None:
    print(f"\nVC Assure at scale: {out['build']}, load average {out['loadavg']}")
    print(
        f"web pools: {out.get('web_pools', 1)} (2: the acknowledgement links on a gunicorn of "
        f"their own); random_page_cost {out['random_page_cost']}"
    )
    groups = out.get("service_groups") or {}
    if groups.get("enabled"):
        weights = ", ".join(
            f"{g} {w}" for g, w in sorted(groups["weights"].items(), key=lambda kv: -kv[1])
        )
        print(
            f"services in CPU groups ({groups['how']}) weighted as deploy/'s units: {weights} "
            f"(load: this process, its clients, fake providers and pollers; PostgreSQL: "
            f"{groups['postgresql_processes']} processes)"
        )
    else:
        print(f"services in CPU groups: no ({groups.get('why', 'not asked')}); default scheduling")
    print(f"{'figure':<34}{'value':>12}{'baseline':>12}{'ratio':>8}  target")
    for r in out["figures"]:
        verdict = "" if r["meets_target"] is None else ("OK" if r["meets_target"] else "MISSED")
        base = "" if r["baseline"] is None else f"{r['baseline']:g} {r['unit']}"
        print(
            f"{r['figure']:<34}{r['value']:>9g} {r['unit']:<3}{base:>12}{r['ratio'] or '':>8}  {r['target']} {verdict}"
        )
        if r["baseline_of"]:
            print(f"{'':<34}baseline: {r['baseline_of']}")
    load, fan, idle = out["load"], out["fanout"], out["idle"]
    print(
        f"publishes: {[p['seconds'] for p in out['publish']]} s for {out['venues_per_meeting']} venues "
        f"({[p['tasks'] for p in out['publish']]} tasks), publisher RSS peak {[p['rss_peak_mb'] for p in out['publish']]} MB"
    )
    print(
        f"fan-out: {fan['sent']} sent ({fan['sent_by_channel']}), {fan['deferred_by_group_rate_limit']} held by "
        f"the groups' 20/min limit, statuses {fan['by_status']}; done {load['fanout_seconds_after_publish']} s after "
        f"the publishes returned"
    )
    d, a = load["dashboards"], load["acks"]
    print(
        f"dashboards under load: {d['refreshes']} refreshes, p50 {d['p50_ms']} / p90 {d['p90_ms']} / p99 "
        f"{d['p99_ms']} / max {d['max_ms']} ms (idle: p50 {idle['dashboards']['p50_ms']}, p99 "
        f"{idle['dashboards']['p99_ms']} ms); statuses {d['statuses']}"
    )
    print(
        f"acknowledgements: {a['requests']} in {a['seconds']} s, {a['rps']} req/s, p50 {a['p50_ms']} / p99 "
        f"{a['p99_ms']} ms, statuses {a['statuses']}; applied {out['acks_applied']}"
    )
    print(f"RSS peaks (MB): {out['rss']['peak_mb_by_process']}")
    print(f"sweeper: {out['sweeper']}")
    print("EXPLAIN (ANALYZE, BUFFERS) of the hot queries (full plans in bench/results/):")
    from bench.explain import summary_lines

    print("\n".join(summary_lines(out["explain"])))
