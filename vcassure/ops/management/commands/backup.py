from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from vcassure.ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the running platform: a consistent snapshot of the database (SQLite's backup API, or "
        "pg_dump for PostgreSQL) and every uploaded file, in one tar archive with a manifest and "
        "SHA-256 checksums. Safe while the platform serves."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "archive",
            nargs="?",
            help="Archive to write (.tar, or .tar.gz to compress); default "
            "vcassure-backup-<time>.tar.gz in --directory.",
        )
        parser.add_argument("--directory", default=".", help="Where the default name goes.")

    def handle(self, *args, archive: str | None, directory: str, **options):
        if archive is None:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            archive = str(Path(directory) / f"vcassure-backup-{stamp}.tar.gz")
        try:
            manifest = backup_create(Path(archive), stdout=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {archive}: {len(manifest['tables'])} tables, {rows} rows, "
                f"{manifest['media']['files']} media files."
            )
        )
