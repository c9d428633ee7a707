"""The readable error pages (403, 404, 410, 500) under DEBUG on and off alike: Chinese by default,
English when chosen, with the way back (my tasks, 96311); the API keeps its JSON errors."""

import pytest
from django.test import Client

CODES = (403, 404, 410, 500)


@pytest.fixture
def failing(settings, tree):
    settings.ROOT_URLCONF = "tests.error_urls"
    client = Client(raise_request_exception=False)
    client.force_login(tree.user("county0"))
    return client


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("code", CODES)
def test_each_error_page_in_chinese_with_a_way_back(failing, settings, debug, code):
    settings.DEBUG = debug
    page = failing.get(f"/__fail/{code}/")
    assert page.status_code == code
    text = page.content.decode()
    assert "/meetings/tasks/mine/" in text and 'href="tel:96311"' in text, text[:400]
    assert "Traceback" not in text and "DEBUG = True" not in text
    title = {403: "无权访问", 404: "页面不存在", 410: "内容已失效", 500: "系统暂时出错"}[code]
    assert title in text
    if code == 403:
        assert "只有调度员可以执行此操作。" in text
    if code == 404:
        assert "No SupportTask" not in text


@pytest.mark.parametrize("debug", [False, True])
def test_a_path_nothing_matches_is_the_readable_404(failing, settings, debug):
    settings.DEBUG = debug
    page = failing.get("/no/such/page/")
    assert page.status_code == 404 and "页面不存在" in page.content.decode()
    assert "Using the URLconf" not in page.content.decode()


@pytest.mark.parametrize("debug", [False, True])
def test_english_when_chosen(failing, settings, debug):
    settings.DEBUG = debug
    failing.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for code in CODES:
        text = failing.get(f"/__fail/{code}/").content.decode()
        assert "96311" in text and "页面不存在" not in text and "系统暂时出错" not in text, code


@pytest.mark.parametrize("debug", [False, True])
def test_the_api_keeps_json_errors(failing, settings, debug):
    settings.DEBUG = debug
    missing = failing.get("/api/no-such-endpoint")
    assert missing.status_code == 404 and missing.json()["detail"]
    assert failing.get("/api/meetings/999999").json()["detail"]
