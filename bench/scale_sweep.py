"""The sweeper over 1,000,000 open timers for `python -m bench --scale N`, and the EXPLAIN of the
hot queries (bench/explain.py) taken while those timers and the published meetings are there."""

import statistics
import time
from datetime import timedelta

from bench.explain import explain_hot


def open_timers_sql(n: int, due_fraction: float) -> int:
    """n unanswered notices with escalation timers spread over every active person, the first
    `due_fraction` of them already due; written by one INSERT … SELECT from a template row (a
    million model instances would cost the bench a gigabyte and a minute)."""
    from django.db import connection

    from vcassure.core import clock
    from vcassure.notifications.models import EscalationPolicy, Notification
    from vcassure.orgs.models import Staff

    now = clock.now()
    staff = list(Staff.objects.filter(is_active=True).order_by("id").values_list("id", flat=True))
    later = now + timedelta(hours=2)
    template = Notification.objects.create(
        recipient_id=staff[0],
        kind="published",
        topic="bench:sweeper",
        subject="bench:template",
        title="基准",
        body="基准：请确认到场时间。",
        ack_class="im",
        ack_due_at=later,
        next_escalation_at=later,
        escalation_steps=EscalationPolicy.DEFAULT_STEPS,
        created_at=now,
    )
    due = int(n * due_fraction)
    late = now - timedelta(minutes=1)
    overrides = {
        "recipient_id": ("(%s::bigint[])[1 + mod(g, %s)]", [staff, len(staff)]),
        "subject": ("'bench:' || g", []),
        "ack_due_at": ("CASE WHEN g <= %s THEN %s ELSE %s END", [due, late, later]),
        "next_escalation_at": ("CASE WHEN g <= %s THEN %s ELSE %s END", [due, late, later]),
    }
    columns, exprs, params = [], [], []
    for field in Notification._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        expr, values = overrides.get(
            field.column, (f"t.{connection.ops.quote_name(field.column)}", [])
        )
        exprs.append(expr)
        params += values
    table = Notification._meta.db_table
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(exprs)} "  # noqa: S608  # nosec B608
        f"FROM generate_series(1, %s) AS g, {table} AS t WHERE t.id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, n - 1, template.pk])
        cursor.execute(f"ANALYZE {table}")
    return due


def sweeper(n: int, explain_also=None) -> tuple[dict, list[dict]]:
    """One timed sweep of every due timer (1 %: rung 1 re-notifies by SMS), in a transaction rolled
    back afterwards; the EXPLAIN of the sweeper's and the outbox's queries taken inside it (and
    those of `explain_also()`: the tables then hold the million notices)."""
    from bench.scenarios import rollback
    from vcassure.core import clock
    from vcassure.notifications.escalation import escalations_process_due
    from vcassure.notifications.models import Notification
    from vcassure.notifications.outbox import deliveries_claim

    with rollback():
        started = time.perf_counter()
        due = open_timers_sql(n, 0.01)
        made = time.perf_counter() - started
        plans = explain_hot(
            "sweeper due", escalations_process_due, keep=lambda sql: "FOR UPDATE" in sql
        )
        started = time.perf_counter()
        escalated = 0
        while climbed := escalations_process_due():
            escalated += climbed
        seconds = time.perf_counter() - started
        baseline = []
        for _ in range(3):
            started = time.perf_counter()
            Notification.objects.filter(acknowledged_at__isnull=True).count()
            baseline.append(time.perf_counter() - started)
        # The outbox's claim with the 10,000 re-notifications just queued.
        plans += explain_hot("outbox claim", lambda: deliveries_claim(now=clock.now()))
        if explain_also is not None:
            plans += explain_also()
        timers = Notification.objects.filter(
            next_escalation_at__isnull=False, acknowledged_at__isnull=True
        ).count()
    assert escalated == due, (escalated, due)
    base = statistics.median(baseline)
    return {
        "timers": n,
        "open_timers_seen": timers,
        "due": due,
        "escalated": escalated,
        "seconds": round(seconds, 3),
        "baseline_count_s": round(base, 3),
        "ratio": round(seconds / base, 1) if base else None,
        "timers_written_s": round(made, 1),
    }, plans


def explain_web(meetings: list, users: list) -> list[dict]:
    """EXPLAIN of the dashboard refresh's queries and of an acknowledgement's, as served (run
    inside the sweeper's transaction: the notices table then holds a million rows)."""
    from django.test import Client
    from django.test.utils import override_settings

    from bench.scale import ack_links

    plans: list[dict] = []
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(users[0])
        path = f"/meetings/{meetings[0].pk}/dashboard/"
        client.get(path, HTTP_HX_REQUEST="true")  # warm
        plans += explain_hot(
            "dashboard",
            lambda: client.get(path, HTTP_HX_REQUEST="true"),
            keep=lambda sql: "django_session" not in sql and "accounts_user" not in sql,
        )
        # A link not acknowledged in the burst (the burst took the first ones of each meeting).
        links, _ids = ack_links(meetings[-1:], 1000)
        plans += explain_hot(
            "ack lookup",
            lambda: Client().post(f"/api/ack/{links[-1]}"),
            keep=lambda sql: "django_session" not in sql,
            kinds=("SELECT", "UPDATE"),
        )
    return plans
