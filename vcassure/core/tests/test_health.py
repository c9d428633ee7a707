import pytest

from vcassure.core.models import AuditEvent
from vcassure.core.services import audit_record, worker_heartbeat_record


def test_health_ok_without_login(db, client):
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["queue"] == "ok"


def test_health_reports_worker_heartbeat(db, client):
    assert client.get("/api/health").json()["worker"]["status"] == "unknown"
    worker_heartbeat_record()
    assert client.get("/api/health").json()["worker"]["status"] == "ok"


def test_health_503_when_queue_storage_fails(db, client, monkeypatch):
    from huey.contrib.djhuey import HUEY

    def broken():
        raise ConnectionError("queue down")

    monkeypatch.setattr(HUEY, "pending_count", broken)
    response = client.get("/api/health")
    assert response.status_code == 503
    assert response.json()["queue"].startswith("error") and response.json()["failing"] == ["queue"]


def test_audit_events_are_append_only(db):
    event = audit_record(actor=None, action="test.thing", object_type="x", object_repr="y")
    event.action = "changed"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.thing"
