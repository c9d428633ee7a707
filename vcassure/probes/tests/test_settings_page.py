"""A device's probe settings page: reached from its venue, for administrators and the technical
people of the device's city or county; secrets write-only; saved through probe_target_save with an
audit row; "立即探测" probes that one device (a real TCP listener on 127.0.0.1) and shows it in the
history. Another scope's device is a 404; a role that may not is a 403."""

import socket

import pytest
from django.urls import reverse

from tests.factories.venues import EquipmentFactory
from vcassure.accounts.models import Role
from vcassure.core.models import AuditEvent
from vcassure.probes import crypto
from vcassure.probes.models import ProbeResult, ProbeTarget
from vcassure.probes.services import probe_target_save


@pytest.fixture
def device(province):
    """The terminal of township 0's venue (county 0, city 0), with SNMPv3 settings saved."""
    equipment = EquipmentFactory(
        venue=province.venues[0], kind="terminal", management_ip="127.0.0.1"
    )
    probe_target_save(
        equipment=equipment,
        method="snmp",
        snmp_version="v3",
        snmp_user="probe",
        auth_protocol="sha",
        auth_key="auth-secret-1",
        priv_protocol="aes",
        priv_key="priv-secret-1",
        uplink_if_index=3,
    )
    return equipment


def url(equipment, name="probes:probe_settings"):
    return reverse(name, args=[equipment.pk])


FORM = {
    "method": "snmp",
    "port": "",
    "snmp_version": "v3",
    "snmp_user": "probe",
    "auth_protocol": "sha",
    "priv_protocol": "aes",
    "uplink_if_index": "3",
    "is_active": "on",
}


def test_the_venue_page_links_its_terminal_to_the_probe_settings(client, province, device):
    client.force_login(province.user("county0", Role.SUPPORT))
    page = client.get(reverse("venues:venue_detail", args=[device.venue_id])).content.decode()
    assert url(device) in page
    client.force_login(province.user("province", Role.READONLY))
    page = client.get(reverse("venues:venue_detail", args=[device.venue_id])).content.decode()
    assert url(device) not in page


def test_secrets_are_never_shown_back_and_blank_keeps_them(client, province, device):
    client.force_login(province.user("county0", Role.SUPPORT))
    page = client.get(url(device)).content.decode()
    assert "已设置" in page
    assert "auth-secret-1" not in page and "priv-secret-1" not in page
    target = ProbeTarget.objects.get(equipment=device)
    assert target.auth_key_encrypted not in page

    # Blank secrets keep the stored ones; another setting changes.
    response = client.post(url(device), {**FORM, "uplink_if_index": "7"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.uplink_if_index == 7
    assert crypto.decrypt(target.auth_key_encrypted) == "auth-secret-1"
    assert crypto.decrypt(target.priv_key_encrypted) == "priv-secret-1"
    audit = AuditEvent.objects.filter(action="probe_target.update").latest("id")
    assert audit.changes == {"uplink_if_index": [3, 7]}
    assert audit.actor_id == province.user("county0", Role.SUPPORT).pk

    # A typed secret replaces the stored one; the audit says it was set, never what it is.
    client.post(url(device), {**FORM, "uplink_if_index": "7", "auth_key": "auth-secret-2"})
    target.refresh_from_db()
    assert crypto.decrypt(target.auth_key_encrypted) == "auth-secret-2"
    assert crypto.decrypt(target.priv_key_encrypted) == "priv-secret-1"
    audit = AuditEvent.objects.filter(action="probe_target.update").latest("id")
    assert audit.changes == {"auth_key": "set"}
    assert "auth-secret-2" not in str(audit.changes)


def test_invalid_settings_are_refused_in_chinese_and_nothing_changes(client, province, device):
    client.force_login(province.user("city0", Role.SUPPORT))
    response = client.post(url(device), {**FORM, "method": "tcp", "snmp_version": ""})
    assert response.status_code == 400
    assert "TCP 探测需要端口。" in response.content.decode()
    response = client.post(url(device), {**FORM, "port": "70000"})
    assert response.status_code == 400
    assert "确保该值小于或等于65535。" in response.content.decode()
    response = client.post(url(device), {**FORM, "snmp_user": ""})
    assert "SNMPv3 需要用户名。" in response.content.decode()
    assert ProbeTarget.objects.get(equipment=device).method == "snmp"


def test_another_scopes_device_is_not_found_and_other_roles_are_refused(
    client, province, device, listener
):
    client.force_login(province.user("county1", Role.SUPPORT))  # the neighbouring county
    assert client.get(url(device)).status_code == 404
    assert client.post(url(device), FORM).status_code == 404
    assert client.post(url(device, "probes:probe_run_now")).status_code == 404
    client.force_login(province.user("city1", Role.MANAGER))  # the other city
    assert client.get(url(device)).status_code == 404
    client.force_login(province.user("township0", Role.SUPPORT))  # in scope, not technical
    assert client.get(url(device)).status_code == 403
    client.force_login(province.user("province", Role.READONLY))
    assert client.post(url(device, "probes:probe_run_now")).status_code == 403
    assert ProbeResult.objects.count() == 0
    assert ProbeTarget.objects.get(equipment=device).uplink_if_index == 3


def test_probe_now_probes_just_that_device_and_shows_its_history(
    client, province, device, listener, settings
):
    settings.PROBE_TIMEOUT = 1.0
    other = EquipmentFactory(venue=province.venues[0], kind="switch", management_ip="127.0.0.1")
    client.force_login(province.user("province", Role.ADMIN))
    client.post(url(device), {**FORM, "method": "tcp", "port": str(listener)})

    response = client.post(url(device, "probes:probe_run_now"), follow=True)
    page = response.content.decode()
    assert "探测正常(TCP 连接)" in page
    [result] = ProbeResult.objects.all()
    assert (result.equipment_id, result.ok, result.method) == (device.pk, True, "tcp")
    assert not ProbeResult.objects.filter(equipment=other).exists()

    # The listener goes away: the next probe is refused, and both are in the history.
    with socket.socket() as probe_port:
        probe_port.bind(("127.0.0.1", 0))
        closed = probe_port.getsockname()[1]
    client.post(url(device), {**FORM, "method": "tcp", "port": str(closed)})
    page = client.post(url(device, "probes:probe_run_now"), follow=True).content.decode()
    assert "探测失败(TCP 连接)：端口拒绝连接" in page
    assert page.count('class="badge ok">正常') >= 1
    assert list(ProbeResult.objects.values_list("ok", flat=True)) == [False, True]
    assert AuditEvent.objects.filter(action="probe.run_now", object_id=str(device.pk)).count() == 2


def test_probe_now_sends_nothing_outside_the_allowed_networks(client, province, settings):
    outside = EquipmentFactory(
        venue=province.venues[0], kind="terminal", management_ip="192.0.2.10"
    )
    client.force_login(province.user("province", Role.ADMIN))
    page = client.post(url(outside, "probes:probe_run_now"), follow=True).content.decode()
    assert "不在允许探测的网段内" in page
    assert not ProbeResult.objects.exists()
