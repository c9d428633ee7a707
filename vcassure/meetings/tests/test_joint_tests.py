"""Joint debugging tests (联调测试): a meeting of kind test, results per venue and round, a failed
venue re-tested in the next round until it passes, a fault for each failure, the matrix page with
its filters and Excel export, and scope."""

import io
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories.meetings import local, published_meeting
from vcassure.accounts.models import Role
from vcassure.faults.models import Fault
from vcassure.meetings.models import TestResult, TestRound

ALL_PASS = {"audio_in": "pass", "audio_out": "pass", "video_in": "pass", "video_out": "pass"}


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def joint_test(province, tomorrow):
    return published_meeting(province, tomorrow, province.venues[:4], kind="test", title="全省联调")


@pytest.fixture
def coordinator(province, api_client_for):
    return api_client_for(province.user("province"))


def test_a_failed_venue_is_retested_in_the_next_round_and_its_fault_opened(
    province, joint_test, coordinator
):
    url = f"/api/meetings/{joint_test.pk}/test-results"
    ok = post(coordinator, url, {"venue": province.venues[0].pk, "round": 1, **ALL_PASS})
    assert ok.status_code == 200 and ok.json()["outcome"] == "pass"
    failed = post(
        coordinator,
        url,
        {
            "venue": province.venues[1].pk,
            "round": 1,
            **ALL_PASS,
            "video_in": "fail",
            "note": "无图像",
        },
    )
    assert failed.status_code == 200, failed.content
    assert failed.json()["outcome"] == "fail" and len(failed.json()["faults"]) == 1
    fault = Fault.objects.get(pk=failed.json()["faults"][0])
    assert (fault.source, fault.severity, fault.venue_id) == (
        "joint_test",
        "minor",
        province.venues[1].pk,
    )
    assert "视频收" in fault.title
    assert TestRound.objects.get(meeting=joint_test, number=2).is_retest
    # Round 2 is only for the venue that failed.
    refused = post(coordinator, url, {"venue": province.venues[0].pk, "round": 2, **ALL_PASS})
    assert refused.status_code == 422 and "不参加第 2 轮" in refused.json()["detail"]
    retest = post(coordinator, url, {"venue": province.venues[1].pk, "round": 2, **ALL_PASS})
    assert retest.json()["outcome"] == "pass"
    assert not TestRound.objects.filter(meeting=joint_test, number=3).exists()
    listing = coordinator.get(url).json()
    assert listing["count"] == 3
    assert Fault.objects.filter(source="joint_test").count() == 1


def test_bad_results_are_refused_and_nothing_is_written(
    province, joint_test, coordinator, tomorrow
):
    url = f"/api/meetings/{joint_test.pk}/test-results"
    no_note = post(
        coordinator, url, {"venue": province.venues[0].pk, **ALL_PASS, "audio_in": "fail"}
    )
    assert no_note.status_code == 422 and "请填写现象说明" in no_note.json()["detail"]
    outside = post(coordinator, url, {"venue": province.venues[6].pk, **ALL_PASS})
    assert outside.status_code == 422
    plain = published_meeting(province, tomorrow, province.venues[:1])
    not_test = post(
        coordinator, f"/api/meetings/{plain.pk}/test-results", {"venue": province.venues[0].pk}
    )
    assert not_test.status_code == 409
    assert not TestResult.objects.exists() and not Fault.objects.exists()


def test_the_venue_person_records_their_own_venue_only(province, joint_test, api_client_for):
    person = api_client_for(province.user("township0", Role.SUPPORT))
    url = f"/api/meetings/{joint_test.pk}/test-results"
    assert post(person, url, {"venue": province.venues[0].pk, **ALL_PASS}).status_code == 200
    assert post(person, url, {"venue": province.venues[1].pk, **ALL_PASS}).status_code in (403, 404)


def test_scope_another_countys_user_gets_404(province, joint_test, api_client_for):
    other = api_client_for(province.user("county3", Role.DISPATCHER))
    url = f"/api/meetings/{joint_test.pk}/test-results"
    assert other.get(url).status_code == 404
    assert post(other, url, {"venue": province.venues[0].pk, **ALL_PASS}).status_code == 404


def test_the_matrix_page_failures_first_filters_and_export(province, joint_test):
    client = Client()
    client.force_login(province.user("province"))
    page_url = reverse("meetings:test_matrix", args=[joint_test.pk])
    v0, v1 = province.venues[0], province.venues[1]
    form = {f"c-{v0.pk}-1-{c}": "pass" for c in ALL_PASS}
    form.update({f"c-{v1.pk}-1-{c}": "pass" for c in ALL_PASS})
    form[f"c-{v1.pk}-1-audio_out"] = "fail"
    form[f"n-{v1.pk}-1"] = "无声音"
    assert client.post(page_url, form).status_code == 302
    page = client.get(page_url).content.decode()
    assert page.index(f'data-venue="{v1.pk}"') < page.index(f'data-venue="{v0.pk}"')
    assert 'data-count="failed">1<' in page and 'data-count="passed">1<' in page
    assert "第 2 轮" in page and f'name="c-{v1.pk}-2-audio_in"' in page
    assert f'name="c-{v0.pk}-2-audio_in"' not in page
    filtered = client.get(page_url, {"unit": province.counties[1].pk}).content.decode()
    assert v0.name not in filtered and province.venues[2].name in filtered
    counts = client.get(reverse("meetings:test_matrix_counts", args=[joint_test.pk]))
    assert 'data-count="failed">1<' in counts.content.decode()
    export = client.get(reverse("meetings:test_matrix_export", args=[joint_test.pk]))
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == v1.name and "不通过" in rows[1]
    other = Client()
    other.force_login(province.user("county3", Role.DISPATCHER))
    assert other.get(page_url).status_code == 404


def test_the_venue_person_enters_their_result_on_the_phone_page(province, joint_test):
    client = Client()
    client.force_login(province.user("township0", Role.SUPPORT))
    page_url = reverse("meetings:test_matrix", args=[joint_test.pk])
    v0 = province.venues[0]
    page = client.get(page_url).content.decode()
    assert f'name="c-{v0.pk}-1-audio_in"' in page and province.venues[1].name not in page
    form = {f"c-{v0.pk}-1-{c}": "pass" for c in ALL_PASS}
    assert client.post(page_url, form).status_code == 302
    assert TestResult.objects.get(venue=v0).outcome == "pass"
    forged = {f"c-{province.venues[1].pk}-1-audio_in": "fail"}
    client.post(page_url, forged)
    assert not TestResult.objects.filter(venue=province.venues[1]).exists()


# --- rounds scheduled ahead by the coordinator: time slots per city ------------------------------


@pytest.fixture
def two_city_test(province, tomorrow):
    """A joint test over venues of both cities (city 0: venues 0-1, city 1: venues 4-5)."""
    venues = [*province.venues[:2], *province.venues[4:6]]
    return published_meeting(province, tomorrow, venues, kind="test", title="两市联调")


def slot(when, start_min, end_min):
    start, _end = when
    return {
        "starts_at": (start + timedelta(minutes=start_min)).isoformat(),
        "ends_at": (start + timedelta(minutes=end_min)).isoformat(),
    }


def test_rounds_are_scheduled_per_city_and_bad_slots_refused(
    province, two_city_test, coordinator, tomorrow
):
    url = f"/api/meetings/{two_city_test.pk}/test-rounds"
    city0, city1 = province.cities
    first = post(coordinator, url, {"city": city0.pk, **slot(tomorrow, 0, 30)})
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["number"], body["city"], body["city_name"]) == (1, city0.pk, city0.name)
    assert body["starts_at"].startswith(tomorrow[0].strftime("%Y-%m-%dT09:00"))
    # Another city may be tested in the same slot.
    second = post(coordinator, url, {"city": city1.pk, **slot(tomorrow, 0, 30)})
    assert second.status_code == 201 and second.json()["number"] == 2
    refusals = [
        ({"city": city0.pk, **slot(tomorrow, 20, 50)}, "与第 1 轮"),
        ({**slot(tomorrow, 10, 20)}, "时段重叠"),  # every venue overlaps both cities' rounds
        ({"city": city0.pk, **slot(tomorrow, 60, 40)}, "结束时间须晚于开始时间"),
        ({"city": city0.pk, **slot(tomorrow, 90, 150)}, "须在联调测试时间内"),
        ({"city": city0.pk, **slot(tomorrow, -30, 10)}, "须在联调测试时间内"),
        ({"city": province.counties[0].pk, **slot(tomorrow, 60, 90)}, "所选城市没有本次联调的会场"),
    ]
    for payload, message in refusals:
        answer = post(coordinator, url, payload)
        assert answer.status_code == 422, (payload, answer.content)
        assert message in answer.json()["detail"], answer.json()
    assert TestRound.objects.filter(meeting=two_city_test).count() == 2
    # Back to back is not an overlap; a round for every venue in a free slot is fine.
    third = post(coordinator, url, slot(tomorrow, 30, 60))
    assert third.status_code == 201 and third.json()["city"] is None
    listing = coordinator.get(url).json()
    assert listing["count"] == 3
    assert [r["city_name"] for r in listing["items"]] == [city0.name, city1.name, ""]


def test_a_scheduled_round_is_used_for_the_retest(province, two_city_test, coordinator, tomorrow):
    rounds = f"/api/meetings/{two_city_test.pk}/test-rounds"
    assert post(coordinator, rounds, slot(tomorrow, 0, 30)).status_code == 201
    assert post(coordinator, rounds, slot(tomorrow, 60, 90)).status_code == 201
    results = f"/api/meetings/{two_city_test.pk}/test-results"
    failed = {"venue": province.venues[0].pk, **ALL_PASS, "audio_in": "fail", "note": "无声"}
    assert post(coordinator, results, failed).status_code == 200
    assert TestRound.objects.filter(meeting=two_city_test).count() == 2
    retest = post(coordinator, results, {"venue": province.venues[0].pk, "round": 2, **ALL_PASS})
    assert retest.status_code == 200 and retest.json()["outcome"] == "pass"


def test_only_the_owner_schedules_rounds_and_other_scopes_get_404(
    province, two_city_test, api_client_for, tomorrow
):
    url = f"/api/meetings/{two_city_test.pk}/test-rounds"
    payload = slot(tomorrow, 0, 30)
    # city 0's dispatcher sees the province's joint test (its venues are there) but does not own it.
    city_dispatcher = api_client_for(province.user("city0", Role.DISPATCHER))
    assert city_dispatcher.get(url).status_code == 200
    assert post(city_dispatcher, url, payload).status_code == 403
    readonly = api_client_for(province.user("province", Role.READONLY))
    assert post(readonly, url, payload).status_code == 403
    support = api_client_for(province.user("township0", Role.SUPPORT))
    assert post(support, url, payload).status_code == 403
    # county 3 (city 1's second county) has none of its venues: the meeting does not exist for it.
    outsider = api_client_for(province.user("county3", Role.DISPATCHER))
    assert outsider.get(url).status_code == 404
    assert post(outsider, url, payload).status_code == 404
    assert not TestRound.objects.exists()


def test_rounds_only_for_a_joint_test(province, coordinator, tomorrow):
    plain = published_meeting(province, tomorrow, province.venues[:2])
    answer = post(coordinator, f"/api/meetings/{plain.pk}/test-rounds", slot(tomorrow, 0, 30))
    assert answer.status_code == 409 and "只有联调测试" in answer.json()["detail"]


def form_slot(when, start_min, end_min, city=None):
    start, _end = when
    data = {
        "round-starts_at": local(start + timedelta(minutes=start_min)),
        "round-ends_at": local(start + timedelta(minutes=end_min)),
    }
    if city is not None:
        data["round-city"] = str(city.pk)
    return data


def test_the_matrix_page_adds_rounds_and_lists_their_slots(province, two_city_test, tomorrow):
    client = Client()
    client.force_login(province.user("province"))
    page_url = reverse("meetings:test_matrix", args=[two_city_test.pk])
    add_url = reverse("meetings:test_round_create", args=[two_city_test.pk])
    city0, city1 = province.cities
    page = client.get(page_url).content.decode()
    assert 'id="round-form"' in page
    # The city choices are the meeting's cities, nothing else.
    assert f'<option value="{city0.pk}">{city0.name}</option>' in page
    assert f'<option value="{city1.pk}">{city1.name}</option>' in page
    assert province.counties[0].name not in page.split('id="round-form"')[1].split("</form>")[0]
    added = client.post(add_url, form_slot(tomorrow, 0, 30, city0))
    assert added.status_code == 302 and added["Location"] == page_url
    page = client.get(page_url).content.decode()
    rounds = page.split('id="test-rounds"')[1].split("</ul>")[0]
    start = tomorrow[0]
    assert "第 1 轮" in rounds and city0.name in rounds
    assert f"{start:%m-%d} 09:00–09:30" in rounds
    assert "已安排第 1 轮" in page
    overlap = client.post(add_url, form_slot(tomorrow, 15, 45, city0))
    assert overlap.status_code == 422
    text = overlap.content.decode()
    assert "与第 1 轮" in text and "时段重叠" in text
    backwards = client.post(add_url, form_slot(tomorrow, 50, 40))
    assert backwards.status_code == 422 and "结束时间须晚于开始时间" in backwards.content.decode()
    outside = client.post(add_url, form_slot(tomorrow, 100, 200, city1))
    assert outside.status_code == 422 and "须在联调测试时间内" in outside.content.decode()
    empty = client.post(add_url, {})
    assert empty.status_code == 422 and 'id="round-form"' in empty.content.decode()
    assert TestRound.objects.filter(meeting=two_city_test).count() == 1


def test_the_round_form_is_the_owners_only(province, two_city_test, tomorrow):
    add_url = reverse("meetings:test_round_create", args=[two_city_test.pk])
    page_url = reverse("meetings:test_matrix", args=[two_city_test.pk])
    city = Client()
    city.force_login(province.user("city0", Role.DISPATCHER))
    page = city.get(page_url)
    assert page.status_code == 200 and 'id="round-form"' not in page.content.decode()
    refused = city.post(add_url, form_slot(tomorrow, 0, 30))
    assert refused.status_code == 403 and "不能修改" in refused.content.decode()
    outsider = Client()
    outsider.force_login(province.user("county3", Role.DISPATCHER))
    assert outsider.post(add_url, form_slot(tomorrow, 0, 30)).status_code == 404
    assert not TestRound.objects.exists()


def test_a_citys_round_tests_that_citys_venues_and_its_retest_follows(
    province, two_city_test, coordinator, tomorrow
):
    rounds = f"/api/meetings/{two_city_test.pk}/test-rounds"
    results = f"/api/meetings/{two_city_test.pk}/test-results"
    city0, city1 = province.cities
    v0, v4 = province.venues[0], province.venues[4]  # city 0's, city 1's
    assert post(coordinator, rounds, {"city": city0.pk, **slot(tomorrow, 0, 30)}).status_code == 201
    assert post(coordinator, rounds, {"city": city1.pk, **slot(tomorrow, 0, 30)}).status_code == 201
    wrong = post(coordinator, results, {"venue": v4.pk, "round": 1, **ALL_PASS})
    assert wrong.status_code == 422
    assert f"不参加第 1 轮：该轮只测{city0.name}的会场" in wrong.json()["detail"]
    assert post(coordinator, results, {"venue": v4.pk, "round": 2, **ALL_PASS}).status_code == 200
    failed = {"venue": v0.pk, "round": 1, **ALL_PASS, "video_out": "fail", "note": "无图像"}
    assert post(coordinator, results, failed).status_code == 200
    # City 0's venue is re-tested in a new round of its own city, not in city 1's round 2.
    retest = TestRound.objects.get(meeting=two_city_test, number=3)
    assert (retest.city_id, retest.is_retest) == (city0.pk, True)
    assert post(coordinator, results, {"venue": v0.pk, "round": 2, **ALL_PASS}).status_code == 422
    client = Client()
    client.force_login(province.user("province"))
    page = client.get(reverse("meetings:test_matrix", args=[two_city_test.pk])).content.decode()
    assert f'name="c-{v0.pk}-3-audio_in"' in page and f'name="c-{v0.pk}-2-audio_in"' not in page
    assert f'name="c-{v4.pk}-1-audio_in"' not in page
    assert post(coordinator, results, {"venue": v0.pk, "round": 3, **ALL_PASS}).status_code == 200
