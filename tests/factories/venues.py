"""Customer systems, venues and equipment."""

import factory

from tests.factories.orgs import OrgUnitFactory
from vcassure.venues.models import CustomerSystem, Equipment, Venue

SYSTEM_NAMES = {
    "water": "水利视频会商系统",
    "finance": "财政视频会商系统",
    "government": "政务视频会商系统",
    "general": "视频会商系统",
}


def system(code: str = "water") -> CustomerSystem:
    # get_or_create: transactional (browser) tests flush the rows the data migration wrote.
    return CustomerSystem.objects.get_or_create(
        code=code, defaults={"name": SYSTEM_NAMES.get(code, code)}
    )[0]


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    code = factory.Sequence(lambda n: f"V{n:06d}")
    name = factory.Sequence(lambda n: f"会场{n}")
    system = factory.LazyFunction(system)
    org_unit = factory.SubFactory(OrgUnitFactory)


class EquipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Equipment

    venue = factory.SubFactory(VenueFactory)
    kind = Equipment.Kind.TERMINAL
    model = "华为 TE40"
    serial_number = factory.Sequence(lambda n: f"SN{n:08d}")
