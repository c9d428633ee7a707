import time_machine
from django.core.management import call_command

from tests.factories.orgs import UserFactory
from vcassure.accounts.models import ApiToken, Role


def test_api_token_command_prints_working_token(db, client, capsys):
    UserFactory(username="ops1", role=Role.ADMIN)
    call_command("api_token", "ops1")
    key = capsys.readouterr().out.strip()
    assert key.startswith("vca_")
    assert not ApiToken.objects.filter(key_hash=key).exists()  # only the hash is stored
    assert client.get("/api/systems", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_revoked_token_is_401(db, client):
    from vcassure.accounts.services import api_token_create

    token, key = api_token_create(user=UserFactory(role=Role.ADMIN))
    token.revoked_at = token.created_at
    token.save()
    assert client.get("/api/systems", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_login_page_logs_in(db, client):
    UserFactory(username="alice")
    response = client.post("/accounts/login/", {"username": "alice", "password": "pass-Word-123"})
    assert response.status_code == 302


def test_login_throttled_after_five_failures(db, client):
    UserFactory(username="bob")
    with time_machine.travel("2026-11-25 09:00 +0800", tick=False):
        for _ in range(4):
            response = client.post("/accounts/login/", {"username": "bob", "password": "wrong"})
            assert "用户名或密码错误" in response.content.decode()
        # The fifth failure reaches the limit and says so.
        response = client.post("/accounts/login/", {"username": "bob", "password": "wrong"})
        assert response.status_code == 429
        # Even the right password is refused while throttled, with a clear message.
        response = client.post("/accounts/login/", {"username": "bob", "password": "pass-Word-123"})
        assert response.status_code == 429
        assert "登录失败次数过多，请 30 分钟后再试。" in response.content.decode()
        assert "_auth_user_id" not in client.session
    with time_machine.travel("2026-11-25 09:31 +0800", tick=False):
        response = client.post("/accounts/login/", {"username": "bob", "password": "pass-Word-123"})
        assert response.status_code == 302


def test_passwords_hashed_with_argon2_in_production_settings():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
