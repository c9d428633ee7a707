"""Photo files follow their rows: a transaction that rolls back after the file was written takes
the file with it (core.stored_files), and the daily sweep removes what no row refers to."""

import os
import time
from datetime import timedelta

import pytest
from django.db import transaction

from tests.factories.checklists import image_upload
from vcassure.checklists.models import StepPhoto
from vcassure.checklists.services import step_record
from vcassure.core.stored_files import kept_only_if_committed, orphan_files_sweep


def stored(media) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


@pytest.mark.django_db(transaction=True)
def test_the_callers_rollback_after_the_service_returned_removes_the_file(run, worker, media):
    with kept_only_if_committed():  # what the middleware opens around every request
        try:
            with transaction.atomic():
                record = step_record(
                    run, number=1, result="pass", photos=[image_upload()], by=worker
                )
                assert len(stored(media)) == 1  # written, not yet committed
                raise RuntimeError("opening the fault failed")
        except RuntimeError:
            pass
    assert not StepPhoto.objects.filter(result_id=record.pk).exists()
    assert stored(media) == []


@pytest.mark.django_db(transaction=True)
def test_a_committed_photo_stays(run, worker, media):
    with kept_only_if_committed(), transaction.atomic():
        record = step_record(run, number=1, result="pass", photos=[image_upload()], by=worker)
    assert stored(media) == [record.photos.get().image.name]


def test_the_sweep_removes_old_files_no_row_refers_to_and_keeps_the_rest(run, worker, media):
    record = step_record(run, number=1, result="pass", photos=[image_upload()], by=worker)
    kept = record.photos.get().image.name
    orphan = media / "checklists" / "999" / "lost.jpg"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"\xff\xd8 not referenced")
    young = media / "checklists" / "999" / "young.jpg"
    young.write_bytes(b"\xff\xd8 still in an open transaction, perhaps")
    old = time.time() - 7 * 3600
    for path in (orphan, media / kept):
        os.utime(path, (old, old))

    removed = orphan_files_sweep(grace=timedelta(hours=6))

    assert removed == ["checklists/999/lost.jpg"]
    assert stored(media) == sorted([kept, "checklists/999/young.jpg"])
