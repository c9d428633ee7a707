from vcassure.accounts.models import Role
from vcassure.orgs.models import OrgUnit, Staff


def test_province_sees_every_unit(tree):
    assert OrgUnit.objects.visible_to(tree.user("province")).count() == 1 + 2 + 4 + 8


def test_county_sees_only_its_subtree(tree):
    visible = set(OrgUnit.objects.visible_to(tree.user("county0")).values_list("code", flat=True))
    assert visible == {tree.counties[0].code, tree.townships[0].code, tree.townships[1].code}


def test_township_staff_see_their_township_only(tree):
    user = tree.user("township3", Role.SUPPORT)
    assert list(OrgUnit.objects.visible_to(user)) == [tree.townships[3]]


def test_user_without_staff_record_sees_nothing(tree, django_user_model):
    stray = django_user_model.objects.create_user("stray", password="x", role=Role.DISPATCHER)
    assert not Staff.objects.visible_to(stray).exists()
    assert not OrgUnit.objects.visible_to(stray).exists()
