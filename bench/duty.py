"""Duty rosters (issue 14): a 30-day 7×24 period over 500 venues with 8-hour shifts (45,000
shifts) laid out and suggested in ≤ 10 s, and its week-by-venue grid for one county in ≤ 300 ms.
Baselines: bulk-inserting as many bare rows, and a bare Django template of the grid's rows."""

import statistics
import time
from datetime import timedelta


def _measure_grid(user, period, venue_ids, starts_on, renders: int):
    """The grid of the county with most of the period's venues, over HTTP with DEBUG off, and a
    bare template of as many rows × 21 cells."""
    from django.template import engines
    from django.test import Client
    from django.test.utils import override_settings

    from bench.__main__ import timed
    from vcassure.orgs.models import OrgUnit
    from vcassure.venues.models import Venue

    counts: dict[int, int] = {}
    for path in Venue.objects.filter(pk__in=venue_ids).values_list("org_unit__path", flat=True):
        ids = OrgUnit.path_ids(path)
        if len(ids) >= 3:
            counts[ids[2]] = counts.get(ids[2], 0) + 1
    county = max(counts, key=lambda k: counts[k])
    url = f"/duty/periods/{period.pk}/grid/?unit={county}&week={starts_on:%Y-%m-%d}"
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        grid_ms = [s * 1000 for s in timed(lambda: client.get(url), renders)]
    rows = counts[county]
    bare = engines["django"].from_string(
        "<table>{% for r in rows %}<tr><td>{{ r.venue }}</td>{% for c in r.cells %}"
        "<td>{{ c.start }} {{ c.who }}</td>{% endfor %}</tr>{% endfor %}</table>"
    )
    data = [
        {"venue": f"会场{r}", "cells": [{"start": "08:00", "who": "张三"} for _ in range(21)]}
        for r in range(rows)
    ]
    baseline_ms = [s * 1000 for s in timed(lambda: bare.render({"rows": data}), renders)]
    return grid_ms, baseline_ms, {"venues": rows, "bytes": len(response.content)}


def scenario_duty(repeat: int) -> dict:
    from django.db import connection, transaction

    from bench.__main__ import analyze, percentile, timed
    from bench.scenarios import bench_user, bulk_venues, rollback
    from vcassure.core import clock
    from vcassure.core.models import AuditEvent
    from vcassure.duty import services
    from vcassure.duty.models import Shift

    user = bench_user()
    venue_ids = bulk_venues(500)
    starts_on = clock.localnow().date() + timedelta(days=1)
    create_samples: list[float] = []
    shifts = covered = 0
    grid_ms: list[float] = []
    grid_info: dict = {}
    baseline_grid_ms: list[float] = []

    def create():
        return services.special_period_create(
            by=user,
            name="汛期保障(基准测试)",
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=29),
            mode="24x7",
            duty_hours=[],
            shift_hours=8,
            venues=venue_ids,
        )

    for i in range(repeat):
        with rollback():
            started = time.perf_counter()
            period = create()
            create_samples.append(time.perf_counter() - started)
            if i == 0:
                shifts = Shift.objects.filter(period=period).count()
                covered = Shift.objects.filter(period=period, assignee__isnull=False).count()
                analyze(connection)
                grid_ms, baseline_grid_ms, grid_info = _measure_grid(
                    user, period, venue_ids, starts_on, max(10, 4 * repeat)
                )

    def baseline():
        with rollback(), transaction.atomic():
            AuditEvent.objects.bulk_create(
                [
                    AuditEvent(action="bench", object_type="x", object_id=str(i))
                    for i in range(shifts)
                ],
                batch_size=2000,
            )

    base = statistics.median(timed(baseline, repeat))
    median = statistics.median(create_samples)
    grid_p50 = statistics.median(grid_ms) if grid_ms else 0.0
    grid_p99 = percentile(grid_ms, 99) if grid_ms else 0.0
    return {
        "scenario": "duty_roster_45k",
        "median_s": round(median, 3),
        "baseline_median_s": round(base, 3),
        "ratio": round(median / base, 1) if base else None,
        "samples_s": [round(s, 3) for s in create_samples],
        "shifts": shifts,
        "covered": covered,
        "grid_p50_ms": round(grid_p50, 1),
        "grid_p99_ms": round(grid_p99, 1),
        "grid_baseline_p50_ms": round(statistics.median(baseline_grid_ms), 1)
        if baseline_grid_ms
        else None,
        "grid": grid_info,
        "target": "layout + suggest ≤ 10 s; county grid ≤ 300 ms",
        "meets_target": median <= 10.0 and grid_p50 <= 300,
    }
