"""The routes whose path parameter is a token, not an id (scope_cases.NOT_IDS): acknowledgement and
share-link tokens forged or bound to someone else are 404, expired ones 410, nothing changes. (The
`world` fixture is in conftest.py.)"""

from datetime import timedelta

import time_machine

from tests.factories.notifications import ack_token
from vcassure.notifications import tokens
from vcassure.orgs.models import Staff

# --- tokens ---------------------------------------------------------------------------------------


def test_forged_tokens_are_404_and_expired_ones_410(world, client, snapshot, settings):
    notice = world.notification
    token = ack_token(notice)
    other = Staff.objects.filter(org_unit=world.tree.townships[0]).first()
    forged = [
        token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"),  # a damaged signature
        "not-a-token",
        tokens.make_token(
            notification_id=notice.pk, staff_id=other.pk, nonce=notice.token_nonce
        ),  # another person
        tokens.make_token(
            notification_id=notice.pk, staff_id=notice.recipient_id, nonce="guessed-nonce"
        ),
    ]
    link = world.share_link
    changes = snapshot(notice, link)
    for bad in forged:
        assert client.get(f"/ack/{bad}").status_code == 404
        assert client.post(f"/ack/{bad}").status_code == 404
        assert client.get(f"/api/ack/{bad}").status_code == 404
        assert client.post(f"/api/ack/{bad}", content_type="application/json").status_code == 404
    for bad in ("not-a-token", link.token[:-2] + "xy", link.token.upper()):
        if bad != link.token:
            assert client.get(f"/meetings/share/{bad}/").status_code == 404
    with time_machine.travel(timedelta(hours=settings.ACK_LINK_MAX_AGE_HOURS + 1)):
        assert client.get(f"/ack/{token}").status_code == 410
        assert client.post(f"/ack/{token}").status_code == 410
        assert client.post(f"/api/ack/{token}", content_type="application/json").status_code == 410
    with time_machine.travel(link.expires_at + timedelta(minutes=1)):
        assert client.get(f"/meetings/share/{link.token}/").status_code == 410
    assert changes() == []
    # The genuine ones work (so the 404s above are about the tokens, not the routes).
    assert client.get(f"/meetings/share/{link.token}/").status_code == 200
    assert client.post(f"/api/ack/{token}", content_type="application/json").status_code == 200
