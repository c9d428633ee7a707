"""Fail when a translation catalogue has untranslated or fuzzy entries."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Check that every catalogue in LOCALE_PATHS is completely translated."

    def handle(self, *args, **options):
        problems = []
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in Path(locale_dir).glob("*/LC_MESSAGES/*.po"):
                po = polib.pofile(str(po_path))
                missing = po.untranslated_entries() + po.fuzzy_entries()
                problems += [f"{po_path}: {entry.msgid!r}" for entry in missing]
                self.stdout.write(f"{po_path}: {po.percent_translated()}% translated")
        if problems:
            raise CommandError("Untranslated entries:\n" + "\n".join(problems[:50]))
