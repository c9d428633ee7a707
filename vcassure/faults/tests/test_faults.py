"""Fault pages (list, detail, restore, close) and the faults API (SPEC §6), scoped: another
scope's fault is a 404 on every page and endpoint."""

import pytest

from vcassure.accounts.models import Role
from vcassure.faults.models import Fault, FaultEvent
from vcassure.faults.services import fault_open
from vcassure.orgs.models import Department


@pytest.fixture
def faults(province):
    """One fault at a venue of city 0 (township 0) and one at a venue of city 1 (township 4)."""
    here = fault_open(
        title="镇0终端无图像",
        source=Fault.Source.HOTLINE,
        org_unit=province.venues[0].org_unit,
        venue=province.venues[0],
        description="96311 来电",
        by=province.user("province"),
    )
    there = fault_open(
        title="镇4交换机掉电",
        source=Fault.Source.MANUAL,
        org_unit=province.venues[4].org_unit,
        venue=province.venues[4],
        by=province.user("province"),
    )
    return here, there


def login(client, province, key, role):
    client.force_login(province.user(key, role))
    return client


# --- pages ------------------------------------------------------------------------------------------


def test_list_is_scoped_and_filtered(province, faults, client, django_assert_max_num_queries):
    here, there = faults
    login(client, province, "city0", Role.DISPATCHER)
    page = client.get("/faults/").content.decode()
    assert here.title in page and there.title not in page
    assert Department.objects.get(org_unit=province.cities[0], kind="network_ops").name in page
    assert here.title not in client.get("/faults/?state=restored").content.decode()
    assert (
        here.title in client.get("/faults/?state=bogus").content.decode()
    )  # an unknown state filters nothing
    login(client, province, "province", Role.DISPATCHER)
    for i in range(10):
        fault_open(
            title=f"故障{i}",
            source=Fault.Source.MANUAL,
            org_unit=province.venues[i % 8].org_unit,
            venue=province.venues[i % 8],
        )
    with django_assert_max_num_queries(10):  # + the counts (one aggregate), the unit filter
        page = client.get("/faults/").content.decode()
    assert here.title in page and there.title in page and "故障9" in page


def test_detail_shows_events_and_other_scope_is_404(province, faults, client):
    here, there = faults
    login(client, province, "county0", Role.SUPPORT)
    page = client.get(f"/faults/{here.pk}/").content.decode()
    assert here.title in page and "96311 来电" in page and "登记" in page and "受理时限" in page
    assert client.get(f"/faults/{there.pk}/").status_code == 404
    assert client.post(f"/faults/{there.pk}/restore/", {"note": "x"}).status_code == 404
    assert client.post(f"/faults/{there.pk}/close/").status_code == 404
    assert client.get("/faults/999999/").status_code == 404
    there.refresh_from_db()
    assert there.state == "open"


@pytest.mark.parametrize("key,role", [("township0", Role.SUPPORT), ("province", Role.READONLY)])
def test_who_may_not_restore(province, faults, client, key, role):
    here, _there = faults
    login(client, province, key, role)
    page = client.get(f"/faults/{here.pk}/").content.decode()
    assert here.title in page and 'id="restore-form"' not in page
    assert client.post(f"/faults/{here.pk}/restore/", {"note": "x"}).status_code == 403
    here.refresh_from_db()
    assert (
        here.state == "open" and not FaultEvent.objects.filter(fault=here, kind="restored").exists()
    )


@pytest.mark.parametrize(
    "key,role",
    [
        ("city0", Role.SUPPORT),  # city network operations (the sole emergency interface)
        ("county0", Role.SUPPORT),  # county technical maintenance (carries out the repair)
        ("county0", Role.MANAGER),
        ("province", Role.DISPATCHER),
    ],
)
def test_restore_then_close(province, faults, client, key, role):
    here, _there = faults
    login(client, province, key, role)
    assert 'id="restore-form"' in client.get(f"/faults/{here.pk}/").content.decode()
    response = client.post(f"/faults/{here.pk}/restore/", {"note": "重启终端后恢复"})
    assert response.status_code == 302 and response["Location"] == f"/faults/{here.pk}/"
    page = client.get(f"/faults/{here.pk}/").content.decode()
    assert "故障已恢复" in page and "重启终端后恢复" in page and 'id="close-form"' in page
    again = client.post(f"/faults/{here.pk}/restore/")
    assert again.status_code == 409 and "不能变为" in again.content.decode()
    assert client.post(f"/faults/{here.pk}/close/", {"note": "回访正常"}).status_code == 302
    here.refresh_from_db()
    assert here.state == "closed" and here.restored_at and here.closed_at
    assert list(here.events.values_list("kind", flat=True)) == ["opened", "restored", "closed"]
    assert here.acknowledged_at == here.restored_at  # restored remotely: acknowledged on the way


def test_close_before_restore_is_refused(province, faults, client):
    here, _there = faults
    login(client, province, "city0", Role.DISPATCHER)
    response = client.post(f"/faults/{here.pk}/close/")
    assert response.status_code == 409 and 'role="alert"' in response.content.decode()
    here.refresh_from_db()
    assert here.state == "open"


def test_anonymous_is_sent_to_login(faults, client):
    here, _there = faults
    assert client.get("/faults/").status_code == 302
    assert client.post(f"/faults/{here.pk}/restore/").status_code == 302
    here.refresh_from_db()
    assert here.state == "open"


# --- API ----------------------------------------------------------------------------------------------


def test_api_list_is_scoped_and_filtered(province, faults, api_client_for):
    here, there = faults
    city0 = api_client_for(province.user("city0", Role.DISPATCHER))
    body = city0.get("/api/faults").json()
    assert body["count"] == 1 and [f["id"] for f in body["items"]] == [here.pk]
    item = body["items"][0]
    assert (
        item["state"] == "open"
        and item["source"] == "hotline"
        and item["venue"] == province.venues[0].pk
    )
    assert item["assigned_department_name"] and item["opened_at"].endswith("+08:00")
    assert city0.get("/api/faults?state=restored").json()["count"] == 0
    assert city0.get(f"/api/faults?org_unit={province.counties[0].pk}").json()["count"] == 1
    assert city0.get(f"/api/faults?org_unit={province.counties[1].pk}").json()["count"] == 0
    assert (
        city0.get(f"/api/faults?org_unit={province.cities[1].pk}").json()["count"] == 0
    )  # not in scope: nothing
    assert city0.get("/api/faults?state=bogus").status_code == 422
    everything = (
        api_client_for(province.user("province", Role.DISPATCHER)).get("/api/faults?limit=1").json()
    )
    assert everything["count"] == 2 and len(everything["items"]) == 1


def test_api_detail_and_other_scope(province, faults, api_client_for):
    here, there = faults
    city0 = api_client_for(province.user("city0", Role.DISPATCHER))
    body = city0.get(f"/api/faults/{here.pk}").json()
    assert body["id"] == here.pk and [e["kind"] for e in body["events"]] == ["opened"]
    assert body["events"][0]["note"] == "96311 来电"
    missing = city0.get(f"/api/faults/{there.pk}")
    assert missing.status_code == 404 and set(missing.json()) == {"detail", "errors"}


def test_api_create_routes_to_city_network_operations(province, api_client_for):
    county = api_client_for(province.user("county0", Role.DISPATCHER))
    response = county.post(
        "/api/faults",
        {
            "title": "镇1会场无声音",
            "venue": province.venues[1].pk,
            "severity": "critical",
            "description": "热线报障",
            "source": "hotline",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    fault = Fault.objects.get(pk=body["id"])
    assert (
        fault.org_unit == province.venues[1].org_unit
        and fault.source == "hotline"
        and fault.severity == "critical"
    )
    assert (
        fault.assigned_department.kind == "network_ops"
        and fault.assigned_department.org_unit == province.cities[0]
    )
    assert body["state"] == "open" and [e["kind"] for e in body["events"]] == ["opened"]
    assert body["ack_due_at"] and body["restore_due_at"] and body["responsible_department"]
    by_unit = county.post(
        "/api/faults",
        {"title": "县机房空调故障", "org_unit": province.counties[0].pk},
        content_type="application/json",
    )
    assert (
        by_unit.status_code == 201
        and by_unit.json()["venue"] is None
        and by_unit.json()["source"] == "manual"
    )


def test_api_create_refusals(province, api_client_for):
    county = api_client_for(province.user("county0", Role.DISPATCHER))

    def create(data, client=county):
        return client.post("/api/faults", data, content_type="application/json")

    other = create({"title": "x", "venue": province.venues[4].pk})
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "venue"
    assert (
        create({"title": "x", "org_unit": province.cities[1].pk}).json()["errors"][0]["field"]
        == "org_unit"
    )
    blank = create({"title": "  ", "venue": province.venues[0].pk})
    assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "title"
    assert create({"title": "x"}).status_code == 422
    assert (
        create(
            {"title": "x", "venue": province.venues[0].pk, "severity": "apocalyptic"}
        ).status_code
        == 422
    )
    assert (
        create({"title": "x", "venue": province.venues[0].pk, "source": "checklist"}).status_code
        == 422
    )
    readonly = api_client_for(province.user("province", Role.READONLY))
    assert create({"title": "x", "venue": province.venues[0].pk}, readonly).status_code == 403
    assert not Fault.objects.exists()


def test_api_create_honours_idempotency_key(province, api_client_for):
    county = api_client_for(province.user("county0", Role.DISPATCHER))
    data = {"title": "镇0会场黑屏", "venue": province.venues[0].pk}
    headers = {"HTTP_IDEMPOTENCY_KEY": "hotline-0001"}
    first = county.post("/api/faults", data, content_type="application/json", **headers)
    again = county.post("/api/faults", data, content_type="application/json", **headers)
    assert first.status_code == again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"] and Fault.objects.count() == 1
    other = county.post(
        "/api/faults", {**data, "title": "另一个"}, content_type="application/json", **headers
    )
    assert other.status_code == 422 and Fault.objects.count() == 1
