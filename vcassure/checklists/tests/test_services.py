"""Checklist runs and step records: one run per subject, steps in order, photos judged by their
content, every refusal in Chinese and with nothing written, and the progress the field pages show."""

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import ProtectedError

from tests.factories.checklists import (
    ChecklistStepFactory,
    ChecklistTemplateFactory,
    image_bytes,
    image_upload,
)
from tests.factories.venues import VenueFactory
from vcassure.checklists.models import ChecklistRun, ChecklistStep, StepPhoto, StepResult
from vcassure.checklists.services import (
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    checklist_run_start,
    latest_results,
    run_progress,
    step_record,
)
from vcassure.core import clock
from vcassure.core.errors import ConflictError, InvalidInputError
from vcassure.core.models import AuditEvent

Phase = ChecklistStep.Phase


def stored_files(media) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def written() -> dict[str, int]:
    """What recording a step writes: results, photos, audit events."""
    return {
        "results": StepResult.objects.count(),
        "photos": StepPhoto.objects.count(),
        "audit": AuditEvent.objects.filter(action="checklist.step").count(),
    }


def pass_step(run, number, by, **kwargs):
    step = run.steps.filter(number=number).first()
    photos = [image_upload()] if step is not None and step.requires_photo else []
    return step_record(run, number=number, result="pass", photos=photos, by=by, **kwargs)


# --- starting a run -------------------------------------------------------------------------------


def test_starting_a_run_records_its_subject_scope_and_who_started_it(tree, template, worker):
    venue = VenueFactory(org_unit=tree.townships[0])
    run = checklist_run_start(
        template=template, subject="task:7", org_unit=tree.townships[0], venue=venue, by=worker
    )
    run.refresh_from_db()
    assert run.template == template and run.subject == "task:7"
    assert run.org_unit == tree.townships[0] and run.venue == venue
    assert run.started_by == worker and run.completed_at is None
    progress = run_progress(run)
    assert [s.number for s in progress["steps"]] == list(
        template.steps.order_by("number").values_list("number", flat=True)
    )
    assert progress["latest"] == {}
    assert not progress["before_passed"] and not progress["all_passed"]


@pytest.mark.parametrize("by", [None, AnonymousUser()], ids=["nobody", "anonymous"])
def test_a_run_started_by_no_logged_in_user_names_no_one(tree, template, by):
    run = checklist_run_start(
        template=template, subject="inspection:1", org_unit=tree.counties[0], by=by
    )
    run.refresh_from_db()
    assert run.started_by is None and run.venue is None and run.org_unit == tree.counties[0]


def test_starting_again_for_the_same_subject_returns_the_first_run_as_it_was(
    tree, template, worker, media
):
    first = checklist_run_start(
        template=template, subject="task:1", org_unit=tree.townships[0], by=worker
    )
    record = pass_step(first, 1, worker)
    again = checklist_run_start(
        template=template,
        subject="task:1",
        org_unit=tree.townships[2],
        venue=VenueFactory(org_unit=tree.townships[2]),
        by=tree.user("province"),
    )
    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.org_unit == tree.townships[0] and again.venue is None
    assert again.started_by == worker
    assert latest_results(again)[1] == record  # what was recorded stays with the run
    assert ChecklistRun.objects.count() == 1
    # Another subject, or another template for the same subject, is another run.
    other_subject = checklist_run_start(
        template=template, subject="task:2", org_unit=tree.townships[0]
    )
    other_template = checklist_run_start(
        template=ChecklistTemplateFactory(), subject="task:1", org_unit=tree.townships[0]
    )
    assert len({first.pk, other_subject.pk, other_template.pk}) == 3
    assert ChecklistRun.objects.count() == 3


def test_a_run_keeps_the_steps_its_template_had_when_it_started(run, worker):
    """Steps are frozen onto a run when it starts: a step the administrator adds, renames or
    removes later changes nothing the run did or still does."""
    pass_step(run, 1, worker)
    template = run.template
    ChecklistStep.objects.filter(template=template, number=2).update(title="改过的步骤")
    ChecklistStep.objects.filter(template=template, number=3).delete()
    ChecklistStepFactory(template=template, number=9, phase=Phase.BEFORE)
    progress = run_progress(run)
    assert [s.number for s in progress["steps"]] == [1, 2, 3]
    assert progress["steps"][1].title != "改过的步骤"
    pass_step(run, 2, worker)
    pass_step(run, 3, worker)
    assert run_progress(run)["all_passed"]
    with pytest.raises(InvalidInputError, match="没有第 9 步"):
        pass_step(run, 9, worker)
    # A new run of the edited template gets the steps as they are now.
    later = checklist_run_start(template=template, subject="task:2", org_unit=run.org_unit)
    assert [s.title for s in run_progress(later)["steps"]][1] == "改过的步骤"
    assert [s.number for s in run_progress(later)["steps"]] == [1, 2, 9]


def test_recorded_steps_and_used_templates_cannot_be_deleted(run, worker):
    record = pass_step(run, 1, worker)
    before = written()
    with pytest.raises(ProtectedError):
        record.step.delete()
    with pytest.raises(ProtectedError):
        run.template.delete()
    assert written() == before
    assert run.template.steps.count() == 3 and ChecklistRun.objects.filter(pk=run.pk).exists()


# --- recording a step -----------------------------------------------------------------------------


def test_a_step_is_recorded_with_its_note_photos_and_an_audit_event(run, worker, media):
    # A JPEG that calls itself a PNG, and a PNG: the stored type comes from the decoded content.
    uploads = [
        SimpleUploadedFile("cabinet.png", image_bytes("JPEG", (64, 48)), content_type="image/png"),
        SimpleUploadedFile("ups.png", image_bytes("PNG", (32, 24)), content_type="image/png"),
    ]
    contents = [u.read() for u in uploads]
    for u in uploads:
        u.seek(0)
    with time_machine.travel("2026-12-01 08:00 +0800", tick=False):
        record = step_record(
            run, number=1, result="pass", note="  UPS 剩余电量 80%  ", photos=uploads, by=worker
        )
        now = clock.now()
    record.refresh_from_db()
    assert record.run == run and record.step.number == 1 and record.result == "pass"
    assert record.note == "UPS 剩余电量 80%"
    assert record.recorded_by == worker and record.recorded_at == now
    photos = list(record.photos.order_by("id"))
    assert [(p.extension, p.content_type, p.width, p.height) for p in photos] == [
        ("jpg", "image/jpeg", 64, 48),
        ("png", "image/png", 32, 24),
    ]
    for photo, upload, content in zip(photos, uploads, contents, strict=True):
        assert photo.size == upload.size == len(content) and photo.uploaded_at == now
        # Never the user's file name: a random one in the run's folder, with the true extension.
        assert photo.image.name.startswith(f"checklists/{run.pk}/")
        assert photo.image.name.endswith(f".{photo.extension}")
        assert upload.name.rsplit(".", 1)[0] not in photo.image.name
        with photo.image.open("rb") as stored:
            assert stored.read() == content
    assert stored_files(media) == sorted(p.image.name for p in photos)
    audit = AuditEvent.objects.get(action="checklist.step", object_id=str(record.pk))
    assert audit.actor_id == worker.pk
    assert audit.changes == {"subject": run.subject, "step": 1, "result": "pass", "photos": 2}


def test_a_step_recorded_again_keeps_every_record_and_the_latest_counts(run, worker):
    failed = step_record(run, number=1, result="fail", note="机柜无电", by=worker)
    assert failed.note == "机柜无电" and not failed.photos.exists()  # failing needs no photo
    assert latest_results(run)[1] == failed
    passed = pass_step(run, 1, worker)
    assert list(StepResult.objects.filter(run=run, step__number=1).order_by("id")) == [
        failed,
        passed,
    ]
    assert latest_results(run)[1] == passed


def _not_an_image():
    return {
        "number": 1,
        "result": "pass",
        "photos": [SimpleUploadedFile("photo.jpg", b"not a picture", content_type="image/jpeg")],
    }


BAD_RECORDS = {
    "unknown result": (
        lambda: {"number": 1, "result": "maybe", "photos": [image_upload()]},
        "结果只能是“通过”或“不通过”。",
        "result",
    ),
    "no such step": (
        lambda: {"number": 9, "result": "pass"},
        "该检查表没有第 9 步。",
        "step",
    ),
    "too many photos": (
        lambda: {
            "number": 1,
            "result": "pass",
            "photos": [image_upload(f"p{i}.png") for i in range(MAX_PHOTOS + 1)],
        },
        f"每一步最多上传 {MAX_PHOTOS} 张照片。",
        "photos",
    ),
    "not an image": (_not_an_image, "“photo.jpg”不是有效的图片。", "photos"),
    "a good photo and a bad one": (
        lambda: {
            "number": 1,
            "result": "pass",
            "photos": [
                image_upload("good.png"),
                SimpleUploadedFile("scan.png", b"%PDF-1.4\n%%EOF\n", content_type="image/png"),
            ],
        },
        "“scan.png”不是有效的图片。",
        "photos",
    ),
    "too large": (
        lambda: {
            "number": 1,
            "result": "pass",
            "photos": [
                SimpleUploadedFile(
                    "big.jpg", b"\xff" * (MAX_PHOTO_BYTES + 1), content_type="image/jpeg"
                )
            ],
        },
        f"照片“big.jpg”超过 {MAX_PHOTO_BYTES // 2**20} MB。",
        "photos",
    ),
    "a GIF": (
        lambda: {"number": 1, "result": "pass", "photos": [image_upload("anim.gif", "GIF")]},
        "照片只能是 JPEG、PNG 或 WebP 格式。",
        "photos",
    ),
    "no photo where one is required": (
        lambda: {"number": 1, "result": "pass"},
        "此步骤需要拍照留证。",
        "photos",
    ),
    "a failure without a note": (
        lambda: {"number": 1, "result": "fail", "note": "   "},
        "不通过时请填写情况说明。",
        "note",
    ),
}


@pytest.mark.parametrize("case", list(BAD_RECORDS))
def test_a_bad_record_is_refused_in_chinese_and_writes_nothing(case, run, worker, media):
    make_input, message, field = BAD_RECORDS[case]
    before, files = written(), stored_files(media)
    with pytest.raises(InvalidInputError) as refused:
        step_record(run, by=worker, **make_input())
    assert refused.value.message == message
    assert [e["field"] for e in refused.value.errors] == [field]
    assert written() == before and stored_files(media) == files


def test_a_photo_is_refused_when_not_jpeg_png_or_webp_and_says_which_format(run, worker):
    with pytest.raises(InvalidInputError) as refused:
        step_record(run, number=1, result="pass", photos=[image_upload("x.bmp", "BMP")], by=worker)
    assert refused.value.errors == [{"field": "photos", "message": "不支持的图片格式：BMP。"}]


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_every_accepted_format_is_stored(fmt, run, worker, media):
    record = step_record(
        run, number=1, result="pass", photos=[image_upload("photo", fmt)], by=worker
    )
    photo = record.photos.get()
    assert photo.content_type == f"image/{fmt.lower()}"
    assert photo.image.name.endswith(f".{photo.extension}")
    assert stored_files(media) == [photo.image.name]


# --- order ----------------------------------------------------------------------------------------


def test_steps_go_in_order_and_only_a_pass_opens_the_next(run, worker):
    before = written()
    with pytest.raises(ConflictError) as refused:
        step_record(run, number=2, result="pass", by=worker)
    assert refused.value.code == "out_of_order" and refused.value.message == "请先完成第 1 步。"
    assert written() == before
    # The after-meeting step needs every earlier step, whatever its phase.
    with pytest.raises(ConflictError) as refused:
        step_record(run, number=3, result="pass", by=worker)
    assert refused.value.message == "请先完成第 1、2 步。"
    step_record(run, number=1, result="fail", note="机柜无电", by=worker)
    with pytest.raises(ConflictError):
        step_record(run, number=2, result="pass", by=worker)
    pass_step(run, 1, worker)
    assert step_record(run, number=2, result="pass", by=worker).step.number == 2


def test_a_before_step_waits_for_earlier_before_and_any_steps_but_not_after_steps(tree, media):
    template = ChecklistTemplateFactory()
    ChecklistStepFactory(template=template, number=1, phase=Phase.ANY)
    ChecklistStepFactory(template=template, number=2, phase=Phase.AFTER)
    ChecklistStepFactory(template=template, number=3, phase=Phase.BEFORE)
    run = checklist_run_start(template=template, subject="task:9", org_unit=tree.townships[0])
    with pytest.raises(ConflictError) as refused:
        step_record(run, number=3, result="pass")
    assert refused.value.message == "请先完成第 1 步。"  # not step 2: it comes after the meeting
    step_record(run, number=1, result="pass")
    assert step_record(run, number=3, result="pass").step.number == 3
    assert step_record(run, number=2, result="pass").step.number == 2


# --- progress -------------------------------------------------------------------------------------


def test_progress_tells_when_the_before_steps_and_then_all_steps_have_passed(run, worker):
    def flags():
        progress = run_progress(run)
        return progress["before_passed"], progress["all_passed"]

    assert flags() == (False, False)
    pass_step(run, 1, worker)
    assert flags() == (False, False)
    pass_step(run, 2, worker)
    assert flags() == (True, False)
    pass_step(run, 3, worker)
    assert flags() == (True, True)
    # A step found broken again (after a repair, say) takes both back.
    failed = step_record(run, number=1, result="fail", note="电源又掉了", by=worker)
    assert flags() == (False, False)
    assert run_progress(run)["latest"][1] == failed
    assert sorted(run_progress(run)["latest"]) == [1, 2, 3]


def test_a_run_is_completed_when_every_step_has_passed_and_a_later_failure_takes_it_back(
    run, worker
):
    def completed_at():
        run.refresh_from_db()
        return run.completed_at

    pass_step(run, 1, worker)
    pass_step(run, 2, worker)
    assert completed_at() is None
    with time_machine.travel("2026-12-03T02:15:00Z", tick=False):
        pass_step(run, 3, worker)
        finished = clock.now()
    assert completed_at() == finished
    step_record(run, number=2, result="fail", note="光功率偏低", by=worker)
    assert completed_at() is None


def test_a_failure_after_the_photos_are_saved_leaves_no_file_behind(
    run, worker, media, monkeypatch
):
    # The caller's transaction may also roll back after step_record returns (meetings opens a fault
    # and moves the task in the same transaction); a failing audit insert stands in for that here.
    def audit_fails(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("vcassure.checklists.services.audit_record", audit_fails)
    with pytest.raises(RuntimeError):
        step_record(run, number=1, result="pass", photos=[image_upload()], by=worker)
    assert written() == {"results": 0, "photos": 0, "audit": 0}
    assert stored_files(media) == []
