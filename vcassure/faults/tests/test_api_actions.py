"""SPEC §6.2: POST /api/faults/{id}/acknowledge|assign|on-site|restore|close|reopen and the fields
of GET /api/faults/{id}; a move the state does not allow is a 409; another city's fault a 404."""

import pytest

from vcassure.accounts.models import Role
from vcassure.faults.models import Fault
from vcassure.faults.services import fault_open
from vcassure.orgs.models import Staff

FIELDS = {
    "severity",
    "state",
    "responsible_department",
    "assignee",
    "reported_at",
    "acknowledged_at",
    "on_site_at",
    "restored_at",
    "closed_at",
    "ack_due_at",
    "restore_due_at",
    "events",
}


@pytest.fixture
def fault(province):
    return fault_open(
        title="镇0会场无声音",
        source=Fault.Source.HOTLINE,
        org_unit=province.venues[0].org_unit,
        venue=province.venues[0],
        severity="critical",
        by=province.user("province"),
    )


def post(client, path, data=None):
    return client.post(path, data or {}, content_type="application/json")


def test_the_path_through_the_api(province, fault, api_client_for):
    netops = api_client_for(province.user("city0", Role.SUPPORT))
    base = f"/api/faults/{fault.pk}"
    body = netops.get(base).json()
    assert set(body) >= FIELDS and body["state"] == "open" and body["severity"] == "critical"
    assert body["reported_at"] == body["opened_at"] and body["reported_at"].endswith("+08:00")
    assert body["responsible_department"] == fault.assigned_department_id
    assert post(netops, f"{base}/acknowledge").json()["state"] == "acknowledged"
    engineer = Staff.objects.filter(
        department__kind="tech_maintenance", org_unit=province.counties[0]
    ).first()
    assigned = post(netops, f"{base}/assign", {"assignee": engineer.pk}).json()
    assert assigned["state"] == "assigned" and assigned["assignee"] == engineer.pk
    county = api_client_for(province.user("county0", Role.SUPPORT))
    assert post(county, f"{base}/on-site").json()["on_site_at"]
    restored = post(county, f"{base}/restore", {"note": "更换电源"}).json()
    assert restored["state"] == "restored" and restored["events"][-1]["note"] == "更换电源"
    reopened = post(netops, f"{base}/reopen", {"reason": "仍有杂音"}).json()
    assert reopened["state"] == "open" and reopened["restored_at"] is None
    post(netops, f"{base}/restore", {"note": "调整音频"})
    closed = post(netops, f"{base}/close", {"note": "回访正常"}).json()
    assert closed["state"] == "closed" and closed["closed_at"]
    assert [e["kind"] for e in closed["events"]] == [
        "opened",
        "acknowledged",
        "assigned",
        "on_site",
        "restored",
        "reopened",
        "restored",
        "closed",
    ]


def test_refusals(province, fault, api_client_for):
    netops = api_client_for(province.user("city0", Role.SUPPORT))
    base = f"/api/faults/{fault.pk}"
    early = post(netops, f"{base}/close")
    assert early.status_code == 409 and set(early.json()) == {"detail", "errors"}
    assert post(netops, f"{base}/on-site").status_code == 409
    assert post(netops, f"{base}/reopen", {"reason": "x"}).status_code == 409
    assert post(netops, f"{base}/assign", {}).status_code == 422
    township = Staff.objects.get(org_unit=province.townships[0])
    wrong = post(netops, f"{base}/assign", {"assignee": township.pk})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "assignee"
    other_city = api_client_for(province.user("city1", Role.SUPPORT))
    for action in ("acknowledge", "on-site", "restore", "close"):
        assert post(other_city, f"{base}/{action}").status_code == 404
    assert other_city.get(base).status_code == 404
    readonly = api_client_for(province.user("province", Role.READONLY))
    assert post(readonly, f"{base}/acknowledge").status_code == 403
    fault.refresh_from_db()
    assert fault.state == "open" and fault.events.count() == 1


def test_list_filters_by_severity(province, fault, api_client_for):
    netops = api_client_for(province.user("city0", Role.SUPPORT))
    assert netops.get("/api/faults?severity=critical").json()["count"] == 1
    assert netops.get("/api/faults?severity=minor").json()["count"] == 0
