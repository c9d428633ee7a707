from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.venues import EquipmentFactory, VenueFactory


def test_venue_list_and_detail(tree, client):
    venue = VenueFactory(org_unit=tree.townships[0], name="一号水利分会场")
    EquipmentFactory(venue=venue, model="宝利通 Group 310", management_ip="10.1.2.3")
    client.force_login(tree.user("county0"))
    assert "一号水利分会场" in client.get("/venues/?system=water").content.decode()
    page = client.get(f"/venues/{venue.pk}/").content.decode()
    assert "宝利通 Group 310" in page and "10.1.2.3" in page and "未登记光缆线路" in page


def test_venue_other_scope_404(tree, client):
    venue = VenueFactory(org_unit=tree.townships[2])
    client.force_login(tree.user("county0"))
    assert client.get(f"/venues/{venue.pk}/").status_code == 404
    assert venue.name not in client.get("/venues/").content.decode()


def test_venue_list_constant_queries(tree, client):
    client.force_login(tree.user("province"))
    VenueFactory(org_unit=tree.townships[0])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/venues/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(60):
        VenueFactory(org_unit=tree.townships[i % 8])
    assert count() == before
