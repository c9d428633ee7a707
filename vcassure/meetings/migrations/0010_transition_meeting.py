"""Every task move carries its task's meeting (copied by the task door), indexed newest first, for
the dashboard's timeline. Existing moves get theirs from their task in one UPDATE; the column
becomes required in 0011 (on PostgreSQL a table whose rows this transaction updated cannot be
altered before it commits: its foreign keys' checks are deferred to the commit)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_meetings(apps, schema_editor):
    TaskTransition = apps.get_model("meetings", "TaskTransition")
    SupportTask = apps.get_model("meetings", "SupportTask")
    TaskTransition.objects.using(schema_editor.connection.alias).update(
        meeting_id=Subquery(
            SupportTask.objects.filter(pk=OuterRef("task_id")).values("meeting_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0009_joint_test_results"),
    ]

    operations = [
        migrations.AddField(
            model_name="tasktransition",
            name="meeting",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="meetings.meeting",
            ),
        ),
        migrations.RunPython(copy_meetings, migrations.RunPython.noop, elidable=False),
    ]
