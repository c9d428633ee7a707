import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.orgs import StaffFactory
from vcassure.accounts.models import Role
from vcassure.core.models import AuditEvent
from vcassure.orgs.models import Staff


def test_pages_require_login(db, client):
    for url in ["/", "/org/", "/org/staff/", "/org/departments/", "/venues/", "/org/staffing/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_tree_shows_own_subtree_with_counts(tree, client):
    client.force_login(tree.user("city0"))
    page = client.get("/org/").content.decode()
    assert "测试1市" in page and "测试1市1县" in page and "测试2市" not in page
    children = client.get(
        f"/org/units/{tree.counties[0].pk}/children/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "测试1市1县1镇" in children and "人员 1" in children
    assert "<html" not in children  # a partial, not a page


def test_unit_detail_and_children_other_scope_404(tree, client):
    client.force_login(tree.user("county0"))
    assert client.get(f"/org/units/{tree.townships[0].pk}/").status_code == 200
    for unit in (tree.counties[1], tree.townships[2], tree.cities[0], tree.province):
        assert client.get(f"/org/units/{unit.pk}/").status_code == 404
        assert client.get(f"/org/units/{unit.pk}/children/").status_code == 404


def test_staff_detail_masks_phone_and_other_scope_404(tree, client):
    client.force_login(tree.user("county0", Role.SUPPORT))
    own = Staff.objects.get(org_unit=tree.townships[0])
    page = client.get(f"/org/staff/{own.pk}/").content.decode()
    assert own.mobile not in page and f"{own.mobile[:3]}****{own.mobile[-4:]}" in page
    assert "显示完整号码" not in page
    assert client.post(f"/org/staff/{own.pk}/reveal-phone/").status_code == 403
    other = Staff.objects.get(org_unit=tree.townships[2])
    assert client.get(f"/org/staff/{other.pk}/").status_code == 404
    assert client.post(f"/org/staff/{other.pk}/reveal-phone/").status_code == 404


def test_phone_reveal_for_dispatcher_is_audited(tree, client):
    user = tree.user("county0")
    client.force_login(user)
    own = Staff.objects.get(org_unit=tree.townships[0])
    response = client.post(f"/org/staff/{own.pk}/reveal-phone/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and own.mobile in response.content.decode()
    assert (
        AuditEvent.objects.filter(
            action="staff.phone_reveal", actor=user, object_id=str(own.pk)
        ).count()
        == 1
    )


def test_staff_list_search_and_filters(tree, client):
    client.force_login(tree.user("province"))
    page = client.get("/org/staff/?q=测试2市1县1镇").content.decode()
    assert "测试2市1县1镇support" in page and "测试1市1县1镇support" not in page
    page = client.get("/org/staff/?department_kind=tech_maintenance").content.decode()
    assert "共 12 条" in page  # 4 counties x 3 users
    assert "没有符合条件的人员" in client.get("/org/staff/?q=不存在的人").content.decode()


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/org/staff/", "/org/departments/", "/org/", "/"])
def test_list_pages_constant_queries(tree, client, url):
    client.force_login(tree.user("province"))
    before = _count_queries(client, url)
    for i in range(40):
        StaffFactory(org_unit=tree.townships[i % 8], supervisor=Staff.objects.first())
    assert _count_queries(client, url) == before


def test_shortfall_page_lists_units_short_of_r5(tree, client):
    client.force_login(tree.user("province"))
    page = client.get("/org/staffing/").content.decode()
    # The fixture has 3 network-ops users per city (R5 asks 2 regular + 2 emergency): every city is short.
    assert "测试1市" in page and "应急机动人员" in page
