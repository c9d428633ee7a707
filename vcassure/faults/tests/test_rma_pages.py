"""RMA and spares pages: scoped lists (overdue first, below-minimum flagged), shipping from a fault
page and standalone, the steps with their buttons, lending and returning spares; another scope's
shipment or spare is a 404; a read-only user sees but may not act."""

from datetime import timedelta

import pytest

from tests.factories.venues import EquipmentFactory
from vcassure.accounts.models import Role
from vcassure.core import clock
from vcassure.faults.models import Fault, Shipment, Spare
from vcassure.faults.services import fault_open
from vcassure.faults.shipments import shipment_create
from vcassure.venues.models import EquipmentEvent


@pytest.fixture
def setup(province):
    here = EquipmentFactory(venue=province.venues[0], serial_number="SN-HERE-1")
    there = EquipmentFactory(venue=province.venues[2], serial_number="SN-THERE-1")
    spare = Spare.objects.create(
        org_unit=province.counties[0], kind="terminal", model="华为 TE40", available=1, minimum=2
    )
    their_spare = Spare.objects.create(
        org_unit=province.counties[1], kind="terminal", model="华为 TE40", available=1, minimum=1
    )
    fault = fault_open(
        title="终端花屏",
        source=Fault.Source.MANUAL,
        org_unit=province.venues[0].org_unit,
        venue=province.venues[0],
    )
    theirs = shipment_create(
        by=None, equipment=there, carrier="sf", tracking_number="SF9000000000001"
    )
    return {
        "here": here,
        "there": there,
        "spare": spare,
        "their_spare": their_spare,
        "fault": fault,
        "theirs": theirs,
    }


def login(client, province, key, role=Role.DISPATCHER):
    client.force_login(province.user(key, role))
    return client


def test_ship_from_the_fault_page(province, setup, client):
    login(client, province, "county0")
    fault_page = client.get(f"/faults/{setup['fault'].pk}/").content.decode()
    assert f'href="/faults/rma/new/?fault={setup["fault"].pk}"' in fault_page
    form = client.get(f"/faults/rma/new/?fault={setup['fault'].pk}").content.decode()
    assert "SN-HERE-1" in form and "SN-THERE-1" not in form and "华为 TE40" in form
    bad = client.post(
        f"/faults/rma/new/?fault={setup['fault'].pk}",
        {"equipment": setup["here"].pk, "carrier": "sf", "tracking_number": "SF12"},
    )
    assert bad.status_code == 422 and "顺丰运单号应为" in bad.content.decode()
    assert not Shipment.objects.filter(equipment=setup["here"]).exists()
    response = client.post(
        f"/faults/rma/new/?fault={setup['fault'].pk}",
        {
            "equipment": setup["here"].pk,
            "carrier": "ems",
            "tracking_number": "1234567890123",
            "expected_return": (clock.localnow().date() + timedelta(days=10)).isoformat(),
            "loaner": setup["spare"].pk,
        },
    )
    shipment = Shipment.objects.get(equipment=setup["here"])
    assert response.status_code == 302 and response["Location"] == f"/faults/rma/{shipment.pk}/"
    assert shipment.fault == setup["fault"] and shipment.loaner == setup["spare"]
    page = client.get(response["Location"]).content.decode()
    assert "已登记返修寄出" in page and "备件借用中" in page and "寄出送修" in page
    assert 'id="step-form"' in page and "登记为“集成商已签收”" in page


def test_ship_standalone_by_serial_number(province, setup, client):
    login(client, province, "county0")
    page = client.get("/faults/rma/new/").content.decode()
    assert 'name="serial_number"' in page
    unknown = client.post(
        "/faults/rma/new/",
        {"serial_number": "SN-THERE-1", "carrier": "sf", "tracking_number": "SF1234567890123"},
    )
    assert unknown.status_code == 422 and "本辖区没有序列号" in unknown.content.decode()
    response = client.post(
        "/faults/rma/new/",
        {"serial_number": "sn-here-1", "carrier": "sf", "tracking_number": "SF1234567890123"},
    )
    assert response.status_code == 302
    dup = client.post(
        "/faults/rma/new/",
        {"serial_number": "SN-HERE-1", "carrier": "sf", "tracking_number": "SF1234567890123"},
    )
    assert dup.status_code == 422 and "已登记过" in dup.content.decode()


def test_steps_to_returned_bring_the_spare_back(province, setup, client):
    login(client, province, "county0")
    shipment = shipment_create(
        by=None,
        equipment=setup["here"],
        carrier="sf",
        tracking_number="SF1234567890123",
        loaner=setup["spare"],
    )
    url = f"/faults/rma/{shipment.pk}/"
    early = client.post(f"{url}step/", {"state": "returned"})
    assert early.status_code == 409 and "不能登记寄回" in early.content.decode()
    for state in ("received", "repaired", "returned"):
        assert client.post(f"{url}step/", {"state": state, "note": "顺利"}).status_code == 302
    page = client.get(url).content.decode()
    assert "登记为“已关闭”" in page and "备件归还" in page and "修复返回" in page
    setup["spare"].refresh_from_db()
    assert (setup["spare"].available, setup["spare"].on_loan) == (1, 0)
    assert EquipmentEvent.objects.filter(equipment=setup["here"]).count() == 4


def test_list_is_scoped_overdue_first(province, setup, client, django_assert_max_num_queries):
    today = clock.localnow().date()
    first = shipment_create(
        by=None,
        equipment=setup["here"],
        carrier="sf",
        tracking_number="SF1234567890123",
        expected_return=today + timedelta(days=3),
    )
    late = shipment_create(
        by=None,
        equipment=EquipmentFactory(venue=province.venues[1]),
        carrier="jd",
        tracking_number="JD0012345678901",
    )
    Shipment.objects.filter(pk=late.pk).update(expected_return=today - timedelta(days=2))
    login(client, province, "county0")
    page = client.get("/faults/rma/").content.decode()
    assert page.index(f'data-rma="{late.pk}"') < page.index(f'data-rma="{first.pk}"')
    assert 'id="overdue-count"' in page and "逾期" in page
    assert f'data-rma="{setup["theirs"].pk}"' not in page
    only_late = client.get("/faults/rma/?overdue=1").content.decode()
    assert f'data-rma="{first.pk}"' not in only_late and f'data-rma="{late.pk}"' in only_late
    login(client, province, "province")
    for i in range(10):
        shipment_create(
            by=None,
            equipment=EquipmentFactory(venue=province.venues[i % 8]),
            carrier="other",
            tracking_number=f"X-{i:06d}",
        )
    with django_assert_max_num_queries(10):
        page = client.get("/faults/rma/").content.decode()
    assert page.count("data-rma=") == 13


def test_spares_page_flags_and_lends(province, setup, client, django_assert_max_num_queries):
    shipment = shipment_create(
        by=None, equipment=setup["here"], carrier="sf", tracking_number="SF1234567890123"
    )
    login(client, province, "county0")
    with django_assert_max_num_queries(12):
        page = client.get("/faults/spares/").content.decode()
    assert f'data-spare="{setup["spare"].pk}" class="below-minimum"' in page
    assert f'data-spare="{setup["their_spare"].pk}"' not in page
    assert "低于最低库存" in page and 'id="below-count"' in page
    assert f'action="/faults/spares/{setup["spare"].pk}/lend/"' in page
    response = client.post(
        f"/faults/spares/{setup['spare'].pk}/lend/", {"shipment": shipment.pk}, follow=True
    )
    assert "已将" in response.content.decode()
    setup["spare"].refresh_from_db()
    assert (setup["spare"].available, setup["spare"].on_loan) == (0, 1)
    page = client.get("/faults/spares/?below=1").content.decode()
    assert f'action="/faults/spares/{setup["spare"].pk}/return/"' in page
    client.post(f"/faults/spares/{setup['spare'].pk}/return/", {"shipment": shipment.pk})
    setup["spare"].refresh_from_db()
    assert (setup["spare"].available, setup["spare"].on_loan) == (1, 0)
    assert client.get("/faults/spares/?kind=camera").content.decode().count("data-spare=") == 0


def test_spare_create(province, setup, client):
    login(client, province, "city0")
    response = client.post(
        "/faults/spares/new/",
        {
            "org_unit": province.cities[0].pk,
            "kind": "camera",
            "model": "宝利通 EagleEye",
            "available": 2,
            "minimum": 1,
        },
    )
    assert response.status_code == 302
    assert Spare.objects.filter(org_unit=province.cities[0], kind="camera").exists()
    again = client.post(
        "/faults/spares/new/",
        {
            "org_unit": province.cities[0].pk,
            "kind": "camera",
            "model": "宝利通 EagleEye",
            "available": 1,
            "minimum": 1,
        },
    )
    assert again.status_code == 422 and "已有同类型同型号" in again.content.decode()


def test_other_scope_is_404_and_readonly_may_not_act(province, setup, client):
    theirs = setup["theirs"]
    login(client, province, "county0")
    assert client.get(f"/faults/rma/{theirs.pk}/").status_code == 404
    assert client.post(f"/faults/rma/{theirs.pk}/step/", {"state": "received"}).status_code == 404
    assert client.post(f"/faults/rma/{theirs.pk}/loaner-return/").status_code == 404
    assert (
        client.post(f"/faults/rma/{theirs.pk}/lend/", {"loaner": setup["spare"].pk}).status_code
        == 404
    )
    assert (
        client.post(
            f"/faults/spares/{setup['their_spare'].pk}/lend/", {"shipment": theirs.pk}
        ).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.state == "shipped" and theirs.loaner is None
    login(client, province, "province", Role.READONLY)
    page = client.get(f"/faults/rma/{theirs.pk}/").content.decode()
    assert "SF9000000000001" in page and 'id="step-form"' not in page
    assert client.post(f"/faults/rma/{theirs.pk}/step/", {"state": "received"}).status_code == 403
    assert client.get("/faults/rma/new/").status_code == 403
