"""Users, org units, departments and staff."""

import factory

from vcassure.accounts.models import Role, User
from vcassure.orgs.models import Department, OrgUnit, Staff

PASSWORD = "pass-Word-123"  # every factory user's


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)
    role = Role.DISPATCHER


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"单元{n}")
    level = OrgUnit.Level.PROVINCE
    code = factory.Sequence(lambda n: f"{330000 + n:06d}")

    @factory.post_generation
    def set_path(obj, create, extracted, **kwargs):
        if create:
            obj.path = obj.build_path()
            obj.save(update_fields=["path"])


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    org_unit = factory.SubFactory(OrgUnitFactory)
    kind = Department.Kind.OPS
    name = factory.LazyAttribute(lambda o: f"{o.org_unit.name}{Department.Kind(o.kind).label}")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    code = factory.Sequence(lambda n: f"S{n:06d}")
    name = factory.Sequence(lambda n: f"员工{n}")
    org_unit = factory.SubFactory(OrgUnitFactory)
    mobile = factory.Sequence(lambda n: f"138{n:08d}")
    email = factory.LazyAttribute(lambda o: f"{o.code.lower()}@example.com")
