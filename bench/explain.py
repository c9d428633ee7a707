"""EXPLAIN (ANALYZE, BUFFERS) of the hot queries for `python -m bench --scale N` (PostgreSQL): the
statements a piece of product code actually runs are captured while it runs (inside a transaction
rolled back afterwards), then each SELECT among them is explained in another rolled-back
transaction. A sequential scan of a table of more than BIG_TABLE rows is flagged: the hot paths
must reach their rows through an index whatever the size of the table."""

import re
from collections.abc import Callable

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

BIG_TABLE = 10_000
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
SCAN = re.compile(r"((?:Parallel )?(?:Seq|Index Only|Index|Bitmap Heap|Bitmap Index) Scan[^(]*)")
TIME = re.compile(r"Execution Time: ([\d.]+) ms")


class _Rollback(Exception):
    pass


def capture(fn: Callable[[], object], kinds: tuple[str, ...] = ("SELECT",)) -> list[str]:
    """The SQL of every statement of these kinds that fn runs, fn's writes rolled back."""
    statements: list[str] = []
    try:
        with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
            fn()
            statements = [q["sql"] for q in ctx.captured_queries]
            raise _Rollback
    except _Rollback:
        pass
    return [s for s in statements if s.lstrip().upper().startswith(kinds)]


def explain(sql: str) -> dict:
    """The plan of one statement, executed (ANALYZE) and rolled back."""
    lines: list[str] = []
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            lines = [row[0] for row in cursor.fetchall()]
            raise _Rollback
    except _Rollback:
        pass
    plan = "\n".join(lines)
    flagged = []
    for table in sorted(set(SEQ_SCAN.findall(plan))):
        rows = _rows(table)
        if rows > BIG_TABLE:
            flagged.append(f"{table} ({rows:,} rows)")
    found = TIME.search(plan)
    return {
        "sql": sql,
        "plan": plan,
        "ms": float(found.group(1)) if found else None,
        "scans": sorted({s.strip() for s in SCAN.findall(plan)}),
        "seq_scans_on_big_tables": flagged,
    }


def _rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE relname = %s", [table]
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def explain_hot(
    name: str,
    fn: Callable[[], object],
    *,
    keep: Callable[[str], bool] | None = None,
    kinds: tuple[str, ...] = ("SELECT",),
) -> list[dict]:
    """Explain the statements fn runs (those `keep` selects, if given), labelled with name."""
    return [
        {"query": name, **explain(sql)} for sql in capture(fn, kinds) if keep is None or keep(sql)
    ]


def summary_lines(plans: list[dict]) -> list[str]:
    lines = []
    for p in plans:
        flag = (
            f"  SEQ SCAN ON BIG TABLE: {', '.join(p['seq_scans_on_big_tables'])}"
            if p["seq_scans_on_big_tables"]
            else ""
        )
        first = re.sub(r"\s+", " ", p["sql"])[:90]
        lines.append(f"  {p['query']:<16}{p['ms'] or 0:>8.2f} ms  {first}…")
        lines.append(f"  {'':<16}{'':>11}{'; '.join(p['scans']) or 'no table scan'}{flag}")
    return lines


def write_plans(path, plans: list[dict]) -> None:
    with open(path, "w") as out:
        for p in plans:
            out.write(f"=== {p['query']} ({p['ms']} ms)\n{p['sql']}\n\n{p['plan']}\n\n")
