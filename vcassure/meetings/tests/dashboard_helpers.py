"""Shared by the dashboard tests (test_dashboard_board.py, test_dashboard_share_links.py) and the
`meeting` fixture in conftest.py."""

from vcassure.meetings.models import SupportTask


def set_state(meeting, venue, state):
    SupportTask.objects.filter(meeting=meeting, venue=venue).update(state=state)


def url(meeting, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/meetings/{meeting.pk}/dashboard/" + (f"?{query}" if query else "")
