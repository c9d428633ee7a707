from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from vcassure.ops.backup import BackupError
from vcassure.ops.restore import restore_apply


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into this platform's database and MEDIA_ROOT. "
        "Checks every SHA-256 first; refuses a target that already holds data unless --force; "
        "compares every table's row count with the backup's manifest afterwards. Stop the web "
        "server and the consumers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The archive written by manage.py backup.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database and media that already hold data (everything in them is lost).",
        )

    def handle(self, *args, archive: str, force: bool, **options):
        try:
            report = restore_apply(Path(archive), force=force, stdout=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {archive} (made {report.manifest['created_at']}): {report.tables} tables, "
                f"{report.rows} rows, {report.files} media files ({report.bytes} bytes); every row "
                "count matches the manifest."
            )
        )
        if report.missing_migrations:
            self.stdout.write(
                f"The backup predates {len(report.missing_migrations)} migration(s) of this release: "
                "run `manage.py migrate` now."
            )
