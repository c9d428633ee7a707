import factory

from vcassure.orgs.tests.factories import OrgUnitFactory
from vcassure.venues.models import CustomerSystem, Equipment, Venue


def system(code: str = "water") -> CustomerSystem:
    return CustomerSystem.objects.get(code=code)


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
