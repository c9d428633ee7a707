"""Joint debugging tests (联调测试): a meeting of kind test, results per venue and round, a failed
venue re-tested in the next round until it passes, a fault for each failure, the matrix page with
its filters and Excel export, and scope."""

import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories.meetings import published_meeting
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
