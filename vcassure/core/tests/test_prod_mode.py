"""Production settings as the environment chooses them: media on the filesystem or an S3-compatible
store, JSON log lines with the request id. Each settings check runs in a fresh interpreter, since
settings are read once per process. (No S3 service is reachable here: the storage is built and
signs a URL offline, nothing is uploaded.)"""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vcassure.core import context
from vcassure.core.logging import JsonFormatter, RequestIdFilter

ROOT = Path(__file__).resolve().parents[3]
PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.prod",
    "SECRET_KEY": "k" * 64,
    "DATABASE_URL": "sqlite:///:memory:",
}


def run_prod(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MEDIA_S3_", "DJANGO_SETTINGS_MODULE"))
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        env={**clean, **PROD_ENV, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_media_on_the_filesystem_by_default():
    out = run_prod(
        "from django.conf import settings; print(settings.STORAGES['default']['BACKEND'])"
    ).stdout
    assert out.strip() == "django.core.files.storage.FileSystemStorage"


def test_media_on_an_s3_compatible_store_when_a_bucket_is_named():
    code = (
        "from django.core.files.storage import storages\n"
        "s = storages['default']\n"
        "print(type(s).__module__, type(s).__name__)\n"
        "print(s.bucket_name, s.location, s.addressing_style, s.default_acl)\n"
        "print(s.url('photos/a.jpg'))\n"
    )
    out = run_prod(
        code,
        MEDIA_S3_BUCKET="vc-media",
        MEDIA_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        MEDIA_S3_ACCESS_KEY_ID="AKIDEXAMPLE",
        MEDIA_S3_SECRET_ACCESS_KEY="secret-example",
    ).stdout.splitlines()
    assert out[0] == "storages.backends.s3 S3Storage"
    assert (
        out[1] == "vc-media media path None"
    )  # private objects, path-style addressing (MinIO, Ceph…)
    assert (
        out[2].startswith("http://127.0.0.1:9000/vc-media/media/photos/a.jpg?")
        and "Signature=" in out[2]
    )


def test_production_logs_are_json_lines_without_the_request_object():
    code = (
        "import logging\n"
        "class Req:\n"
        "    def __repr__(self): return \"<WSGIRequest: GET '/ack/secret-token'>\"\n"
        "logging.getLogger('django.request').warning('Not Found: %s', '/ack/[redacted]', extra={'request': Req(), 'status_code': 404})\n"
        "logging.getLogger('httpx').info('HTTP Request: POST https://oapi.dingtalk.com/robot/send?access_token=t')\n"
        "logging.getLogger('vcassure.test').info('中文 message')\n"
    )
    lines = [json.loads(line) for line in run_prod(code).stderr.splitlines() if line.strip()]
    assert [line["logger"] for line in lines] == [
        "django.request",
        "vcassure.test",
    ]  # httpx stays at WARNING
    first = lines[0]
    assert {"time", "level", "logger", "message", "request_id"} <= set(first)
    assert first["level"] == "WARNING" and first["status_code"] == 404 and "request" not in first
    assert "secret-token" not in json.dumps(lines) and lines[1]["message"] == "中文 message"


def test_json_formatter_carries_the_request_id():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("vcassure.tests.json")
    logger.addHandler(handler)
    logger.propagate = False
    token = context.request_id.set("req-42")
    try:
        logger.warning("something %s", "happened")
    finally:
        context.request_id.reset(token)
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert (
        line["message"] == "something happened"
        and line["request_id"] == "req-42"
        and line["time"].endswith("+00:00")
    )


@pytest.mark.django_db
def test_every_response_names_its_request_id(client):
    given = client.get("/api/health", HTTP_X_REQUEST_ID="proxy-id.123")
    assert given["X-Request-ID"] == "proxy-id.123"
    made = client.get("/api/health", HTTP_X_REQUEST_ID="not a valid id; drop table")
    assert made["X-Request-ID"] != "not a valid id; drop table" and len(made["X-Request-ID"]) == 32
