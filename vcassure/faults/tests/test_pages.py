"""The fault pages: the network operations queue (active first by deadline, filters, counts that
refresh by htmx), the fault page's actions, the assignee's phone page (plain form posts), the
96311 hotline form, the integrator's guidance log with a photo and the message to the integrator."""

from datetime import timedelta

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories.checklists import image_bytes
from tests.factories.venues import EquipmentFactory
from vcassure.accounts.models import Role
from vcassure.core import clock
from vcassure.faults.models import Fault, FaultEvent
from vcassure.faults.services import fault_open, fault_restore
from vcassure.notifications.models import Delivery
from vcassure.orgs.models import Staff
from vcassure.venues.models import Integrator


def opened(province, venue=0, severity="major", title=None):
    return fault_open(
        title=title or f"镇{venue}终端黑屏",
        source=Fault.Source.HOTLINE,
        org_unit=province.venues[venue].org_unit,
        venue=province.venues[venue],
        severity=severity,
        by=province.user("province"),
    )


def login(client, province, key, role=Role.SUPPORT):
    client.force_login(province.user(key, role))
    return client


def test_queue_orders_by_deadline_filters_and_counts(province, client):
    minor = opened(province, 0, "minor", "一般故障")
    critical = opened(province, 1, "critical", "紧急故障")
    done = opened(province, 2, "critical", "已恢复故障")
    fault_restore(done, by=None)
    opened(province, 4, "critical", "另一市故障")
    login(client, province, "city0")
    page = client.get("/faults/").content.decode()
    assert page.index("紧急故障") < page.index("一般故障") and "已恢复故障" not in page
    assert "另一市故障" not in page
    everything = client.get("/faults/?state=").content.decode()
    assert everything.index("一般故障") < everything.index("已恢复故障")  # done ones last
    only = client.get("/faults/?severity=minor").content.decode()
    assert "一般故障" in only and "紧急故障" not in only
    county1 = client.get(f"/faults/?org_unit={province.counties[1].pk}").content.decode()
    assert "已恢复故障" not in county1 and "一般故障" not in county1
    counts = client.get("/faults/?part=counts", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="fault-counts"' in counts and "<html" not in counts and 'hx-trigger="every' in counts
    assert minor.pk and critical.pk


def test_fault_page_actions(province, client):
    fault = opened(province)
    login(client, province, "city0")
    page = client.get(f"/faults/{fault.pk}/").content.decode()
    assert 'id="ack-button"' in page and 'id="assign-form"' in page and "受理时限" in page
    engineer = Staff.objects.filter(
        department__kind="tech_maintenance", org_unit=province.counties[0]
    ).first()
    assert engineer.name in page
    assert (
        Staff.objects.filter(department__kind="tech_maintenance", org_unit=province.counties[2])
        .first()
        .name
        not in page
    )  # the staff picker shows only who may be sent
    assert client.post(f"/faults/{fault.pk}/acknowledge/").status_code == 302
    assert client.post(f"/faults/{fault.pk}/assign/", {"assignee": ""}).status_code == 422
    assert client.post(f"/faults/{fault.pk}/assign/", {"assignee": engineer.pk}).status_code == 302
    page = client.get(f"/faults/{fault.pk}/").content.decode()
    assert "已派单" in page and engineer.name in page and "手机处理页" in page
    refused = client.post(f"/faults/{fault.pk}/close/")
    assert refused.status_code == 409 and 'id="fault-error"' in refused.content.decode()
    assert client.post(f"/faults/{fault.pk}/restore/", {"note": "远程重启"}).status_code == 302
    assert client.post(f"/faults/{fault.pk}/reopen/", {"reason": ""}).status_code == 422
    assert client.post(f"/faults/{fault.pk}/reopen/", {"reason": "复发"}).status_code == 302
    fault.refresh_from_db()
    assert fault.state == "open"
    login(client, province, "city1")
    assert client.get(f"/faults/{fault.pk}/").status_code == 404
    assert client.post(f"/faults/{fault.pk}/acknowledge/").status_code == 404


def test_phone_page_on_site_then_restored_without_script(province, client):
    fault = opened(province)
    engineer_user = province.user("county0", Role.SUPPORT)
    from vcassure.faults.services import fault_assign

    fault_assign(fault, by=province.user("city0"), assignee=engineer_user.staff_profile)
    login(client, province, "county0")
    page = client.get(f"/faults/{fault.pk}/phone/").content.decode()
    assert (
        'id="on-site-form"' in page and "我已到场" in page and 'name="from" value="phone"' in page
    )
    response = client.post(f"/faults/{fault.pk}/on-site/", {"from": "phone"})
    assert response.status_code == 302 and response["Location"] == f"/faults/{fault.pk}/phone/"
    page = client.get(response["Location"]).content.decode()
    assert 'id="on-site-form"' not in page and 'id="restore-form"' in page
    response = client.post(f"/faults/{fault.pk}/restore/", {"from": "phone", "note": "换线"})
    assert response.status_code == 302
    assert 'id="fault-done"' in client.get(response["Location"]).content.decode()
    again = client.post(f"/faults/{fault.pk}/restore/", {"from": "phone"})
    assert again.status_code == 409 and 'id="fault-error"' in again.content.decode()
    fault.refresh_from_db()
    assert fault.state == "restored" and fault.on_site_at and fault.restored_at


def test_hotline_form_opens_a_fault(province, client, settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"  # rows only
    login(client, province, "city0", Role.DISPATCHER)
    assert 'id="hotline-link"' in client.get("/notifications/desk/").content.decode()
    venue = province.venues[1]
    search = client.get(f"/faults/hotline/?part=venues&q={venue.code}", HTTP_HX_REQUEST="true")
    assert venue.name in search.content.decode() and "<html" not in search.content.decode()
    bad = client.post(
        "/faults/hotline/",
        {"caller": "张三", "number": "abc", "venue": province.venues[4].pk, "symptom": "黑屏"},
    )
    text = bad.content.decode()
    assert bad.status_code == 422 and "有效的电话号码" in text and "不在您的管理范围内" in text
    assert not Fault.objects.exists()
    response = client.post(
        "/faults/hotline/",
        {
            "caller": "张三",
            "number": "0571-8888 1234",
            "venue": venue.pk,
            "symptom": "终端无图像",
            "severity": "critical",
        },
    )
    fault = Fault.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/faults/{fault.pk}/"
    assert fault.source == "hotline" and fault.venue == venue and fault.severity == "critical"
    assert "张三" in fault.description and fault.assigned_department.kind == "network_ops"
    assert Delivery.objects.filter(topic=f"fault:{fault.pk}", group__isnull=False).count() == 2
    login(client, province, "township0")
    assert client.get("/faults/hotline/").status_code == 403


def test_integrator_guidance_and_message(province, client, settings, fake_sms):
    integrator = Integrator.objects.create(
        name="华信集成", contact_name="李工", contact_phone="13900000001", email="li@example.com"
    )
    EquipmentFactory(
        venue=province.venues[0], kind="terminal", model="HDX-9000", integrator=integrator
    )
    fault = opened(province)
    login(client, province, "city0")
    page = client.get(f"/faults/{fault.pk}/").content.decode()
    assert "华信集成" in page and "李工" in page and "13900000001" in page and "HDX-9000" in page
    bad = client.post(
        f"/faults/{fault.pk}/guidance/",
        {"note": "重启编解码器", "photo": SimpleUploadedFile("x.png", b"not an image")},
    )
    assert bad.status_code == 422 and not fault.events.filter(kind="guidance").exists()
    ok = client.post(
        f"/faults/{fault.pk}/guidance/",
        {
            "note": "重启编解码器后恢复",
            "advisor": "李工",
            "photo": SimpleUploadedFile("s.png", image_bytes(), content_type="image/png"),
        },
    )
    assert ok.status_code == 302
    event = FaultEvent.objects.get(fault=fault, kind="guidance")
    assert event.advisor == "李工" and event.photo_content_type == "image/png"
    served = client.get(f"/faults/{fault.pk}/guidance/{event.pk}/photo/")
    assert served.status_code == 200 and b"".join(served.streaming_content) == image_bytes()
    sent = client.post(
        f"/faults/{fault.pk}/notify-integrator/",
        {"integrator": integrator.pk, "channel": "sms", "message": "请远程协助"},
    )
    assert sent.status_code == 302
    delivery = Delivery.objects.get(topic=f"fault:{fault.pk}", channel="sms", notification=None)
    assert delivery.payload["recipient"]["mobile"] == "13900000001"
    from vcassure.notifications import outbox

    outbox.outbox_drain()
    assert any(
        m["mobile"] == "13900000001" and "请远程协助" in m["content"] for m in fake_sms.messages
    )
    login(client, province, "city1")
    assert client.get(f"/faults/{fault.pk}/guidance/{event.pk}/photo/").status_code == 404


def test_venue_clock_on_the_phone_page_counts_down(province, client):
    fault = opened(province, severity="critical")
    login(client, province, "city0")
    with time_machine.travel(clock.now() + timedelta(minutes=70), tick=False):
        page = client.get(f"/faults/{fault.pk}/phone/").content.decode()
    assert "已超时" in page


def test_queue_marks_a_missed_deadline(province, client):
    fault = opened(province, severity="critical")
    with time_machine.travel(fault.ack_due_at + timedelta(minutes=1), tick=False):
        login(client, province, "city0")
        page = client.get("/faults/").content.decode()
    row = page[page.index(f'data-fault="{fault.pk}"') :][:1500]
    assert "已超时" in row
