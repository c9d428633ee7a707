import pytest

from tests.fakes import FakeWebhookReceiver
from vcassure.accounts.models import Role
from vcassure.integrations.models import EventType
from vcassure.integrations.services import secret_generate, webhook_subscription_create


@pytest.fixture
def receiver():
    server = FakeWebhookReceiver(secret=secret_generate()).start()
    yield server
    server.stop()


@pytest.fixture
def admin_user(province):
    return province.user("province", Role.ADMIN)


@pytest.fixture
def subscription(receiver, admin_user, settings):
    settings.NOTIFY_HTTP_TIMEOUT_SECONDS = 2.0
    return webhook_subscription_create(
        by=admin_user,
        url=f"{receiver.url}/hooks/vca",
        secret=receiver.secret,
        events=list(EventType.values),
        description="省应急指挥平台",
    )
