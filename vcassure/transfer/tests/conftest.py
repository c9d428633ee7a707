import pytest

from vcassure.venues.models import CustomerSystem


@pytest.fixture
def systems(db) -> dict[str, CustomerSystem]:
    """The customer systems (a data migration creates the default ones)."""
    for code, name in (("water", "水利"), ("finance", "财政"), ("government", "政务")):
        CustomerSystem.objects.get_or_create(code=code, defaults={"name": name})
    return {system.code: system for system in CustomerSystem.objects.all()}
