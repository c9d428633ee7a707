"""Backup and restore of a whole platform: the database and the uploaded files, in one tar archive
with a manifest and SHA-256 checksums (manage.py backup / manage.py restore).

The archive holds:
  manifest.json          format, versions, the applied migrations, the row count of every table
                         (counted in the backup's own snapshot), and every file with size and SHA-256
  SHA256SUMS             the same checksums in `sha256sum -c` form, to check an archive by hand
  database.sqlite3       SQLite: a copy made with SQLite's online backup API, or
  database.pgdump        PostgreSQL: pg_dump's custom format (pg_restore reads it)
  media/…                the files under MEDIA_ROOT (photos, notice documents)

Consistency while the platform runs: the database copy is one snapshot (SQLite's backup API holds
a read transaction; pg_dump runs in a REPEATABLE READ snapshot exported by this process, and the row
counts are taken in that same snapshot). The media files are copied after the snapshot, and uploads
are never rewritten in place, so every file the snapshot refers to is in the archive (a file uploaded
after the snapshot may be there too, unreferenced and harmless).

Restoring (restore.py) checks every checksum before it touches anything, refuses a target that already holds a
platform (any user account, or any file under MEDIA_ROOT) unless forced, replaces the database and
the media, and then compares the row count of every table with the manifest."""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

import django
from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

FORMAT = "vcassure-backup"


FORMAT_VERSION = 1


MANIFEST = "manifest.json"


SUMS = "SHA256SUMS"


CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def vcassure_version() -> str:
    try:
        return metadata.version("vcassure")
    except metadata.PackageNotFoundError:  # pragma: no cover - a checkout not installed
        return "unknown"


def applied_migrations() -> dict[str, list[str]]:
    """App label → the names of its applied migrations, as django_migrations records them."""
    state: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        if "django_migrations" not in connection.introspection.table_names(cursor):
            return state
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            state.setdefault(app, []).append(name)
    return state


def count_rows(cursor, tables: list[str], quote: Callable[[str], str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        sql = f"SELECT COUNT(*) FROM {quote(table)}"  # noqa: S608  # nosec B608
        cursor.execute(sql)
        counts[table] = int(cursor.fetchone()[0])
    return counts


def media_root() -> Path | None:
    """MEDIA_ROOT when uploads are on the filesystem; None when they are in an S3 bucket (backed up
    by the bucket's own versioning or replication, not by this archive)."""
    backend = settings.STORAGES["default"]["BACKEND"]
    if backend != "django.core.files.storage.FileSystemStorage":
        return None
    return Path(settings.MEDIA_ROOT)


def media_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


def user_table() -> str:
    from django.contrib.auth import get_user_model

    return get_user_model()._meta.db_table


def pg_tool(name: str, server_major: int | None = None) -> str:
    """pg_dump / pg_restore of the server's major version when Debian's packages have it, else the
    newest installed, else the one on PATH (pg_dump refuses a server newer than itself)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    for path in candidates:
        if server_major is not None and path.parent.parent.name == str(server_major):
            return str(path)
    if candidates:
        return str(candidates[-1])
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} was not found: install PostgreSQL's client tools (Debian: postgresql-client)."
        )
    return found


def pg_environment(alias: str = "default") -> dict[str, str]:
    """libpq's variables for the Django database (the password stays off the command line)."""
    db = connections[alias].settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def run_tool(command: list[str], env: dict[str, str]) -> None:
    # The PostgreSQL tools by absolute path; arguments from the settings, never from a request.
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


def dump_database(directory: Path) -> tuple[str, dict[str, Any], dict[str, int]]:
    """Copy the database into `directory`; returns the file name, what the manifest says about the
    database, and the row count of every table in the copied snapshot."""
    vendor = connection.vendor
    if vendor == "sqlite":
        target = directory / "database.sqlite3"
        connection.ensure_connection()
        source = connection.connection  # the live connection: works for a file or a memory database
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
            tables = [
                row[0]
                for row in dest.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            counts = count_rows(dest.cursor(), tables, lambda t: '"' + t.replace('"', '""') + '"')
        finally:
            dest.close()
        info = {"vendor": vendor, "server_version": sqlite3.sqlite_version}
        return target.name, info, counts
    if vendor == "postgresql":
        target = directory / "database.pgdump"
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version_num')")
            snapshot, version_num = cursor.fetchone()
            major = int(version_num) // 10000
            pg_dump = pg_tool("pg_dump", major)
            run_tool(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-owner",
                    "--no-acl",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                ],
                pg_environment(),
            )
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            tables = [row[0] for row in cursor.fetchall()]
            counts = count_rows(cursor, tables, connection.ops.quote_name)
            cursor.execute("SHOW server_version")
            server_version = cursor.fetchone()[0]
        tool = subprocess.run(  # noqa: S603 - the pg_dump found above
            [pg_dump, "--version"], capture_output=True, text=True, check=False
        )
        info = {
            "vendor": vendor,
            "server_version": server_version,
            "tool": tool.stdout.strip(),
        }
        return target.name, info, counts
    raise BackupError(f"backing up a {vendor} database is not supported")


def backup_create(archive: Path, *, stdout: Callable[[str], None] = lambda _m: None) -> dict:
    """Write the backup archive (tar; gzip-compressed when the name ends in .gz); returns its
    manifest. The archive appears under its name only once complete, readable by its owner only."""
    archive = Path(archive)
    if archive.exists():
        raise BackupError(f"{archive} already exists: choose a new name.")
    archive.parent.mkdir(parents=True, exist_ok=True)
    compress = archive.name.endswith(".gz")
    partial = archive.with_name(archive.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="vcassure-backup-") as tmp:
        work = Path(tmp)
        db_file, db_info, counts = dump_database(work)
        stdout(f"database: {db_info['vendor']} snapshot, {len(counts)} tables")
        files: list[dict[str, Any]] = [
            {
                "path": db_file,
                "size": (work / db_file).stat().st_size,
                "sha256": sha256_file(work / db_file),
            }
        ]
        root = media_root()
        media: list[tuple[Path, dict[str, Any]]] = []
        for path in media_files(root) if root is not None else ():
            rel = PurePosixPath("media", *path.relative_to(root).parts)  # type: ignore[arg-type]
            media.append((path, {"path": str(rel), "size": path.stat().st_size}))
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with (
            os.fdopen(fd, "wb") as raw,
            (
                tarfile.open(fileobj=raw, mode="w:gz")
                if compress
                else tarfile.open(fileobj=raw, mode="w")
            ) as tar,
        ):
            tar.add(work / db_file, arcname=db_file)
            for path, entry in media:
                # Hash exactly the bytes put into the archive: read once, hash while copying.
                digest = hashlib.sha256()
                with path.open("rb") as f, tempfile.SpooledTemporaryFile(CHUNK * 8) as spool:
                    while chunk := f.read(CHUNK):
                        digest.update(chunk)
                        spool.write(chunk)
                    entry["size"] = spool.tell()
                    spool.seek(0)
                    info = tarfile.TarInfo(entry["path"])
                    info.size, info.mode, info.mtime = (
                        entry["size"],
                        0o644,
                        int(path.stat().st_mtime),
                    )
                    tar.addfile(info, spool)
                entry["sha256"] = digest.hexdigest()
                files.append(entry)
            manifest: dict[str, Any] = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": timezone.now().isoformat(),
                "versions": {
                    "vcassure": vcassure_version(),
                    "django": django.get_version(),
                    "python": platform.python_version(),
                },
                "database": {**db_info, "file": db_file},
                "migrations": applied_migrations(),
                "tables": counts,
                "media": {
                    "storage": "filesystem" if root else "s3",
                    "included": root is not None,
                    "files": len(media),
                    "bytes": sum(e["size"] for _p, e in media),
                },
                "files": files,
            }
            for name, data in (
                (MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False).encode()),
                (SUMS, "".join(f"{f['sha256']}  {f['path']}\n" for f in files).encode()),
            ):
                info = tarfile.TarInfo(name)
                info.size, info.mode = len(data), 0o644
                info.mtime = int(timezone.now().timestamp())
                tar.addfile(info, io.BytesIO(data))
    os.replace(partial, archive)
    stdout(
        f"media: {manifest['media']['files']} files, {manifest['media']['bytes']} bytes"
        + ("" if root else " (S3 bucket: not in the archive)")
    )
    return manifest
