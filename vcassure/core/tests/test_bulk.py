"""bulk_insert writes what bulk_create would: every row, in order, each object with its new id,
times, JSON and nullable values read back unchanged (SQLite: INSERT … RETURNING; PostgreSQL: ids
from the sequence and COPY)."""

from datetime import timedelta

import pytest

from vcassure.core import clock
from vcassure.core.bulk import bulk_insert
from vcassure.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_rows_written_in_order_with_their_ids_and_values():
    now = clock.now().replace(microsecond=123456)
    rows = [
        AuditEvent(
            at=now + timedelta(minutes=i % 3),  # few distinct times, prepared once each
            action="bench.bulk",
            object_type="x",
            object_id=str(i),
            object_repr="会场 “甲” \t 乙\n" if i == 0 else "",
            changes={"i": i, "名称": ["会商室", None]} if i % 2 else {},
            ip_address="10.0.0.1" if i == 1 else None,
        )
        for i in range(1200)  # more than one SQLite batch
    ]
    bulk_insert(rows, batch_size=500)
    ids = [r.pk for r in rows]
    assert all(ids) and ids == sorted(ids) and len(set(ids)) == 1200
    assert all(not r._state.adding for r in rows)
    stored = {e.pk: e for e in AuditEvent.objects.filter(action="bench.bulk")}
    assert len(stored) == 1200
    for i, row in enumerate(rows):
        back = stored[row.pk]
        assert back.object_id == str(i)
        assert back.at == now + timedelta(minutes=i % 3)
        assert back.changes == ({"i": i, "名称": ["会商室", None]} if i % 2 else {})
    assert stored[rows[0].pk].object_repr == "会场 “甲” \t 乙\n"
    assert stored[rows[1].pk].ip_address == "10.0.0.1"
    assert stored[rows[2].pk].ip_address is None
    # The next row Django writes itself gets an id after them (the sequence moved on).
    assert AuditEvent.objects.create(action="after").pk > ids[-1]


def test_nothing_to_write():
    bulk_insert([])
    assert not AuditEvent.objects.filter(action="bench.bulk").exists()
