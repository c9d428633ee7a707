import time

from django.core.management.base import BaseCommand, CommandError

from vcassure.home.history import history_build
from vcassure.meetings.models import Meeting
from vcassure.orgs.models import OrgUnit


class Command(BaseCommand):
    help = (
        "Fill the demo province with three months of past meetings (acknowledgements, readiness, "
        "faults and repairs) for the reports and the monthly KPIs. Run after seed_demo, on a "
        "database without meetings."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90, help="How far back (default 90).")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, days: int, seed: int, **options):
        if not OrgUnit.objects.exists():
            raise CommandError("No directory yet: run `manage.py seed_demo` first.")
        if Meeting.objects.exists():
            raise CommandError(
                "The database already holds meetings; seed_history adds its past meetings only to "
                "a fresh demo province (run `manage.py seed_demo --force` first)."
            )
        started = time.perf_counter()
        history_build(days=days, seed=seed, stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(f"Demo history loaded in {time.perf_counter() - started:.1f} s.")
        )
