"""Readiness probes of a meeting (C13): the T−60 notice, the single fault at T−30, the API, the
webhook event and the dashboard's machine state. Every probe goes to 127.0.0.1."""

import socket
from datetime import timedelta

import pytest
import time_machine

from tests.factories.meetings import make_meeting, publish
from tests.factories.venues import EquipmentFactory
from vcassure.accounts.models import Role
from vcassure.faults.models import Fault
from vcassure.integrations.models import WebhookDelivery, WebhookSubscription
from vcassure.meetings.services.probes import meeting_probes_sweep
from vcassure.notifications.models import Notification
from vcassure.orgs.models import Staff
from vcassure.probes.models import ProbeResult
from vcassure.probes.services import probe_target_save


@pytest.fixture
def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def terminal(venue, port, kind="terminal"):
    equipment = EquipmentFactory(venue=venue, kind=kind, management_ip="127.0.0.1")
    probe_target_save(equipment=equipment, method="tcp", port=port)
    return equipment


@pytest.fixture
def probed(province, tomorrow, listener, closed_port, settings):
    """A published meeting of two venues: venue 0's terminal and switch refuse connections,
    venue 1's terminal answers."""
    settings.PROBE_TIMEOUT = 1.0
    meeting = publish(province, make_meeting(province, tomorrow, province.venues[:2]))
    bad = [
        terminal(province.venues[0], closed_port),
        terminal(province.venues[0], closed_port, "switch"),
    ]
    good = terminal(province.venues[1], listener)
    WebhookSubscription.objects.create(
        url="http://127.0.0.1:9/hooks", secret="whsec_" + "A" * 32, events=["probe.failed"]
    )
    return meeting, bad, good


def probe_notices(meeting):
    return Notification.objects.filter(
        topic=f"meeting:{meeting.pk}", kind=Notification.Kind.INFO, title__startswith="设备探测异常"
    )


def test_t60_notifies_once_per_person_and_t30_opens_one_fault_per_device(probed, province):
    meeting, bad, good = probed
    start = meeting.starts_at
    with time_machine.travel(start - timedelta(minutes=61), tick=False):
        assert meeting_probes_sweep()["rounds"] == 0
    with time_machine.travel(start - timedelta(minutes=60), tick=False):
        assert meeting_probes_sweep() == {"rounds": 1, "faults": 0, "notices": 7}
    notices = list(probe_notices(meeting).select_related("recipient"))
    recipients = [n.recipient for n in notices]
    # One digest per person: the venue's person and the county's technical maintenance staff.
    assert len({r.pk for r in recipients}) == len(recipients) == 7
    venue_person = province.venues[0].primary_staff
    assert venue_person in recipients
    county = province.counties[0]
    maintainers = set(
        Staff.objects.filter(department__org_unit=county, department__kind="tech_maintenance")
    )
    assert set(recipients) - {venue_person} == maintainers
    mine = next(n for n in notices if n.recipient == venue_person)
    assert "视频终端" in mine.body and "接入交换机" in mine.body  # both devices, one message
    assert province.venues[1].name not in mine.body
    assert not Fault.objects.exists()
    assert WebhookDelivery.objects.filter(event_type="probe.failed").count() == 2

    with time_machine.travel(start - timedelta(minutes=45), tick=False):
        assert meeting_probes_sweep()["rounds"] == 0  # T−60 runs once
    with time_machine.travel(start - timedelta(minutes=30), tick=False):
        assert meeting_probes_sweep()["faults"] == 2
    with time_machine.travel(start - timedelta(minutes=29), tick=False):
        assert meeting_probes_sweep()["rounds"] == 0
    with time_machine.travel(start - timedelta(minutes=10), tick=False):
        assert meeting_probes_sweep()["rounds"] == 0
    faults = Fault.objects.order_by("id")
    assert faults.count() == 2  # one per failing device, once
    assert {f.source for f in faults} == {"probe"}
    assert {f.severity for f in faults} == {"critical"}
    assert {f.venue_id for f in faults} == {province.venues[0].pk}
    assert probe_notices(meeting).count() == 7  # T−30 notifies no one again
    assert ProbeResult.objects.filter(equipment=good, ok=True).count() == 2


def test_probes_api_latest_per_device_and_scope(probed, province, api_client_for):
    meeting, bad, good = probed
    api = api_client_for(province.user("province"))
    response = api.post(f"/api/meetings/{meeting.pk}/probes")
    assert response.status_code == 202
    assert response.json() == {"queued": True, "devices": 3}
    with time_machine.travel(meeting.starts_at - timedelta(minutes=60), tick=False):
        meeting_probes_sweep()
    with time_machine.travel(meeting.starts_at - timedelta(minutes=30), tick=False):
        meeting_probes_sweep()
    body = api.get(f"/api/meetings/{meeting.pk}/probes").json()
    assert body["count"] == 3  # the latest of each device, not the history
    rows = {row["equipment"]: row for row in body["items"]}
    assert set(rows[good.pk]) == {
        "venue",
        "equipment",
        "method",
        "ok",
        "rtt_ms",
        "checked_at",
        "error",
    }
    assert rows[good.pk]["ok"] is True and rows[good.pk]["venue"] == province.venues[1].pk
    assert rows[bad[0].pk]["ok"] is False and rows[bad[0].pk]["error"] == "connection refused"
    assert rows[bad[0].pk]["method"] == "tcp"
    # A county of the other city sees none of these venues; another scope's meeting is a 404.
    other = api_client_for(province.user("county3", Role.DISPATCHER))
    assert other.get(f"/api/meetings/{meeting.pk}/probes").status_code == 404


def test_credentials_are_stored_encrypted(province):
    equipment = EquipmentFactory(venue=province.venues[0], kind="switch", management_ip="127.0.0.1")
    target = probe_target_save(
        equipment=equipment,
        method="snmp",
        port=161,
        snmp_version="v3",
        snmp_user="ops",
        auth_protocol="sha",
        auth_key="s3cret-auth",
        priv_protocol="aes",
        priv_key="s3cret-priv",
    )
    target.refresh_from_db()
    assert "s3cret" not in target.auth_key_encrypted + target.priv_key_encrypted
    from vcassure.probes.services import spec_of

    equipment.refresh_from_db()
    spec = spec_of(equipment)
    assert (spec.auth_key, spec.priv_key) == ("s3cret-auth", "s3cret-priv")
    assert "s3cret" not in repr(spec)


def test_dashboard_shows_machine_state_beside_people(probed, province, client):
    meeting, bad, good = probed
    with time_machine.travel(meeting.starts_at - timedelta(minutes=60), tick=False):
        meeting_probes_sweep()
        client.force_login(province.user("province"))
        page = client.get(f"/meetings/{meeting.pk}/dashboard/").content.decode()
    # The tile and the roll-up count the venue with devices down (one venue, its two devices).
    assert (
        'data-state="machine_down"><div class="label">设备异常</div><div class="num">1</div>'
        in page
    )
    assert 'data-machine="terminal_refused"' in page and "终端不可达" in page
    assert 'data-machine="switch_refused"' in page and "交换机不可达" in page
    assert 'data-machine="1"' in page  # city 0's row


def _machine_down(client, meeting, province) -> int:
    client.force_login(province.user("province"))  # a session of the travelled-to moment
    board = client.get(f"/meetings/{meeting.pk}/dashboard/").context["board"]
    return board.rollup.machine_down


def test_dashboard_machine_state_follows_repairs_and_device_changes(
    probed, province, client, listener
):
    """A venue's "device down" moves with a failing device taken to another venue, and goes away
    when its devices answer again."""
    meeting, bad, good = probed
    with time_machine.travel(meeting.starts_at - timedelta(minutes=60), tick=False):
        meeting_probes_sweep()
        assert _machine_down(client, meeting, province) == 1
        bad[1].delete()  # the switch is taken away: the terminal still fails
        assert _machine_down(client, meeting, province) == 1
        bad[0].venue = province.venues[1]  # the failing terminal is moved to venue 1
        bad[0].save()
        assert _machine_down(client, meeting, province) == 1
        rows = client.get(f"/meetings/{meeting.pk}/dashboard/").context["board"].attention
        machine = {row["task"].venue_id: row["machine"] for row in rows}
        assert machine[province.venues[1].pk] and not machine[province.venues[0].pk]
        probe_target_save(equipment=bad[0], method="tcp", port=listener)  # repaired
    with time_machine.travel(meeting.starts_at - timedelta(minutes=30), tick=False):
        meeting_probes_sweep()
        assert _machine_down(client, meeting, province) == 0


@pytest.mark.parametrize("later", ["devices_removed", "three_hours_on"])
def test_venue_down_clears_without_a_new_probe(probed, province, client, later):
    """Venue 0's two devices failed at T-60. Removing them clears the venue; so does time: a
    failure older than three hours says nothing about today's meeting."""
    meeting, bad, good = probed
    with time_machine.travel(meeting.starts_at - timedelta(minutes=60), tick=False):
        meeting_probes_sweep()
        assert _machine_down(client, meeting, province) == 1
        if later == "devices_removed":
            for device in bad:
                device.delete()
            assert _machine_down(client, meeting, province) == 0
    if later == "three_hours_on":
        with time_machine.travel(meeting.starts_at + timedelta(hours=2, minutes=1), tick=False):
            assert _machine_down(client, meeting, province) == 0


def test_dashboard_button_probes_now(probed, province, client):
    meeting, bad, good = probed
    client.force_login(province.user("province"))
    page = client.get(f"/meetings/{meeting.pk}/dashboard/").content.decode()
    assert 'id="probe-now"' in page
    response = client.post(f"/meetings/{meeting.pk}/probes/", follow=True)
    assert "已发起设备探测（3 台设备）" in response.content.decode()
    reader = province.user("province", Role.READONLY)
    client.force_login(reader)
    assert client.post(f"/meetings/{meeting.pk}/probes/").status_code == 403


def test_devices_outside_the_allowed_networks_are_never_probed(probed, province, settings):
    meeting, bad, good = probed
    far = EquipmentFactory(venue=province.venues[1], kind="terminal", management_ip="10.64.0.10")
    settings.PROBE_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    with time_machine.travel(meeting.starts_at - timedelta(minutes=60), tick=False):
        meeting_probes_sweep()
    assert not ProbeResult.objects.filter(equipment=far).exists()
    assert ProbeResult.objects.filter(equipment=good).exists()


def test_admin_never_shows_the_secret_back(province, client):
    from vcassure.probes.models import ProbeTarget

    equipment = EquipmentFactory(venue=province.venues[0], kind="switch", management_ip="127.0.0.1")
    admin = province.user("province", Role.ADMIN)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    response = client.post(
        "/admin/probes/probetarget/add/",
        {
            "equipment": equipment.pk,
            "method": "snmp",
            "port": "161",
            "snmp_version": "v2c",
            "community": "very-secret-ro",
            "is_active": "on",
            "snmp_user": "",
            "auth_protocol": "",
            "priv_protocol": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    target = ProbeTarget.objects.get(equipment=equipment)
    assert "very-secret-ro" not in target.community_encrypted
    page = client.get(f"/admin/probes/probetarget/{target.pk}/change/").content.decode()
    listing = client.get("/admin/probes/probetarget/").content.decode()
    assert "very-secret-ro" not in page + listing
    assert "••••••" in listing
