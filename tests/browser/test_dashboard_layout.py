"""The dashboard at desk width and on the phone: the summary tiles in one row at 1280–1920 px and a
balanced grid on a 360 px phone, deadlines with their day and never wrapped, no panel or page wider
than the screen."""

import math

import pytest

from tests.browser.helpers import login
from tests.factories.meetings import published_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {
    "1280": {"width": 1280, "height": 800},
    "1440": {"width": 1440, "height": 900},
    "1920": {"width": 1920, "height": 1080},
    "phone": {"width": 360, "height": 740},
}
MEASURE = """() => {
  const tops = [...document.querySelectorAll('#dash-tiles .dash-tile')]
    .map(t => Math.round(t.getBoundingClientRect().top));
  const rows = [...new Set(tops)].map(top => tops.filter(t => t === top).length);
  const cells = [...document.querySelectorAll('#dash-attention td.time-col')];
  const lines = cells.map(td => {
    const range = document.createRange(); range.selectNodeContents(td);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
  });
  const wide = [...document.querySelectorAll('.dash-panel')]
    .filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.className);
  return {rows, lines, texts: cells.map(td => td.textContent.trim()), wide,
          scroll: document.documentElement.scrollWidth};
}"""


@pytest.mark.parametrize("size", list(SIZES))
def test_dashboard_layout_holds_at_desk_and_phone_widths(
    browser, live_server, province, tomorrow, size
):
    meeting = published_meeting(province, tomorrow, province.venues)
    viewport = SIZES[size]
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    try:
        login(page, live_server, "province-dispatcher")
        page.goto(f"{live_server.url}/meetings/{meeting.pk}/dashboard/")
        got = page.evaluate(MEASURE)
    finally:
        context.close()
    tiles = sum(got["rows"])
    if size == "phone":
        assert len(got["rows"]) == math.ceil(tiles / got["rows"][0]), got["rows"]
        assert got["rows"][-1] * 2 > got["rows"][0], f"a lone tile on the last row: {got['rows']}"
    else:
        assert got["rows"] == [tiles], f"tiles on {len(got['rows'])} rows at {size} px"
    assert got["lines"] and set(got["lines"]) == {1}, "a deadline wrapped onto two lines"
    # the deadlines fall before tomorrow's meeting: they carry their day (MM-DD HH:MM)
    assert all(len(text) == len("12-03 14:00") for text in got["texts"]), got["texts"][:3]
    assert got["wide"] == [], f"panels wider than their box: {got['wide']}"
    assert got["scroll"] <= viewport["width"], "the page scrolls sideways"
