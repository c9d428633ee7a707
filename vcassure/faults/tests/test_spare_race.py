"""Two dispatchers lending the last spare at once: one gets it, the other is refused, and the shelf
never shows -1. Needs PostgreSQL (concurrent writers on separate connections); the constraint
test runs on both databases."""

import threading
import time

import pytest
from django.db import IntegrityError, connection, connections, transaction

from tests.factories.venues import EquipmentFactory
from vcassure.core.errors import ConflictError
from vcassure.faults.models import Shipment, Spare
from vcassure.faults.shipments import shipment_create

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent writers on separate connections (PostgreSQL); SQLite has one writer",
)


def test_the_database_refuses_negative_stock(province):
    spare = Spare.objects.create(org_unit=province.counties[0], kind="terminal", model="X")
    with pytest.raises(IntegrityError), transaction.atomic():
        Spare.objects.filter(pk=spare.pk).update(available=-1)


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:  # the test's own connection, outside the two threads
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_lend_the_last_spare(province):
    spare = Spare.objects.create(
        org_unit=province.counties[0], kind="terminal", model="华为 TE40", available=1, minimum=1
    )
    terminals = [EquipmentFactory(venue=v) for v in province.venues[:2]]
    people = [province.user("county0"), province.user("county0", "manager")]
    first_lent = threading.Event()
    release_first = threading.Event()
    outcome: dict[int, object] = {}

    def lend(i: int, number: str) -> None:
        try:
            with transaction.atomic():
                shipment = shipment_create(
                    by=people[i],
                    equipment=terminals[i],
                    carrier="sf",
                    tracking_number=number,
                    loaner=spare,
                )
                if i == 0:  # hold the row until the second dispatcher is blocked on it
                    first_lent.set()
                    release_first.wait(timeout=30)
            outcome[i] = shipment
        except ConflictError as exc:
            outcome[i] = exc
        finally:
            connections.close_all()

    first = threading.Thread(target=lend, args=(0, "SF1000000000001"))
    second = threading.Thread(target=lend, args=(1, "SF1000000000002"))
    first.start()
    assert first_lent.wait(timeout=30)
    second.start()
    deadline = time.monotonic() + 20
    while not _waiting_on_a_lock() and time.monotonic() < deadline:
        time.sleep(0.05)
    release_first.set()
    first.join(30)
    second.join(30)

    assert isinstance(outcome[0], Shipment)
    assert isinstance(outcome[1], ConflictError) and "已无库存" in outcome[1].message
    spare.refresh_from_db()
    assert (spare.available, spare.on_loan) == (0, 1)
    assert list(Shipment.objects.values_list("tracking_number", flat=True)) == ["SF1000000000001"]


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_many_dispatchers_at_once_never_overdraw(province):
    """Eight lends of three spares released together by a barrier: three succeed, five are refused."""
    spare = Spare.objects.create(
        org_unit=province.counties[0], kind="terminal", model="华为 TE40", available=3, minimum=1
    )
    terminals = [EquipmentFactory(venue=province.venues[i % 2]) for i in range(8)]
    person = province.user("county0")
    barrier = threading.Barrier(8, timeout=30)
    results: list[object] = [None] * 8

    def lend(i: int) -> None:
        try:
            barrier.wait()
            results[i] = shipment_create(
                by=person,
                equipment=terminals[i],
                carrier="sf",
                tracking_number=f"SF20000000000{i:02d}",
                loaner=spare,
            )
        except ConflictError as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=lend, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(isinstance(r, Shipment) for r in results) == 3
    assert sum(isinstance(r, ConflictError) for r in results) == 5
    spare.refresh_from_db()
    assert (spare.available, spare.on_loan) == (0, 3)
    assert Shipment.objects.count() == 3
