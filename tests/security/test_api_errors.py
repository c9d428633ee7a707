"""The API says what it does (SPEC §6): every error is `{"detail", "errors"}` as JSON, even for a
path the API does not have or a body that is not JSON, and the OpenAPI document lists every status
an operation can answer, so that generated clients expect them. A meta-test reads the document,
so a new operation that forgets one fails here."""

import pytest
from django.test import Client

from vcassure.accounts.services import api_token_create
from vcassure.notifications.models import ImGroup

ERROR = {"detail": "未找到。", "errors": []}
UNSAFE = {"post", "put", "patch", "delete"}


@pytest.fixture
def api(tree):
    _token, key = api_token_create(user=tree.user("province"))
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/nope"),
        ("get", "/api/meetings/1/nope"),
        ("get", "/api/meetings/-1"),  # not an id: no route
        ("get", "/api/meetings/"),
        ("get", "/api/"),
        ("post", "/api/nope"),
        ("delete", "/api/staff/1/x"),
    ],
)
def test_an_unknown_api_path_is_a_json_404(api, client, method, path):
    for caller in (api, client):  # with a token and without one
        response = getattr(caller, method)(path)
        assert response.status_code == 404, (path, response.content[:200])
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == ERROR


def test_errors_outside_the_api_are_still_pages(client, db, settings):
    response = client.get("/nope-not-api")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = client.get("/accounts/login/?" + "&".join(f"q{i}=x" for i in range(20)))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe{}", b"{'a': 1}"])
def test_an_unparsable_json_body_is_400(api, field_setup, body):
    _meeting, task, _token, _link = field_setup
    group = ImGroup.objects.first()
    for method, path in (
        ("post", "/api/meetings"),
        ("post", "/api/faults"),
        ("post", f"/api/tasks/{task.pk}/check-in"),
        ("patch", f"/api/im-groups/{group.pk}"),
        ("post", f"/api/tasks/{task.pk}/steps/1"),  # parsed by the endpoint itself
    ):
        response = getattr(api, method)(path, data=body, content_type="application/json")
        assert response.status_code == 400, (path, response.content[:200])
        assert response["Content-Type"].startswith("application/json")
        answer = response.json()
        assert answer["detail"] == "请求体不是有效的 JSON。", path
        assert [e["field"] for e in answer["errors"]] == ["body"], path


def test_a_body_or_query_string_django_refuses_is_a_json_400(api, field_setup, settings):
    _meeting, task, _token, _link = field_setup
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    answers = [
        api.get("/api/org-units?" + "&".join(f"q{i}=x" for i in range(20))),
        api.post(
            "/api/faults", data=b'{"title": "%s"}' % (b"x" * 2000), content_type="application/json"
        ),
        api.post(
            f"/api/tasks/{task.pk}/steps/1",
            data=b"--xx\r\nbroken",
            content_type="multipart/form-data",  # no boundary
        ),
        api.post(
            f"/api/tasks/{task.pk}/steps/1",
            {f"f{i}": "x" for i in range(20)},  # a multipart form with too many fields
        ),
    ]
    for response in answers:
        assert response.status_code == 400, (response.request["PATH_INFO"], response.content[:200])
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {
            "detail": "无法读取请求：请求体或查询参数过大或格式有误。",
            "errors": [],
        }


def test_an_unparsable_body_with_an_idempotency_key_is_400_and_frees_the_key(api, tree):
    headers = {"HTTP_IDEMPOTENCY_KEY": "k-400"}
    bad = api.post("/api/faults", data=b"{", content_type="application/json", **headers)
    assert bad.status_code == 400
    body = b'{"title": "x", "org_unit": %d}' % tree.counties[0].pk
    good = api.post("/api/faults", data=body, content_type="application/json", **headers)
    assert good.status_code == 201, good.content[:200]


# --- the OpenAPI document -------------------------------------------------------------------------


def _expected_errors(method: str, operation: dict) -> set[int]:
    parameters = operation.get("parameters", [])
    body = operation.get("requestBody")
    expected = set()
    if operation.get("security"):
        expected.add(401)
        if method in UNSAFE and any("SessionAuth" in s for s in operation["security"]):
            expected.add(403)  # the CSRF check of a browser session
    if any(p["in"] == "path" for p in parameters):
        expected.add(404)
    if parameters or body:
        expected.add(422)
    if body or any(p["in"] == "query" for p in parameters):
        expected.add(400)  # a body that is not JSON; a body or query string past Django's limits
    return expected


def _schema(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def test_every_operation_documents_the_errors_it_can_answer(client, db):
    document = client.get("/api/openapi.json").json()
    missing, wrong_shape = [], []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            gap = _expected_errors(method, operation) - {int(code) for code in responses}
            if gap:
                missing.append(f"{method.upper()} {path}: {sorted(gap)}")
            for code, response in responses.items():
                if not 400 <= int(code) < 500:
                    continue
                schema = _schema(document, response["content"]["application/json"]["schema"])
                if not {"detail", "errors"} <= set(schema.get("required", [])):
                    wrong_shape.append(f"{method.upper()} {path} {code}")
    assert not missing, missing
    assert not wrong_shape, wrong_shape


def test_the_meta_test_knows_an_operation_that_forgets():
    forgetful = {
        "parameters": [{"in": "path", "name": "thing_id"}, {"in": "query", "name": "q"}],
        "requestBody": {"content": {"application/json": {}}},
        "security": [{"BearerTokenAuth": []}, {"SessionAuth": []}],
        "responses": {"200": {}},
    }
    assert _expected_errors("post", forgetful) == {400, 401, 403, 404, 422}
    assert _expected_errors("get", {"responses": {"200": {}}}) == set()
    assert _expected_errors("get", {"parameters": [{"in": "path"}]}) == {404, 422}
