from django.db import migrations

TEMPLATES = [
    ("venue-r7", "分会场现场保障(四步法)", "venue", [
        (1, "检查分会场机房及机柜电源供电情况", "市电、UPS、机柜 PDU 指示灯正常；记录 UPS 剩余电量。", "before", True),
        (2, "检查光路及接入设备交换机工作情况", "光功率在正常范围，ONU/光端机与接入交换机端口灯正常。", "before", False),
        (3, "开启视频系统设备电源，通过视频系统接入会议", "终端入会，主会场图像、声音双向正常。", "before", True),
        (4, "会议结束，设备关机，关闭视频系统电源", "按顺序关闭终端、显示设备，关闭视频系统电源。", "after", False),
    ]),
    ("fibre-r8", "光缆线路保障", "fibre", [
        (1, "会前巡查光缆路由", "沿路由巡查，确认无施工、挖掘、外力破坏隐患。", "before", True),
        (2, "检查接头盒、交接箱和引入段", "接头盒密封良好，交接箱门锁完好，引入段无损伤。", "before", False),
        (3, "抢修队伍及器材到位待命", "抢修人员、车辆、熔接机等器材到位，保持通信畅通。", "before", False),
    ]),
]


def add_templates(apps, schema_editor):
    Template = apps.get_model("checklists", "ChecklistTemplate")
    Step = apps.get_model("checklists", "ChecklistStep")
    for code, name, kind, steps in TEMPLATES:
        template, created = Template.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
        if created:
            for number, title, guidance, phase, photo in steps:
                Step.objects.create(template=template, number=number, title=title, guidance=guidance, phase=phase,
                                    requires_photo=photo)


class Migration(migrations.Migration):
    dependencies = [("checklists", "0001_initial")]
    operations = [migrations.RunPython(add_templates, migrations.RunPython.noop)]
