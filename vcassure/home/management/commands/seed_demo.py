import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError

from vcassure.home.demo import demo_im_groups_build, demo_im_groups_wipe
from vcassure.orgs.selectors import staffing_shortfalls
from vcassure.venues.demo import (
    DEMO_PASSWORD,
    PROVINCE_NAME,
    demo_directory_is_empty,
    demo_directory_wipe,
    demo_province_build,
)


class Command(BaseCommand):
    help = (
        "Load the demo province: a fictional, deterministic directory (11 cities, about 90 counties and "
        "1,300 townships) with staff, venues, equipment and fibre routes, and four demo logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed",
            type=int,
            default=2026,
            help="Random seed; the same seed builds the same province.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Delete the existing directory (org units, departments, staff, venues, equipment, fibre "
            "routes, integrators) first.",
        )

    def handle(self, *args, seed: int, force: bool, **options):
        if not force and not demo_directory_is_empty():
            raise CommandError(
                "The directory already holds org units, so seed_demo stops rather than mix the demo province "
                "into them. Run `manage.py seed_demo --force` to delete the existing directory (org units, "
                "departments, staff, venues, equipment, fibre routes, integrators) and load the demo province."
            )
        started = time.perf_counter()
        try:
            with transaction.atomic():
                if force:
                    demo_im_groups_wipe()
                    wiped = demo_directory_wipe()
                    if wiped:
                        self.stdout.write(
                            f"Deleted the existing directory ({sum(wiped.values())} rows)."
                        )
                self.stdout.write(f"Building the demo province (seed {seed})…")
                result = demo_province_build(seed=seed, stdout=self.stdout)
                groups = demo_im_groups_build()
        except (ProtectedError, RestrictedError) as exc:
            raise CommandError(
                "Cannot delete the existing directory: other records (meetings, tasks, faults, …) still refer to "
                f"it. Nothing was changed. Details: {exc.args[0]}"
            ) from exc
        seconds = time.perf_counter() - started
        shortfalls = staffing_shortfalls()
        units = result["units"]
        lines = [
            f"Demo province {PROVINCE_NAME} (seed {seed}) loaded in {seconds:.1f} s.",
            f"  org units:     {units['province']} province, {units['city']} cities, {units['county']} counties, "
            f"{units['township']} townships",
            f"  departments:   {result['departments']}",
            f"  staff:         {result['staff']} ({result['emergency_staff']} emergency mobile)",
            f"  venues:        {result['venues']}",
            f"  equipment:     {result['equipment']} (fibre routes {result['fibre_routes']}, "
            f"integrators {result['integrators']})",
            f"  R5 shortfalls: {len(shortfalls)} (built in on purpose: {len(result['shortfalls'])})",
        ]
        lines += [
            f"    {s.org_unit_code} {s.org_unit_name}: {s.kind} {s.actual}/{s.required}"
            for s in shortfalls
        ]
        lines.append(
            f"  IM groups:     {len(groups)} (robots point at 127.0.0.1 until `make run` starts its fakes)"
        )
        lines.append(f"  logins:        {', '.join(result['logins'])} (password {DEMO_PASSWORD})")
        self.stdout.write(self.style.SUCCESS(lines[0]))
        self.stdout.write("\n".join(lines[1:]))
