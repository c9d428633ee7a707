"""deploy/: the environment file template names every variable the settings read (and every one the
README's Configuration table lists), the nginx site agrees with the settings (upload limit, timeouts,
the client address the audit log records, static files), and the units run what production mode
runs. `deploy/check.sh` (run by .ci/run) checks the files with nginx -t and systemd-analyze verify."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings

from vcassure.checklists.services import MAX_PHOTO_BYTES, MAX_PHOTOS
from vcassure.core.middleware import request_client_ip
from vcassure.meetings.validation import MAX_NOTICE_BYTES
from vcassure.transfer.services import MAX_UPLOAD_BYTES

ROOT = Path(__file__).resolve().parent.parent.parent
DEPLOY = ROOT / "deploy"
TEMPLATE = (DEPLOY / "vcassure.env.example").read_text()
SITE = (DEPLOY / "nginx" / "vcassure.conf").read_text()
PROXY = (DEPLOY / "nginx" / "vcassure-proxy.conf").read_text()
READS = re.compile(
    r"(?:environ\.get|environ\[|env_bool|env_list|environ\.setdefault|getenv)\(?\s*['\"]([A-Z][A-Z0-9_]+)['\"]"
)


def template_values() -> dict[str, str]:
    """NAME → value of every line `NAME=value` or `# NAME=value` of the template."""
    return dict(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=(.*)$", TEMPLATE, re.MULTILINE))


def settings_variables() -> set[str]:
    files = [p for p in (ROOT / "config" / "settings").glob("*.py") if p.name != "test.py"]
    files.append(ROOT / "config" / "gunicorn.conf.py")
    return {name for f in files for name in READS.findall(f.read_text())}


def readme_variables() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration (environment variables)", 1)[1].split("\n## ", 1)[0]
    first_cells = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    return {name for cell in first_cells for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cell)}


def nginx_size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kmg]?)", value.lower()).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit]


def directive(text: str, name: str) -> str:
    return re.search(rf"^\s*{name}\s+([^;]+);", text, re.MULTILINE).group(1).strip()


def test_the_environment_template_names_every_variable_the_settings_read():
    names = template_values()
    read = settings_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "PERSONAL_CHANNEL_ORDER", "BIND_HOST"} <= read
    assert sorted(read - names.keys()) == []


def test_the_environment_template_names_every_variable_the_readme_lists():
    listed = readme_variables()
    assert {"SECRET_KEY", "MEDIA_S3_BUCKET", "ADMIN_PASSWORD"} <= listed
    assert sorted(listed - template_values().keys()) == []


def test_the_template_is_production_shaped():
    names = template_values()
    assert names["DJANGO_SETTINGS_MODULE"] == "config.settings.prod"
    assert names["TRUSTED_PROXIES"] == "127.0.0.1,::1"
    # The unit's state directory, nginx's static alias and the template's paths agree.
    assert names["VCASSURE_VAR_DIR"] == "/var/lib/vcassure"
    assert f"alias {names['STATIC_ROOT']}/;" in SITE
    assert f"alias {names['MEDIA_ROOT']}/;" in SITE
    assert f"server 127.0.0.1:{names['PORT']};" in SITE


def test_nginx_takes_the_largest_upload_the_platform_accepts_and_no_more():
    limit = nginx_size(directive(SITE, "client_max_body_size"))
    largest = max(MAX_PHOTOS * MAX_PHOTO_BYTES, MAX_NOTICE_BYTES, MAX_UPLOAD_BYTES)
    assert largest <= limit <= largest + 8 * 1024**2


def test_nginx_waits_longer_than_gunicorn_kills_a_silent_worker():
    gunicorn = (ROOT / "config" / "gunicorn.conf.py").read_text()
    default = int(re.search(r'"GUNICORN_TIMEOUT", "(\d+)"', gunicorn).group(1))
    assert int(directive(PROXY, "proxy_read_timeout").rstrip("s")) > default


def test_media_is_never_served_to_a_client_directly():
    media = SITE.split("location /media/", 1)[1].split("}", 1)[0]
    assert "internal;" in media


def test_the_audit_log_gets_the_client_address_nginx_saw():
    # nginx appends the address it saw ($proxy_add_x_forwarded_for) to what the client sent, and
    # connects to gunicorn from loopback: the settings' trusted proxies read it from the right.
    assert re.search(r"proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;", PROXY)
    assert re.search(r"proxy_set_header X-Real-IP \$remote_addr;", PROXY)
    assert re.search(r"proxy_set_header X-Forwarded-Proto \$scheme;", PROXY)
    trusted = template_values()["TRUSTED_PROXIES"].split(",")
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7"
    )
    with override_settings(TRUSTED_PROXIES=trusted):
        # The client claimed 10.9.9.9; nginx saw 203.0.113.7: the claim is not believed.
        assert request_client_ip(request) == "203.0.113.7"


def test_the_units_run_what_production_mode_runs():
    web = (DEPLOY / "systemd" / "vcassure-web.service").read_text()
    worker = (DEPLOY / "systemd" / "vcassure-worker@.service").read_text()
    prod_up = (ROOT / "scripts" / "prod-up.sh").read_text()
    assert "-m gunicorn config.wsgi -c config/gunicorn.conf.py" in web
    assert "manage.py run_huey -w 4 -k thread" in worker
    assert "manage.py run_huey -w 4 -k thread" in prod_up
    for unit in (web, worker):
        assert "EnvironmentFile=/etc/vcassure/vcassure.env" in unit
        assert "Environment=DJANGO_SETTINGS_MODULE=config.settings.prod" in unit
        assert "StateDirectory=vcassure" in unit
    assert "/etc/vcassure/vcassure.env" in TEMPLATE


def cpu_weight(unit: str) -> int:
    found = re.search(r"^CPUWeight=(\d+)$", unit, re.MULTILINE)
    return int(found.group(1)) if found else 100  # systemd's default


def test_the_consumers_yield_the_cpu_to_the_pages_between_services():
    """Each unit is a cgroup and a session of its own, where a nice value orders only the unit's
    own processes: the consumers yield to the web pools by their CPUWeight, not by Nice=."""
    worker = (DEPLOY / "systemd" / "vcassure-worker@.service").read_text()
    for pool in ("vcassure-web.service", "vcassure-links.service"):
        assert cpu_weight(worker) < cpu_weight((DEPLOY / "systemd" / pool).read_text()) / 2


def test_the_pages_people_wait_on_outrank_the_burst_and_the_database_sits_between():
    """vcassure-web (dashboards, field pages) over PostgreSQL, which every service waits on, over
    the acknowledgement links' burst and the consumers' fan-out (README, "Runbook")."""
    units = DEPLOY / "systemd"
    web = cpu_weight((units / "vcassure-web.service").read_text())
    links = cpu_weight((units / "vcassure-links.service").read_text())
    worker = cpu_weight((units / "vcassure-worker@.service").read_text())
    dropin = (DEPLOY / "postgresql" / "vcassure-cpu.conf").read_text()
    assert dropin.splitlines()[dropin.splitlines().index("[Service]") + 1] == "CPUWeight=200"
    postgresql = cpu_weight(dropin)
    assert web > postgresql > links > worker
    readme = (ROOT / "README.md").read_text()
    assert "/etc/systemd/system/postgresql@.service.d/vcassure-cpu.conf" in readme


@pytest.mark.skipif(
    not (shutil.which("nginx", path="/usr/sbin:/usr/bin") and shutil.which("systemd-analyze")),
    reason="nginx or systemd-analyze is not installed (deploy/check.sh installs them in CI)",
)
def test_deploy_check_passes():
    out = subprocess.run(["bash", str(DEPLOY / "check.sh")], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "nginx -t" in out.stdout and "systemd-analyze verify" in out.stdout


def test_the_links_have_a_pool_of_their_own_and_fall_back_to_the_main_one():
    """nginx sends /ack/ and /api/ack/ to the links' gunicorn (the unit's port, the template's
    LINKS_PORT) and to the main pool as backup; every other path to the main pool only."""
    unit = (DEPLOY / "systemd" / "vcassure-links.service").read_text()
    links = re.search(r"upstream vcassure_links \{(.*?)\}", SITE, re.DOTALL).group(1)
    web = re.search(r"upstream vcassure_web \{(.*?)\}", SITE, re.DOTALL).group(1)
    port = template_values()["LINKS_PORT"]
    assert f"Environment=LINKS_PORT={port} " in unit and "--bind 127.0.0.1:${LINKS_PORT}" in unit
    main = re.search(r"server (127\.0\.0\.1:\d+);", web).group(1)
    assert f"server 127.0.0.1:{port};" in links and f"server {main} backup;" in links
    routes = dict(re.findall(r"location (\S+) \{\s*proxy_pass http://(\w+);", SITE))
    assert routes == {"/ack/": "vcassure_links", "/api/ack/": "vcassure_links", "/": "vcassure_web"}
    # The acknowledgement page and API really live under those prefixes.
    from django.urls import resolve

    assert resolve("/ack/abc.def").url_name and resolve("/api/ack/abc.def").route.startswith("api/")
    target = (DEPLOY / "systemd" / "vcassure.target").read_text()
    assert "vcassure-links.service" in target


def gunicorn_conf():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", ROOT / "config" / "gunicorn.conf.py"
    )
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    return conf


class Worker:
    """What post_worker_init uses of a gunicorn worker: its logger."""

    def __init__(self) -> None:
        import logging

        self.log = logging.getLogger("test.gunicorn")


def test_a_worker_compiles_every_template_before_its_first_request(settings, caplog):
    """A fresh worker's first dashboard took 1.3 s under load: post_worker_init now loads the views
    and compiles the project's templates into the cached loader first."""
    import logging

    from django.template import engines

    settings.DEBUG = False
    from django.template.loaders.cached import Loader as Cached

    engine = engines["django"].engine
    loaders, cached = list(engine.template_loaders), None
    while loaders and cached is None:  # template_partials' loader wraps Django's cached one
        loader = loaders.pop(0)
        cached = loader if isinstance(loader, Cached) else None
        loaders += getattr(loader, "loaders", [])
    assert cached is not None
    cached.reset()
    pages = len(list((ROOT / "vcassure").glob("*/templates/**/*.html")))
    pages += len(list((ROOT / "vcassure" / "templates").glob("**/*.html")))
    with caplog.at_level(logging.INFO, logger="test.gunicorn"):
        gunicorn_conf().post_worker_init(Worker())
    assert f"worker warmed: {pages} templates" in caplog.text
    assert "meetings/dashboard.html" in cached.get_template_cache
    assert len(cached.get_template_cache) >= pages


def test_a_failed_warm_up_never_keeps_a_worker_from_serving(monkeypatch, caplog):
    conf = gunicorn_conf()

    def broken(log):
        raise RuntimeError("a template library is missing")

    monkeypatch.setattr(conf, "_warm", broken)
    conf.post_worker_init(Worker())  # no exception: the worker serves, cold
    assert "worker warm-up failed; serving cold" in caplog.text
