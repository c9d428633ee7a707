"""The demo province: a fictional directory (org units, departments, staff), venues, equipment and
fibre routes, built deterministically from a seed for `manage.py seed_demo`, the benchmarks and a
first look at the product. Every name, number and address is invented; the management addresses
are data only and never contacted."""

import random

from django.db import transaction

from vcassure.core.errors import ApplicationError
from vcassure.core.services import audit_record
from vcassure.orgs.models import Department, OrgUnit, Staff
from vcassure.venues.demo.builder import ProvinceBuilder
from vcassure.venues.demo.data import (
    DELIBERATE_SHORTFALLS,
    DEMO_PASSWORD,
    PROVINCE_CODE,
    PROVINCE_NAME,
    DeliberateShortfall,
)
from vcassure.venues.models import Equipment, FibreRoute, Integrator, Venue


def demo_directory_is_empty() -> bool:
    return not OrgUnit.objects.exists()


@transaction.atomic
def demo_directory_wipe() -> dict[str, int]:
    """Delete the directory and what hangs off it: equipment, fibre routes, venues, integrators,
    staff, departments and org units (bottom-up: `parent` is PROTECT). Customer systems, staffing
    rules and login users stay. Rows of other apps that PROTECT these raise ProtectedError."""
    deleted: dict[str, int] = {}
    querysets = [
        Equipment.objects.all(),
        FibreRoute.objects.all(),
        Venue.objects.all(),
        Integrator.objects.all(),
        Staff.objects.all(),
        Department.objects.all(),
    ]
    querysets += [OrgUnit.objects.filter(level=level) for level in reversed(OrgUnit.LEVEL_ORDER)]
    querysets.append(OrgUnit.objects.all())
    for qs in querysets:
        for label, n in qs.delete()[1].items():
            deleted[label] = deleted.get(label, 0) + n
    audit_record(actor=None, action="demo.wipe", object_type="orgs.orgunit", changes=deleted)
    return deleted


@transaction.atomic
def demo_province_build(*, seed: int = 2026, stdout=None) -> dict:
    """Build the demo province into an empty directory; the same seed gives the same codes, names,
    numbers and addresses. Returns counts, the deliberate shortfalls and the demo logins."""
    if not demo_directory_is_empty():
        raise ApplicationError("The directory is not empty; wipe it first (seed_demo --force).")
    return ProvinceBuilder(random.Random(seed), stdout).build(seed)


__all__ = [
    "DELIBERATE_SHORTFALLS",
    "DEMO_PASSWORD",
    "DeliberateShortfall",
    "PROVINCE_CODE",
    "PROVINCE_NAME",
    "ProvinceBuilder",
    "demo_directory_is_empty",
    "demo_directory_wipe",
    "demo_province_build",
]
