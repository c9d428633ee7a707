from django.db import migrations

SYSTEMS = [
    ("water", "水利视频会商系统", "省水利厅"),
    ("finance", "财政视频会商系统", "省财政厅"),
    ("government", "政务视频会商系统", "省政府办公厅"),
    ("general", "视频会商系统", ""),
]


def add_systems(apps, schema_editor):
    CustomerSystem = apps.get_model("venues", "CustomerSystem")
    for code, name, customer in SYSTEMS:
        CustomerSystem.objects.get_or_create(code=code, defaults={"name": name, "customer_name": customer})


class Migration(migrations.Migration):
    dependencies = [("venues", "0001_initial")]
    operations = [migrations.RunPython(add_systems, migrations.RunPython.noop)]
