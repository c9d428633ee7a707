"""Idempotency keys under load (SPEC §6): 100 identical `POST /api/meetings` with the same
Idempotency-Key, sent at once from 100 threads over 100 real database connections, create one
meeting; every caller gets the same 201 answer. Needs PostgreSQL's row locks across connections
(SQLite serialises writers on one file, so the race cannot happen there)."""

import json
import threading

import pytest
from django.db import connection, connections
from django.test import Client

from vcassure.accounts.models import ApiToken
from vcassure.accounts.services import api_token_create
from vcassure.core import clock
from vcassure.core.models import AuditEvent, IdempotencyKey
from vcassure.meetings.models import Meeting, MeetingEvent, MeetingVenue

CALLERS = 100


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent writers on separate connections (PostgreSQL); SQLite has one writer",
)
@pytest.mark.django_db(transaction=True)
def test_a_hundred_identical_creates_make_one_meeting(province, tomorrow):
    tree = province
    _token, key = api_token_create(user=tree.user("province"))
    ApiToken.objects.update(
        last_used_at=clock.now()
    )  # so that authentication itself writes nothing
    start, end = tomorrow
    body = json.dumps(
        {
            "system": "water",
            "title": "并发创建",
            "starts_at": start.isoformat(),
            "ends_at": end.isoformat(),
            "importance": "normal",
            "notice_ref": "水利〔2026〕50号",
            "main_venue": tree.main_venue.pk,
            "venues": [v.pk for v in tree.venues],
        }
    )
    audit_before = AuditEvent.objects.count()
    barrier = threading.Barrier(CALLERS, timeout=60)
    responses: list = [None] * CALLERS
    errors: list[BaseException] = []

    def call(i: int) -> None:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        try:
            barrier.wait()
            responses[i] = client.post(
                "/api/meetings",
                data=body,
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY="create-once-7f3a",
            )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call, args=(i,)) for i in range(CALLERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a request hung"
    assert errors == []
    statuses = sorted({r.status_code for r in responses})
    assert statuses == [201], [r.content[:200] for r in responses if r.status_code != 201][:3]
    ids = {r.json()["id"] for r in responses}
    assert len(ids) == 1
    assert Meeting.objects.count() == 1 and Meeting.objects.get().pk == ids.pop()
    assert MeetingEvent.objects.filter(kind="created").count() == 1
    assert MeetingVenue.objects.count() == len(tree.venues)
    assert IdempotencyKey.objects.count() == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == CALLERS - 1
    assert AuditEvent.objects.count() - audit_before <= 1
