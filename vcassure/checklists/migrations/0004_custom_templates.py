"""Custom checklist templates: where a template applies, readings with an allowed range, and the
steps frozen onto each run (RunStep); results now point to the run's frozen step."""

import django.db.models.deletion
from django.db import migrations, models

READING = dict(max_digits=10, decimal_places=3, null=True, blank=True)


def freeze_existing_runs(apps, schema_editor):
    Run = apps.get_model("checklists", "ChecklistRun")
    Step = apps.get_model("checklists", "ChecklistStep")
    RunStep = apps.get_model("checklists", "RunStep")
    Result = apps.get_model("checklists", "StepResult")
    for run in Run.objects.all().iterator():
        frozen = {}
        for step in Step.objects.filter(template_id=run.template_id):
            frozen[step.pk] = RunStep.objects.create(
                run=run,
                number=step.number,
                title=step.title,
                guidance=step.guidance,
                phase=step.phase,
                requires_photo=step.requires_photo,
            )
        for result in Result.objects.filter(run=run):
            result.run_step = frozen[result.step_id]
            result.save(update_fields=["run_step"])


def mark_defaults(apps, schema_editor):
    Template = apps.get_model("checklists", "ChecklistTemplate")
    Step = apps.get_model("checklists", "ChecklistStep")
    Template.objects.filter(code="venue-r7").update(applies_to="meeting", importances=[])
    Template.objects.filter(code="fibre-r8").update(
        applies_to="meeting", importances=["important", "special"]
    )
    template, created = Template.objects.get_or_create(
        code="inspection-daily",
        defaults={"name": "会场日常巡检", "kind": "inspection", "applies_to": "inspection"},
    )
    if created:
        for number, title, guidance, photo, label, unit, low, high in [
            (1, "检查机房及机柜电源", "市电、UPS、PDU 指示灯正常。", False, "", "", None, None),
            (2, "测量接入光功率", "光功率计测量 ONU 收光。", False, "收光功率", "dBm", -27, -8),
            (3, "终端开机自检并呼叫测试", "终端入网，图像声音正常。", True, "", "", None, None),
        ]:
            Step.objects.create(
                template=template,
                number=number,
                title=title,
                guidance=guidance,
                phase="any",
                requires_photo=photo,
                reading_label=label,
                reading_unit=unit,
                reading_min=low,
                reading_max=high,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0003_photos_pending"),
        ("venues", "0002_default_systems"),
    ]

    operations = [
        migrations.AddField(
            model_name="checklisttemplate",
            name="applies_to",
            field=models.CharField(
                choices=[("meeting", "会议保障"), ("inspection", "日常巡检"), ("test", "联调测试")],
                default="meeting",
                max_length=12,
                verbose_name="适用于",
            ),
        ),
        migrations.AddField(
            model_name="checklisttemplate",
            name="system",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="venues.customersystem",
                verbose_name="系统",
            ),
        ),
        migrations.AddField(
            model_name="checklisttemplate",
            name="importances",
            field=models.JSONField(blank=True, default=list, verbose_name="会议重要性"),
        ),
        migrations.AddField(
            model_name="checklisttemplate",
            name="inspection_kind",
            field=models.CharField(blank=True, max_length=40, verbose_name="巡检类别"),
        ),
        migrations.AddField(
            model_name="checkliststep",
            name="reading_label",
            field=models.CharField(blank=True, max_length=40, verbose_name="读数名称"),
        ),
        migrations.AddField(
            model_name="checkliststep",
            name="reading_unit",
            field=models.CharField(blank=True, max_length=12, verbose_name="单位"),
        ),
        migrations.AddField(
            model_name="checkliststep",
            name="reading_min",
            field=models.DecimalField(verbose_name="下限", **READING),
        ),
        migrations.AddField(
            model_name="checkliststep",
            name="reading_max",
            field=models.DecimalField(verbose_name="上限", **READING),
        ),
        migrations.CreateModel(
            name="RunStep",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveSmallIntegerField(verbose_name="序号")),
                ("title", models.CharField(max_length=200, verbose_name="步骤")),
                ("guidance", models.TextField(blank=True, verbose_name="说明")),
                (
                    "phase",
                    models.CharField(
                        choices=[("before", "会前"), ("after", "会后"), ("any", "不限")],
                        default="before",
                        max_length=8,
                        verbose_name="时机",
                    ),
                ),
                ("requires_photo", models.BooleanField(default=False, verbose_name="需拍照")),
                ("reading_label", models.CharField(blank=True, max_length=40, verbose_name="读数名称")),
                ("reading_unit", models.CharField(blank=True, max_length=12, verbose_name="单位")),
                ("reading_min", models.DecimalField(verbose_name="下限", **READING)),
                ("reading_max", models.DecimalField(verbose_name="上限", **READING)),
                (
                    "run",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="steps",
                        to="checklists.checklistrun",
                    ),
                ),
            ],
            options={
                "verbose_name": "检查步骤",
                "verbose_name_plural": "检查步骤",
                "ordering": ["run", "number"],
                "constraints": [
                    models.UniqueConstraint(fields=("run", "number"), name="uniq_run_step_number")
                ],
            },
        ),
        migrations.AddField(
            model_name="stepresult",
            name="reading",
            field=models.DecimalField(verbose_name="读数", **READING),
        ),
        migrations.AddField(
            model_name="stepresult",
            name="run_step",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="checklists.runstep",
            ),
        ),
        migrations.RunPython(freeze_existing_runs, migrations.RunPython.noop),
        migrations.RemoveField(model_name="stepresult", name="step"),
        migrations.RenameField(model_name="stepresult", old_name="run_step", new_name="step"),
        migrations.AlterField(
            model_name="stepresult",
            name="step",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="checklists.runstep",
            ),
        ),
        migrations.RunPython(mark_defaults, migrations.RunPython.noop),
    ]
