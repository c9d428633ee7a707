"""A demo-sized platform with data for the restore drill (tests/ops/test_restore_drill.py), built
in its own process against the DATABASE_URL and MEDIA_ROOT of its environment: the demo province,
two published meetings (tasks, transitions, notifications and their deliveries, audit events), a
notice document and checklist runs with uploaded photos.

    python -m tests.ops.drill_platform
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    # Publishing writes every person's delivery row when a personal channel is configured; nothing
    # is sent (no consumer runs).
    os.environ.setdefault("SMS_GATEWAY_URL", "http://127.0.0.1:9/sms")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from bench.scenarios import bench_user, bulk_venues, meeting_draft, publish, spread_states
    from tests.factories.checklists import image_upload
    from tests.factories.files import pdf_bytes
    from vcassure.checklists.models import ChecklistTemplate
    from vcassure.checklists.services import checklist_run_start, step_record
    from vcassure.meetings.models import SupportTask

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    user = bench_user()
    venues = bulk_venues(60)
    meetings = []
    for chunk in (venues[:40], venues[40:]):
        meeting = meeting_draft(user, chunk)
        publish(user, meeting)
        spread_states(meeting)
        meetings.append(meeting)
    meetings[0].notice_document.save(
        "notice.pdf", SimpleUploadedFile("notice.pdf", pdf_bytes()), save=True
    )
    template = ChecklistTemplate.objects.get(code="venue-r7")
    photos = 0
    for task in SupportTask.objects.filter(meeting=meetings[0], kind="venue").order_by("id")[:6]:
        run = checklist_run_start(
            template=template, subject=f"task:{task.pk}", org_unit=task.org_unit, by=user
        )
        for number in (1, 2, 3):
            step_record(
                run,
                number=number,
                result="pass",
                photos=[image_upload(size=(64 + number, 48))] if number != 2 else [],
                by=user,
            )
            photos += number != 2
    print(f"drill platform: {len(meetings)} meetings, {photos} photos", file=sys.stderr)


if __name__ == "__main__":
    main()
