"""Shared by the meetings API tests (test_api_meetings_create.py, test_api_meetings_lifecycle.py,
test_api_tasks_status.py, test_api_scope_and_schema.py) and the `draft` fixture in conftest.py: a
JSON POST and the body of a new meeting."""

import json


def post(api, url, body=None, **headers):
    return api.post(
        url,
        data=json.dumps(body if body is not None else {}),
        content_type="application/json",
        **headers,
    )


def meeting_body(tree, when, **changes):
    start, end = when
    body = {
        "system": "water",
        "title": "防汛会商",
        "starts_at": start.isoformat(),
        "ends_at": end.isoformat(),
        "importance": "normal",
        "notice_ref": "水利〔2026〕12号",
        "main_venue": tree.main_venue.pk,
        "venues": [v.pk for v in tree.venues[:5]],
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}
