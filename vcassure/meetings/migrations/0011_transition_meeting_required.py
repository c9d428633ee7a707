"""The task move's meeting required (filled in 0010) and indexed newest first."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0010_transition_meeting"),
    ]

    operations = [
        migrations.AlterField(
            model_name="tasktransition",
            name="meeting",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="meetings.meeting",
            ),
        ),
        migrations.AddIndex(
            model_name="tasktransition",
            index=models.Index(fields=["meeting", "-id"], name="transition_meeting_latest"),
        ),
    ]
