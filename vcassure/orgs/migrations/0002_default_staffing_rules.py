from django.db import migrations

# R5 defaults: city 2 + 2 emergency (network operations), county 2 + 3 (technical maintenance),
# one person per township venue. Administrators may change them.
DEFAULTS = [
    ("city", "network_ops", 2, 2),
    ("county", "tech_maintenance", 2, 3),
    ("township", "", 1, 0),
]


def add_rules(apps, schema_editor):
    StaffingRule = apps.get_model("orgs", "StaffingRule")
    for level, kind, regular, emergency in DEFAULTS:
        StaffingRule.objects.get_or_create(
            level=level, defaults={"department_kind": kind, "regular": regular, "emergency": emergency}
        )


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
