"""RMA and spares through the API (SPEC §6.2): the shipment's whole path with its dates, history and
the spare lent and taken back; bad input (unknown carrier, malformed or duplicate tracking number,
another scope's equipment, a return that never shipped) refused with nothing written."""

from datetime import timedelta

import pytest
import time_machine

from tests.factories.venues import EquipmentFactory
from vcassure.accounts.models import Role
from vcassure.core import clock
from vcassure.faults.models import Fault, Shipment, ShipmentEvent, Spare
from vcassure.faults.rma_models import s10_check_digit, tracking_number_is_valid
from vcassure.faults.services import fault_open
from vcassure.venues.models import EquipmentEvent, Integrator


@pytest.fixture
def rma(province):
    """A terminal at county 0's first township and one at county 1's; spares at county 0 and at
    city 0; a fault at the first venue."""
    integrator = Integrator.objects.create(name="华为集成商", contact_name="王工")
    here = EquipmentFactory(venue=province.venues[0], integrator=integrator, serial_number="SN-A1")
    there = EquipmentFactory(venue=province.venues[2], integrator=integrator, serial_number="SN-B1")
    county_spare = Spare.objects.create(
        org_unit=province.counties[0], kind="terminal", model="华为 TE40", available=1, minimum=1
    )
    city_spare = Spare.objects.create(
        org_unit=province.cities[0], kind="terminal", model="华为 TE40", available=3, minimum=2
    )
    other_county_spare = Spare.objects.create(
        org_unit=province.counties[1], kind="terminal", model="华为 TE40", available=2, minimum=1
    )
    fault = fault_open(
        title="终端无法开机",
        source=Fault.Source.MANUAL,
        org_unit=province.venues[0].org_unit,
        venue=province.venues[0],
    )
    return {
        "here": here,
        "there": there,
        "county_spare": county_spare,
        "city_spare": city_spare,
        "other_county_spare": other_county_spare,
        "fault": fault,
    }


def post(api, body):
    return api.post("/api/rma", body, content_type="application/json")


def patch(api, pk, body):
    return api.patch(f"/api/rma/{pk}", body, content_type="application/json")


def test_tracking_formats():
    assert tracking_number_is_valid("sf", "SF1234567890123")
    assert not tracking_number_is_valid("sf", "SF12345")
    assert not tracking_number_is_valid("sf", "1234567890123")
    assert tracking_number_is_valid("ems", "1234567890123")
    assert s10_check_digit("12345678") == 5
    assert tracking_number_is_valid("ems", "EA123456785CN")
    assert not tracking_number_is_valid("ems", "EA123456784CN")  # wrong check digit
    assert tracking_number_is_valid("jd", "JD0012345678901")
    assert tracking_number_is_valid("jd", "JDVA12345678901")
    assert not tracking_number_is_valid("jd", "JD123")
    assert tracking_number_is_valid("other", "YT-7788991")
    assert not tracking_number_is_valid("zto", "123456789")


def test_whole_path_with_a_loaner(province, rma, api_client_for):
    api = api_client_for(province.user("county0"))
    start = clock.localnow().replace(hour=10, minute=0, second=0, microsecond=0)
    with time_machine.travel(start, tick=False):
        response = post(
            api,
            {
                "fault": rma["fault"].pk,
                "equipment": rma["here"].pk,
                "carrier": "SF",
                "tracking_number": "sf 1234 5678 90123",
                "expected_return": (start.date() + timedelta(days=7)).isoformat(),
                "loaner": rma["county_spare"].pk,
            },
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["carrier"] == "sf" and body["tracking_number"] == "SF1234567890123"
    assert body["state"] == "shipped" and body["serial_number"] == "SN-A1"
    assert body["integrator"] == "华为集成商" and body["loaner"] == rma["county_spare"].pk
    assert body["shipped_at"].startswith(start.date().isoformat()) and not body["is_overdue"]
    spare = Spare.objects.get(pk=rma["county_spare"].pk)
    assert (spare.available, spare.on_loan) == (0, 1) and spare.is_below_minimum

    pk = body["id"]
    for days, state in enumerate(("received", "repaired", "returned", "closed"), start=1):
        with time_machine.travel(start + timedelta(days=days), tick=False):
            response = patch(api, pk, {"state": state, "note": f"第{days}步"})
        assert response.status_code == 200, response.content
        assert response.json()["state"] == state
    body = response.json()
    for days, field in enumerate(("received_at", "repaired_at", "returned_at", "closed_at"), 1):
        assert body[field].startswith((start.date() + timedelta(days=days)).isoformat())
    assert body["loan_returned_at"].startswith((start.date() + timedelta(days=3)).isoformat())
    spare.refresh_from_db()
    assert (spare.available, spare.on_loan) == (1, 0)
    assert [(e["kind"], e["to_state"]) for e in body["events"]] == [
        ("created", "shipped"),
        ("loaner_out", ""),
        ("state", "received"),
        ("state", "repaired"),
        ("state", "returned"),
        ("loaner_back", ""),
        ("state", "closed"),
    ]
    assert list(
        EquipmentEvent.objects.filter(equipment=rma["here"]).values_list("kind", flat=True)
    ) == ["sent_for_repair", "loaner_in", "back_from_repair", "loaner_out"]
    closed = patch(api, pk, {"expected_return": start.date().isoformat()})
    assert closed.status_code == 409 and "已关闭" in closed.json()["detail"]


def _nothing_written(before_events: int = 0):
    assert Shipment.objects.count() == 0
    assert ShipmentEvent.objects.count() == before_events
    assert not EquipmentEvent.objects.exists()


@pytest.mark.parametrize(
    "carrier,number,status,words",
    [
        ("zto", "7312345678901", 422, "未知的承运商"),
        ("sf", "SF12AB", 422, "格式不正确"),
        ("sf", "1234567890123", 422, "SF 加 12–15 位数字"),
        ("ems", "EA123456784CN", 422, "格式不正确"),
        ("jd", "JD12", 422, "京东运单号"),
        ("other", "12", 422, "6–30 位"),
        ("sf", "", 422, "请填写运单号"),
    ],
)
def test_bad_carrier_or_number_is_refused(
    province, rma, api_client_for, carrier, number, status, words
):
    api = api_client_for(province.user("county0"))
    response = post(
        api,
        {
            "equipment": rma["here"].pk,
            "carrier": carrier,
            "tracking_number": number,
            "loaner": rma["county_spare"].pk,
        },
    )
    assert response.status_code == status
    assert words in response.json()["detail"]
    assert response.json()["errors"][0]["field"] in ("carrier", "tracking_number")
    _nothing_written()
    assert Spare.objects.get(pk=rma["county_spare"].pk).available == 1


def test_duplicate_tracking_number(province, rma, api_client_for):
    api = api_client_for(province.user("county0"))
    body = {"equipment": rma["here"].pk, "carrier": "jd", "tracking_number": "JD0012345678901"}
    assert post(api, body).status_code == 201
    again = post(api, {**body, "tracking_number": "jd0012345678901"})
    assert again.status_code == 422
    assert "已登记过" in again.json()["detail"] and "京东物流" in again.json()["detail"]
    # The same number with another carrier is another waybill.
    assert post(api, {**body, "carrier": "other"}).status_code == 201
    assert Shipment.objects.count() == 2
    # Editing one shipment onto another's number is refused too.
    second = Shipment.objects.get(carrier="other")
    clash = patch(api, second.pk, {"carrier": "jd"})
    assert clash.status_code == 422 and "已登记过" in clash.json()["detail"]
    second.refresh_from_db()
    assert second.carrier == "other"


def test_other_scope_is_404(province, rma, api_client_for):
    api = api_client_for(province.user("county0"))
    sf = {"carrier": "sf", "tracking_number": "SF1234567890123"}
    response = post(api, {"equipment": rma["there"].pk, **sf})
    assert response.status_code == 404 and response.json()["detail"]
    assert post(api, {"equipment": 999999, **sf}).status_code == 404
    response = post(
        api, {"equipment": rma["here"].pk, "loaner": rma["other_county_spare"].pk, **sf}
    )
    assert response.status_code == 404
    _nothing_written()
    # county 1's shipment is invisible to county 0: list, detail, patch.
    theirs = post(api_client_for(province.user("county1")), {"equipment": rma["there"].pk, **sf})
    assert theirs.status_code == 201
    pk = theirs.json()["id"]
    assert api.get(f"/api/rma/{pk}").status_code == 404
    assert patch(api, pk, {"state": "received"}).status_code == 404
    assert api.get("/api/rma").json()["count"] == 0
    assert Shipment.objects.get(pk=pk).state == "shipped"


def test_returning_what_never_shipped_back_is_409(province, rma, api_client_for):
    api = api_client_for(province.user("city0"))  # the city's spare: a city dispatcher lends it
    pk = post(
        api,
        {
            "equipment": rma["here"].pk,
            "carrier": "ems",
            "tracking_number": "EA123456785CN",
            "loaner": rma["city_spare"].pk,
        },
    ).json()["id"]
    response = patch(api, pk, {"state": "returned"})
    assert response.status_code == 409 and "不能登记寄回" in response.json()["detail"]
    response = patch(api, pk, {"state": "closed", "expected_return": "2030-01-01"})
    assert response.status_code == 409 and "不能变为" in response.json()["detail"]
    assert patch(api, pk, {"state": "lost"}).status_code == 422
    shipment = Shipment.objects.get(pk=pk)
    assert shipment.state == "shipped" and shipment.expected_return is None
    assert shipment.returned_at is None and shipment.loan_returned_at is None
    spare = Spare.objects.get(pk=rma["city_spare"].pk)
    assert (spare.available, spare.on_loan) == (2, 1)


def test_lending_an_empty_shelf_writes_nothing(province, rma, api_client_for):
    api = api_client_for(province.user("county0"))
    Spare.objects.filter(pk=rma["county_spare"].pk).update(available=0)
    response = post(
        api,
        {
            "equipment": rma["here"].pk,
            "carrier": "sf",
            "tracking_number": "SF1234567890123",
            "loaner": rma["county_spare"].pk,
        },
    )
    assert response.status_code == 409 and "已无库存" in response.json()["detail"]
    _nothing_written()


def test_loaner_must_fit_the_equipment(province, rma, api_client_for):
    api = api_client_for(province.user("province"))
    camera = Spare.objects.create(org_unit=province.counties[0], kind="camera", model="C1")
    sf = {"equipment": rma["here"].pk, "carrier": "sf", "tracking_number": "SF1234567890123"}
    response = post(api, {**sf, "loaner": camera.pk})
    assert response.status_code == 422 and "不符" in response.json()["detail"]
    response = post(api, {**sf, "loaner": rma["other_county_spare"].pk})
    assert response.status_code == 422 and "县或市" in response.json()["detail"]
    _nothing_written()


def test_readonly_may_not_ship(province, rma, api_client_for):
    api = api_client_for(province.user("province", Role.READONLY))
    response = post(
        api, {"equipment": rma["here"].pk, "carrier": "sf", "tracking_number": "SF1234567890123"}
    )
    assert response.status_code == 403
    _nothing_written()


def test_list_overdue_first_and_filters(province, rma, api_client_for):
    api = api_client_for(province.user("city0"))
    today = clock.localnow().date()
    late = EquipmentFactory(venue=province.venues[1])
    on_time = post(
        api,
        {
            "equipment": rma["here"].pk,
            "carrier": "sf",
            "tracking_number": "SF1234567890123",
            "expected_return": (today + timedelta(days=5)).isoformat(),
        },
    ).json()["id"]
    overdue = post(
        api,
        {"equipment": late.pk, "carrier": "ems", "tracking_number": "1234567890123"},
    ).json()["id"]
    Shipment.objects.filter(pk=overdue).update(expected_return=today - timedelta(days=1))
    listing = api.get("/api/rma").json()
    assert [i["id"] for i in listing["items"]] == [overdue, on_time]
    assert listing["items"][0]["is_overdue"] and not listing["items"][1]["is_overdue"]
    assert api.get("/api/rma?state=received").json()["count"] == 0
    township1 = province.venues[1].org_unit.pk
    assert [i["id"] for i in api.get(f"/api/rma?org_unit={township1}").json()["items"]] == [overdue]
    assert api.get(f"/api/rma?org_unit={province.counties[2].pk}").json()["count"] == 0


def test_spares_api(province, rma, api_client_for):
    api = api_client_for(province.user("city0"))
    body = api.get("/api/spares").json()
    assert body["count"] == 3
    first = body["items"][0]
    assert set(first) >= {"kind", "model", "available", "on_loan", "minimum"}
    below = {i["id"]: i["below_minimum"] for i in body["items"]}
    assert below == {
        rma["county_spare"].pk: False,
        rma["city_spare"].pk: False,
        rma["other_county_spare"].pk: False,
    }
    county0 = api.get(f"/api/spares?org_unit={province.counties[0].pk}").json()
    assert [i["id"] for i in county0["items"]] == [rma["county_spare"].pk]
    assert api.get("/api/spares?kind=camera").json()["count"] == 0
    assert api.get("/api/spares?kind=rocket").status_code == 422
    own = api_client_for(province.user("county1")).get("/api/spares").json()
    assert [i["id"] for i in own["items"]] == [rma["other_county_spare"].pk]


def test_idempotent_create_and_loaner_changes(province, rma, api_client_for):
    api = api_client_for(province.user("city0"))
    body = {
        "equipment": rma["here"].pk,
        "carrier": "sf",
        "tracking_number": "SF1234567890123",
        "loaner": rma["city_spare"].pk,
    }
    first = api.post("/api/rma", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    again = api.post("/api/rma", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and Shipment.objects.count() == 1
    assert Spare.objects.get(pk=rma["city_spare"].pk).available == 2
    pk = first.json()["id"]
    # Another spare while one is out: refused, nothing moves.
    swap = patch(api, pk, {"loaner": rma["county_spare"].pk})
    assert swap.status_code == 409 and "请先归还" in swap.json()["detail"]
    # null takes the spare back; then the county's is lent.
    back = patch(api, pk, {"loaner": None})
    assert back.status_code == 200 and back.json()["loan_returned_at"]
    assert (
        patch(api, pk, {"loaner": rma["county_spare"].pk}).json()["loaner"]
        == rma["county_spare"].pk
    )
    stock = {s.pk: (s.available, s.on_loan) for s in Spare.objects.all()}
    assert stock[rma["city_spare"].pk] == (3, 0) and stock[rma["county_spare"].pk] == (0, 1)
    # Once received, the equipment of a shipment cannot change.
    assert patch(api, pk, {"state": "received"}).status_code == 200
    other = EquipmentFactory(venue=province.venues[1])
    locked = patch(api, pk, {"equipment": other.pk})
    assert locked.status_code == 409 and "不能再更换" in locked.json()["detail"]
    assert Shipment.objects.get(pk=pk).equipment == rma["here"]
