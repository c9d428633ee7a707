"""Error pages a person meets (DEBUG off): in Chinese, inside the platform's frame, saying what to
do next; the 500 page stands alone (it may not touch the database) and names the desk's number."""

from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.views.defaults import server_error


def test_a_missing_page_is_the_platforms_own_404(client, tree):
    client.force_login(tree.user("county0"))
    page = client.get("/meetings/999999/")
    assert page.status_code == 404
    text = page.content.decode()
    assert "页面不存在" in text and "不在您的管辖范围内" in text
    assert "视频会商保障平台" in text and "返回总览" in text


def test_a_refused_action_is_the_platforms_own_403_with_the_reason(client, tree, settings):
    client.force_login(tree.user("county0"))
    page = client.get("/audit/")  # administrators only
    assert page.status_code == 403
    text = page.content.decode()
    assert "无权访问" in text and "返回总览" in text


def test_the_403_page_shows_the_services_reason(rf, tree):
    from vcassure.core.error_pages import permission_denied

    request = rf.get("/")
    request.user = tree.user("county0")
    page = permission_denied(request, PermissionDenied("只有调度员可以发布会议。"))
    assert "只有调度员可以发布会议。" in page.content.decode()


def test_the_server_error_page_stands_alone():
    from django.utils import translation

    with translation.override("zh-hans"):  # no middleware here: another test's language lingers
        page = server_error(RequestFactory().get("/"))
    assert page.status_code == 500
    text = page.content.decode()
    assert "系统暂时出错" in text and "96311" in text
