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


def test_scope_helpers_agree_for_every_kind_of_user(tree, django_user_model):
    from vcassure.orgs.scoping import in_scope, scope_q, scope_unit, visible_unit

    admin = django_user_model.objects.create_superuser("root", password="x")
    stray = django_user_model.objects.create_user("stray2", password="x", role=Role.DISPATCHER)
    county = tree.user("county0")
    other_town = tree.townships[2]
    # everything
    assert OrgUnit.objects.filter(scope_q(admin, "path")).count() == OrgUnit.objects.count()
    assert in_scope(admin, other_town.path) and scope_unit(admin) is None
    # nothing
    assert not OrgUnit.objects.filter(scope_q(stray, "path")).exists()
    assert not in_scope(stray, tree.province.path) and visible_unit(stray, tree.province.pk) is None
    # a subtree, through a join too
    assert set(Staff.objects.filter(scope_q(county)).values_list("org_unit_id", flat=True)) <= {
        tree.counties[0].pk,
        tree.townships[0].pk,
        tree.townships[1].pk,
    }
    assert scope_unit(county) == tree.counties[0]
    assert in_scope(county, tree.townships[1].path) and not in_scope(county, other_town.path)
    assert visible_unit(county, tree.townships[0].pk) == tree.townships[0]
    assert visible_unit(county, other_town.pk) is None, "another scope's unit looks missing"
    assert not Staff.objects.in_visible_unit(county, other_town.pk).exists()
    assert Staff.objects.in_visible_unit(county, tree.townships[0].pk).exists()


def test_unit_chain_and_ancestors(tree):
    town = tree.townships[3]
    county, city = town.parent, town.parent.parent
    assert town.chain_ids == [tree.province.pk, city.pk, county.pk, town.pk]
    assert town.ancestor_ids == [tree.province.pk, city.pk, county.pk]
    assert tree.province.ancestor_ids == []
    assert OrgUnit.path_ids("/1/7/23/") == [1, 7, 23]
