"""Idempotency-Key, through real requests to a throw-away endpoint mounted by this module."""

import json
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test import RequestFactory
from django.urls import path
from ninja import NinjaAPI, Schema, Status

from tests.factories.orgs import UserFactory
from vcassure.accounts.api import BearerTokenAuth
from vcassure.accounts.models import ApiToken, Role
from vcassure.core import clock
from vcassure.core.errors import ApplicationError, InvalidInputError
from vcassure.core.idempotency import idempotent, request_hash
from vcassure.core.models import AuditEvent, IdempotencyKey
from vcassure.core.services import audit_record

api = NinjaAPI(urls_namespace="idempotency-test", auth=BearerTokenAuth(), docs_url=None)


@api.exception_handler(ApplicationError)
def on_application_error(request, exc: ApplicationError):
    return api.create_response(
        request, {"detail": exc.message, "errors": exc.errors}, status=exc.status_code
    )


class ThingIn(Schema):
    name: str
    outcome: str = "created"  # or "refused" (raises 422) or "conflict" (returns 409)


calls: list[str] = []
gate: dict[str, threading.Event] = {}


@api.post("/things", response={201: dict, 409: dict})
@idempotent
def thing_create(request, payload: ThingIn):
    calls.append(payload.name)
    if "entered" in gate:  # the race test holds the first request here, its key row inserted
        gate["entered"].set()
        gate["proceed"].wait(10)
    if payload.outcome == "conflict":
        return Status(409, {"detail": "冲突"})
    with transaction.atomic():  # what a service does
        event = audit_record(actor=request.user, action="thing.create", object_repr=payload.name)
        if payload.outcome == "refused":
            raise InvalidInputError(
                "名称不可用。", errors=[{"field": "name", "message": "名称不可用。"}]
            )
    return Status(201, {"id": event.pk, "name": payload.name})


urlpatterns = [path("t/", api.urls)]
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture(autouse=True)
def _reset():
    calls.clear()
    gate.clear()


@pytest.fixture
def user(db):
    return UserFactory(username="caller", role=Role.DISPATCHER)


def things_created() -> int:
    return AuditEvent.objects.filter(action="thing.create").count()


def send(api_client, body, key=None, url="/t/things", raw=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return api_client.post(
        url,
        data=raw if raw is not None else json.dumps(body),
        content_type="application/json",
        **headers,
    )


def test_without_a_key_every_request_runs(user, api_client_for):
    api_client = api_client_for(user)
    assert send(api_client, {"name": "a"}).status_code == 201
    assert send(api_client, {"name": "a"}).status_code == 201
    assert calls == ["a", "a"] and things_created() == 2
    assert not IdempotencyKey.objects.exists()


def test_same_key_and_body_returns_the_first_response(user, api_client_for):
    api_client = api_client_for(user)
    first = send(api_client, {"name": "a"}, key="k1")
    # The same JSON with other key order and spacing is the same request.
    again = send(api_client, None, key="k1", raw='{ "name" : "a" }')
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() == {"id": first.json()["id"], "name": "a"}
    assert again.headers["Idempotent-Replayed"] == "true"
    assert calls == ["a"] and things_created() == 1
    row = IdempotencyKey.objects.get()
    assert (row.user, row.key, row.status_code, row.response_body) == (
        user,
        "k1",
        201,
        first.json(),
    )


def test_same_key_with_another_request_is_422(user, api_client_for):
    api_client = api_client_for(user)
    send(api_client, {"name": "a"}, key="k1")
    for response in (
        send(api_client, {"name": "b"}, key="k1"),
        send(api_client, {"name": "a"}, key="k1", url="/t/things?x=1"),
    ):
        assert response.status_code == 422
        assert (
            response.json()["detail"]
            == "该 Idempotency-Key 已用于另一个不同的请求；请为新的请求使用新的键。"
        )
        assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert calls == ["a"] and things_created() == 1


def test_keys_belong_to_a_user(user, api_client_for):
    other = UserFactory(username="other", role=Role.DISPATCHER)
    assert send(api_client_for(user), {"name": "a"}, key="shared").status_code == 201
    second = send(api_client_for(other), {"name": "a"}, key="shared")
    assert second.status_code == 201 and "Idempotent-Replayed" not in second.headers
    assert calls == ["a", "a"] and IdempotencyKey.objects.count() == 2


def test_a_refused_request_frees_its_key_for_the_corrected_retry(user, api_client_for):
    api_client = api_client_for(user)
    refused = send(api_client, {"name": "a", "outcome": "refused"}, key="k1")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "name"
    assert not IdempotencyKey.objects.exists() and things_created() == 0
    conflict = send(api_client, {"name": "a", "outcome": "conflict"}, key="k1")
    assert conflict.status_code == 409 and not IdempotencyKey.objects.exists()
    assert send(api_client, {"name": "a"}, key="k1").status_code == 201
    assert IdempotencyKey.objects.get().status_code == 201 and things_created() == 1


def test_the_key_is_claimed_before_the_work(user, api_client_for):
    """A completed row committed by another request is found by the insert, not by a prior read."""
    api_client = api_client_for(user)
    digest = request_hash(
        RequestFactory().post(
            "/t/things", data=json.dumps({"name": "a"}), content_type="application/json"
        )
    )
    IdempotencyKey.objects.create(
        user=user,
        key="k1",
        request_hash=digest,
        status_code=201,
        response_body={"id": 41, "name": "a"},
    )
    response = send(api_client, {"name": "a"}, key="k1")
    assert response.status_code == 201 and response.json() == {"id": 41, "name": "a"}
    assert calls == []
    IdempotencyKey.objects.create(user=user, key="k2", request_hash=digest)  # not finished
    assert send(api_client, {"name": "a"}, key="k2").status_code == 409
    assert calls == []


@pytest.mark.parametrize("key", ["", "   ", "x" * 256, "tab\tkey"])
def test_an_invalid_key_is_422(user, api_client_for, key):
    response = send(api_client_for(user), {"name": "a"}, key=key)
    assert (
        response.status_code == 422 and response.json()["errors"][0]["field"] == "Idempotency-Key"
    )
    assert calls == [] and not IdempotencyKey.objects.exists()


def test_unauthenticated_requests_store_nothing(db, client):
    response = client.post(
        "/t/things",
        data=json.dumps({"name": "a"}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert response.status_code == 401
    assert calls == [] and not IdempotencyKey.objects.exists()


def test_request_hash_covers_method_path_and_body():
    factory = RequestFactory()

    def digest(method, url, body):
        return request_hash(
            getattr(factory, method)(url, data=body, content_type="application/json")
        )

    base = digest("post", "/t/things", '{"a": 1, "b": [1, 2]}')
    assert base == digest("post", "/t/things", '{"b":[1,2],"a":1}')
    assert base != digest("post", "/t/things", '{"a": 1, "b": [2, 1]}')
    assert base != digest("put", "/t/things", '{"a": 1, "b": [1, 2]}')
    assert base != digest("post", "/t/other", '{"a": 1, "b": [1, 2]}')
    assert digest("post", "/t/things", "not json") != digest("post", "/t/things", "not json ")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs row locks across connections (PostgreSQL)"
)
@pytest.mark.django_db(transaction=True)
def test_a_concurrent_duplicate_waits_and_replays(api_client_for):
    user = UserFactory(username="racer", role=Role.DISPATCHER)
    first_client, second_client = api_client_for(user), api_client_for(user)
    ApiToken.objects.update(last_used_at=clock.now())  # so authentication writes nothing
    gate["entered"], gate["proceed"] = threading.Event(), threading.Event()
    responses: dict[str, object] = {}

    def run(name, api_client):
        try:
            responses[name] = send(api_client, {"name": "a"}, key="race")
        finally:
            connections.close_all()

    first = threading.Thread(target=run, args=("first", first_client))
    first.start()
    assert gate["entered"].wait(10)  # the first request holds its uncommitted key row
    second = threading.Thread(target=run, args=("second", second_client))
    second.start()
    time.sleep(0.5)
    assert second.is_alive() and calls == ["a"]  # blocked on the unique constraint, not working
    gate["proceed"].set()
    first.join(10)
    second.join(10)
    assert responses["first"].status_code == responses["second"].status_code == 201
    assert responses["first"].json() == responses["second"].json()
    assert responses["second"].headers["Idempotent-Replayed"] == "true"
    assert calls == ["a"] and things_created() == 1 and IdempotencyKey.objects.count() == 1
