"""Restore of a backup archive (manage.py restore): every checksum checked before anything is
touched, a target that already holds a platform refused unless forced, the database and the media
replaced, then the row count of every table compared with the manifest."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.db import connection
from django.db.migrations.loader import MigrationLoader

from vcassure.ops.backup import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    SUMS,
    BackupError,
    applied_migrations,
    count_rows,
    media_files,
    media_root,
    pg_environment,
    pg_tool,
    run_tool,
    sha256_file,
    user_table,
)


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    tables: int = 0
    rows: int = 0
    files: int = 0
    bytes: int = 0
    missing_migrations: list[str] = field(default_factory=list)


def archive_read(archive: Path, into: Path) -> dict[str, Any]:
    """Extract the archive into `into` and check it: the manifest's format, exactly the files it
    lists, each with its size and SHA-256. Raises BackupError on the first mismatch."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            for member in members:
                # Plain files under the archive's root only (Python before 3.11.4, Debian 12's
                # 3.11.2 among them, has no extraction filters): no links, devices, absolute paths
                # or "..".
                parts = PurePosixPath(member.name).parts
                if not (member.isfile() or member.isdir()) or (
                    member.name.startswith("/") or ".." in parts
                ):
                    raise BackupError(f"{archive} holds an unexpected entry: {member.name!r}")
            if hasattr(tarfile, "data_filter"):
                tar.extractall(into, members=members, filter="data")
            else:  # pragma: no cover - checked above
                tar.extractall(into, members=members)  # noqa: S202  # nosec B202
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{archive} is not a readable backup archive: {exc}") from exc
    try:
        manifest = json.loads((into / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{archive} has no readable {MANIFEST}: {exc}") from exc
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{archive} is not a VC Assure backup of format {FORMAT_VERSION}.")
    listed = {f["path"] for f in manifest["files"]}
    present = {
        str(PurePosixPath(*p.relative_to(into).parts)) for p in into.rglob("*") if p.is_file()
    } - {MANIFEST, SUMS}
    if listed != present:
        missing, extra = sorted(listed - present), sorted(present - listed)
        raise BackupError(
            f"the archive's files differ from its manifest: missing {missing[:5]}, extra {extra[:5]}"
        )
    bad = [
        f["path"]
        for f in manifest["files"]
        if (into / f["path"]).stat().st_size != f["size"]
        or sha256_file(into / f["path"]) != f["sha256"]
    ]
    if bad:
        raise BackupError(
            f"checksum mismatch in {len(bad)} file(s) of the archive ({', '.join(bad[:5])}): "
            "the archive is damaged; restore nothing from it."
        )
    return manifest


def target_holds_data() -> list[str]:
    """Why the target is not empty (a fresh `migrate` is empty: it seeds only default templates,
    rules and systems, no user account)."""
    reasons = []
    with connection.cursor() as cursor:
        table = user_table()
        if table in connection.introspection.table_names(cursor):
            sql = f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}"  # noqa: S608  # nosec B608
            cursor.execute(sql)
            users = cursor.fetchone()[0]
            if users:
                reasons.append(f"the database has {users} user account(s)")
    root = media_root()
    if root and any(True for _ in media_files(root)):
        reasons.append(f"{root} holds files")
    return reasons


def unknown_migrations(manifest: dict[str, Any]) -> list[str]:
    """Migrations the backup had applied that this code does not know (a backup from newer code)."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in known
    ]


def database_replace(dump: Path, vendor: str) -> None:
    if vendor != connection.vendor:
        raise BackupError(
            f"the backup is of a {vendor} database and the target is {connection.vendor}: "
            "restore into the same kind of database."
        )
    if vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)  # replaces every page of the target
        finally:
            source.close()
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema(), current_setting('server_version_num')")
        schema, version_num = cursor.fetchone()
        quoted = connection.ops.quote_name(schema)
        cursor.execute(f"DROP SCHEMA IF EXISTS {quoted} CASCADE")
        cursor.execute(f"CREATE SCHEMA {quoted}")
    connection.close()
    run_tool(
        [
            pg_tool("pg_restore", int(version_num) // 10000),
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        pg_environment(),
    )


def media_replace(source: Path, root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for child in root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    if source.is_dir():
        for path in source.rglob("*"):
            if path.is_file():
                target = root / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)


def restore_apply(
    archive: Path, *, force: bool = False, stdout: Callable[[str], None] = lambda _m: None
) -> RestoreReport:
    """Check the archive, then replace this platform's database and media with its contents and
    compare every table's row count with the manifest."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist.")
    with tempfile.TemporaryDirectory(prefix="vcassure-restore-") as tmp:
        work = Path(tmp)
        manifest = archive_read(archive, work)
        stdout(f"archive checked: {len(manifest['files'])} files, every SHA-256 matches")
        newer = unknown_migrations(manifest)
        if newer and not force:
            raise BackupError(
                f"the backup has migrations this code does not know ({', '.join(newer[:5])}): "
                "restore with the release that made it, then upgrade (or --force)."
            )
        reasons = target_holds_data()
        if reasons and not force:
            raise BackupError(
                "the target is not empty (" + "; ".join(reasons) + "): restore replaces "
                "everything; pass --force to do so."
            )
        root = media_root()
        if manifest["media"]["included"] and root is None:
            raise BackupError("the backup has media files but MEDIA_ROOT is not on the filesystem.")
        database_replace(work / manifest["database"]["file"], manifest["database"]["vendor"])
        if root is not None and manifest["media"]["included"]:
            media_replace(work / "media", root)
        report = RestoreReport(manifest=manifest)
        report.missing_migrations = restored_migrations_behind()
        with connection.cursor() as cursor:
            counts = count_rows(cursor, list(manifest["tables"]), connection.ops.quote_name)
        differ = {t: (n, counts[t]) for t, n in manifest["tables"].items() if counts[t] != n}
        if differ:
            raise BackupError(f"restored row counts differ from the manifest: {differ}")
        report.tables, report.rows = len(counts), sum(counts.values())
        media = [f for f in manifest["files"] if f["path"].startswith("media/")]
        report.files, report.bytes = len(media), sum(f["size"] for f in media)
    return report


def restored_migrations_behind() -> list[str]:
    """Migrations of this code that the restored database has not applied (run migrate)."""
    applied = {(app, name) for app, names in applied_migrations().items() for name in names}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(
        f"{app}.{name}" for app, name in loader.disk_migrations if (app, name) not in applied
    )
