"""The restore drill: a platform with data (demo province, published meetings with tasks,
transitions and deliveries, uploaded photos and a notice document) is backed up with
`manage.py backup`, restored with `manage.py restore` into an empty database and media directory,
and compared table by table and file by file. On SQLite, and on PostgreSQL when the suite runs there
(DATABASE_URL=postgres://…: the drill makes two databases of its own beside the test database).

Every step runs as the operator would run it: manage.py in its own process, with the platform's
DATABASE_URL and MEDIA_ROOT in its environment."""

import hashlib
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SUITE_DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = SUITE_DATABASE_URL.startswith(("postgres://", "postgresql://"))


class Platform:
    """One platform's database and media directory, and a way to read them directly."""

    def __init__(self, name: str, tmp: Path):
        self.media = tmp / f"{name}-media"
        self.var = tmp / f"{name}-var"
        self.var.mkdir()
        if ON_POSTGRES:
            parts = urlsplit(SUITE_DATABASE_URL)
            # Per xdist worker: the module's tests may run on two workers, each with its drill.
            worker = os.environ.get("PYTEST_XDIST_WORKER", "")
            self.dbname = f"{parts.path.lstrip('/') or 'vcassure'}_drill_{worker}{name}"
            self.url = urlunsplit(parts._replace(path=f"/{self.dbname}"))
            self.admin_url = urlunsplit(parts._replace(path="/postgres"))
            self._admin(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.dbname}"')
        else:
            self.url = f"sqlite:///{tmp / f'{name}.sqlite3'}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql)

    def drop(self) -> None:
        if ON_POSTGRES:
            self._admin(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DJANGO_SETTINGS_MODULE", "REDIS_URL", "HUEY_SQLITE_PATH"}
        }
        env.update(
            DATABASE_URL=self.url,
            MEDIA_ROOT=str(self.media),
            VCASSURE_VAR_DIR=str(self.var),
            DJANGO_SETTINGS_MODULE="config.settings.dev",
        )
        return env

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=self.env(), capture_output=True, text=True
        )
        if check and result.returncode != 0:
            raise AssertionError(f"{args} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run("manage.py", *args, check=check)

    def row_counts(self) -> dict[str, int]:
        if ON_POSTGRES:
            import psycopg

            with psycopg.connect(self.url) as conn:
                tables = [
                    r[0]
                    for r in conn.execute(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                    )
                ]
                return {
                    t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]  # noqa: S608
                    for t in tables
                }
        path = self.url.removeprefix("sqlite:///")
        if not Path(path).exists():
            return {}
        with sqlite3.connect(path) as conn:
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            return {
                t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]  # noqa: S608
                for t in tables
            }

    def media_checksums(self) -> dict[str, str]:
        if not self.media.exists():
            return {}
        return {
            str(p.relative_to(self.media)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(self.media.rglob("*"))
            if p.is_file()
        }


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    """The source platform with data and its backup archive."""
    tmp = tmp_path_factory.mktemp("drill")
    source = Platform("src", tmp)
    source.run("-m", "tests.ops.drill_platform")
    archive = tmp / "backup.tar.gz"
    out = source.manage("backup", str(archive))
    assert "Backup written to" in out.stdout
    yield tmp, source, archive
    source.drop()


@pytest.fixture
def target(drill, request):
    tmp = drill[0]
    platform = Platform(f"dst{abs(hash(request.node.name)) % 10_000}", tmp)
    yield platform
    platform.drop()


def test_restore_into_an_empty_platform_gives_back_every_row_and_file(drill, target):
    _tmp, source, archive = drill
    counts = source.row_counts()
    # The drill's platform holds what an operator would miss.
    for table in (
        "meetings_meeting",
        "meetings_supporttask",
        "meetings_tasktransition",
        "notifications_notification",
        "notifications_delivery",
        "checklists_stepphoto",
        "core_auditevent",
        "accounts_user",
    ):
        assert counts[table] > 0, table
    photos = [p for p in source.media_checksums() if p.startswith("checklists/")]
    assert len(photos) == counts["checklists_stepphoto"] == 12
    assert any(p.startswith("meetings/") or "notice" in p for p in source.media_checksums())

    out = target.manage("restore", str(archive))
    assert "every row count matches the manifest" in out.stdout

    assert target.row_counts() == counts
    assert target.media_checksums() == source.media_checksums()
    # The restored platform works: Django sees no pending migration and the demo login exists.
    check = target.manage("migrate", "--check", check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    shell = target.manage(
        "shell",
        "-c",
        "from vcassure.accounts.models import User; "
        "print(User.objects.get(username='dispatcher').check_password('demo-pass-2026'))",
    )
    assert shell.stdout.strip().endswith("True")


def test_restore_refuses_a_target_with_data_unless_forced(drill, target):
    _tmp, source, archive = drill
    target.manage("restore", str(archive))
    again = target.manage("restore", str(archive), check=False)
    assert again.returncode != 0
    assert "not empty" in again.stderr and "--force" in again.stderr
    forced = target.manage("restore", "--force", str(archive))
    assert "every row count matches the manifest" in forced.stdout
    assert target.row_counts() == source.row_counts()


def test_restore_refuses_a_damaged_archive_and_touches_nothing(drill, target):
    tmp, _source, archive = drill
    unpacked = tmp / f"unpacked-{target.var.name}"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
        names = tar.getnames()
    photo = next(n for n in names if n.startswith("media/checklists/"))
    data = bytearray((unpacked / photo).read_bytes())
    data[-1] ^= 0xFF  # one flipped bit in one photo
    (unpacked / photo).write_bytes(bytes(data))
    damaged = tmp / f"damaged-{target.var.name}.tar"
    with tarfile.open(damaged, "w") as tar:
        for name in names:
            tar.add(unpacked / name, arcname=name)

    out = target.manage("restore", str(damaged), check=False)
    assert out.returncode != 0
    assert "checksum mismatch" in out.stderr and photo in out.stderr
    assert target.media_checksums() == {}
    assert target.row_counts().get("accounts_user", 0) == 0
