"""Fail when a translation catalogue is incomplete: untranslated or fuzzy entries, or interface
strings in the code that the catalogue does not have yet (found by a dry makemessages run when
GNU gettext is installed; the catalogue file is left as it was)."""

import shutil
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

IGNORE = [".venv", "tests", "bench", "var", "node_modules"]


class Command(BaseCommand):
    help = "Check that every catalogue in LOCALE_PATHS is completely translated and up to date."

    def handle(self, *args, **options):
        problems = []
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/django.po")):
                po = polib.pofile(str(po_path))
                missing = po.untranslated_entries() + po.fuzzy_entries()
                problems += [f"{po_path}: untranslated {entry.msgid!r}" for entry in missing]
                problems += [
                    f"{po_path}: not in the catalogue yet {msgid!r}"
                    for msgid in self._new_strings(po_path)
                ]
                self.stdout.write(f"{po_path}: {po.percent_translated()}% translated")
        if problems:
            raise CommandError(
                "Incomplete translations (run `manage.py makemessages -l en` and translate):\n"
                + "\n".join(problems[:60])
            )

    def _new_strings(self, po_path: Path) -> list[str]:
        if shutil.which("xgettext") is None:
            self.stderr.write(
                "GNU gettext is not installed: skipping the check for strings missing from the catalogue."
            )
            return []
        locale = po_path.parent.parent.name
        original = po_path.read_bytes()
        known = {(e.msgctxt, e.msgid) for e in polib.pofile(str(po_path))}
        try:
            call_command("makemessages", locale=[locale], ignore_patterns=IGNORE, verbosity=0)
            fresh = polib.pofile(str(po_path))
        finally:
            po_path.write_bytes(original)
        return [e.msgid for e in fresh if not e.obsolete and (e.msgctxt, e.msgid) not in known]
