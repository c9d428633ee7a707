"""Bytes per row of the tables that grow without bound, measured on a PostgreSQL database with
data (README, "Growth, partitions and archives"): for each table its rows, pg_relation_size (heap),
pg_indexes_size, pg_total_relation_size (heap + TOAST + indexes) and total bytes per row, after
VACUUM ANALYZE (with --full, VACUUM FULL: the tables rewritten without the room left by updated
rows, a lower bound). Usage: DATABASE_URL=postgres://… .venv/bin/python scripts/table-sizes.py [--full]"""

import os
import sys
from pathlib import Path

import psycopg

TABLES = [
    "notifications_delivery",
    "notifications_deliveryattempt",
    "notifications_notification",
    "meetings_tasktransition",
    "core_auditevent",
    "meetings_supporttask",
    "checklists_stepresult",
    "checklists_stepphoto",
]


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must name a PostgreSQL database")
    with psycopg.connect(url, autocommit=True) as conn:
        for table in TABLES:
            conn.execute(f'VACUUM {"FULL " if "--full" in sys.argv else ""}ANALYZE "{table}"')
        print(f"{'table':<32}{'rows':>9}{'heap':>11}{'indexes':>11}{'total':>11}{'B/row':>8}")
        for table in TABLES:
            rows, heap, indexes, total = conn.execute(
                f'SELECT (SELECT COUNT(*) FROM "{table}"), pg_relation_size(%(t)s), '  # noqa: S608
                "pg_indexes_size(%(t)s), pg_total_relation_size(%(t)s)",
                {"t": table},
            ).fetchone()
            per_row = f"{total / rows:.0f}" if rows else "-"
            print(f"{table:<32}{rows:>9}{heap:>11}{indexes:>11}{total:>11}{per_row:>8}")
    print(f"(measured on {url.rsplit('@', 1)[-1]}; {Path(__file__).name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
