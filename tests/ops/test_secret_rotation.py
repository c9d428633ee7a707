"""Rotating SECRET_KEY (README, Runbook): with the old key in SECRET_KEY_FALLBACKS, the personal
acknowledgement links already sent keep working; without it they are refused; new links are signed
with the new key."""

import pytest
from django.core import signing
from django.test import override_settings

from vcassure.notifications.tokens import make_token, read_token

OLD = "old-key-" + "o" * 60
NEW = "new-key-" + "n" * 60


def test_links_signed_with_the_previous_key_work_while_it_is_a_fallback():
    with override_settings(SECRET_KEY=OLD):
        sent = make_token(notification_id=7, staff_id=3, nonce="abc")
    with override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD]):
        assert read_token(sent).notification_id == 7
        fresh = make_token(notification_id=8, staff_id=3, nonce="def")
    with override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[]):
        assert read_token(fresh).notification_id == 8
        with pytest.raises(signing.BadSignature):
            read_token(sent)


def test_the_settings_read_the_fallbacks_from_the_environment(monkeypatch):
    import importlib

    import config.settings.base as base

    monkeypatch.setenv("SECRET_KEY_FALLBACKS", f"{OLD}, {NEW}")
    try:
        assert importlib.reload(base).SECRET_KEY_FALLBACKS == [OLD, NEW]
    finally:
        monkeypatch.delenv("SECRET_KEY_FALLBACKS")
        importlib.reload(base)
