"""Writes for checklists: start a run, record a step with its photos. Order and photo checks live
here; when a step may be done relative to a meeting is the caller's business (meetings knows the
meeting's times)."""

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from vcassure.accounts.types import UserLike, actor
from vcassure.checklists.models import (
    ChecklistRun,
    ChecklistStep,
    ChecklistTemplate,
    StepPhoto,
    StepResult,
)
from vcassure.core import clock
from vcassure.core.errors import ConflictError, InvalidInputError
from vcassure.core.services import audit_record
from vcassure.core.uploads import IMAGE_FORMATS, decode_image, upload_bytes

MAX_PHOTOS = 4
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_FORMATS = tuple(IMAGE_FORMATS)  # JPEG, PNG, WebP


def checklist_run_start(
    *, template: ChecklistTemplate, subject: str, org_unit, venue=None, by: "UserLike | None" = None
) -> ChecklistRun:
    run, _created = ChecklistRun.objects.get_or_create(
        template=template,
        subject=subject,
        defaults={
            "org_unit": org_unit,
            "venue": venue,
            "started_by": actor(by),
        },
    )
    return run


def latest_results(run: ChecklistRun) -> dict[int, StepResult]:
    """Step number → its latest result."""
    latest: dict[int, StepResult] = {}
    for result in run.results.select_related("step").order_by("recorded_at", "id"):
        latest[result.step.number] = result
    return latest


def check_photo(upload: UploadedFile) -> tuple[str, str, int, int]:
    """(extension, content type, width, height) for a real JPEG, PNG or WebP image; judged by
    decoding the content, never by the file name or the browser's claim."""
    if (upload.size or 0) > MAX_PHOTO_BYTES:
        raise InvalidInputError(
            _("照片“%(name)s”超过 10 MB。") % {"name": upload.name},
            errors=[{"field": "photos", "message": _("照片不能超过 10 MB。")}],
        )
    decoded = decode_image(upload_bytes(upload))
    if decoded is None:
        raise InvalidInputError(
            _("“%(name)s”不是有效的图片。") % {"name": upload.name},
            errors=[{"field": "photos", "message": _("文件不是有效的图片。")}],
        )
    fmt, width, height = decoded
    if fmt not in PHOTO_FORMATS:
        raise InvalidInputError(
            _("照片只能是 JPEG、PNG 或 WebP 格式。"),
            errors=[{"field": "photos", "message": _("不支持的图片格式：%(f)s。") % {"f": fmt}}],
        )
    extension, content_type = IMAGE_FORMATS[fmt]
    return extension, content_type, width, height


@transaction.atomic
def step_record(
    run: ChecklistRun,
    *,
    number: int,
    result: str,
    note: str = "",
    photos: list[UploadedFile] | None = None,
    by: "UserLike | None" = None,
    photos_to_follow: int = 0,
) -> StepResult:
    """Record one step. Steps go in order: step n needs every earlier step of the same phase, and
    every "before" step when it is an "after" step, to have passed. `photos_to_follow`: photos
    the phone will send as their own requests (step_photo_add); a pass then counts once they
    have all arrived (StepResult.counts_as_pass)."""
    photos = photos or []
    if not 0 <= photos_to_follow <= MAX_PHOTOS - len(photos or []):
        raise InvalidInputError(
            _("每一步最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS},
            errors=[{"field": "photos", "message": _("照片过多。")}],
        )
    if result not in StepResult.Result.values:
        raise InvalidInputError(
            _("结果只能是“通过”或“不通过”。"),
            errors=[{"field": "result", "message": _("无效的结果。")}],
        )
    step = ChecklistStep.objects.filter(template=run.template, number=number).first()
    if step is None:
        raise InvalidInputError(
            _("该检查表没有第 %(n)s 步。") % {"n": number},
            errors=[{"field": "step", "message": _("步骤不存在。")}],
        )
    if len(photos) > MAX_PHOTOS:
        raise InvalidInputError(
            _("每一步最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS},
            errors=[{"field": "photos", "message": _("照片过多。")}],
        )
    checked = [check_photo(p) for p in photos]
    if (
        step.requires_photo
        and result == StepResult.Result.PASS
        and not (photos or photos_to_follow)
    ):
        raise InvalidInputError(
            _("此步骤需要拍照留证。"), errors=[{"field": "photos", "message": _("请上传照片。")}]
        )
    if result == StepResult.Result.FAIL and not note.strip():
        raise InvalidInputError(
            _("不通过时请填写情况说明。"),
            errors=[{"field": "note", "message": _("请说明故障现象。")}],
        )
    latest = latest_results(run)
    earlier = ChecklistStep.objects.filter(template=run.template, number__lt=number)
    if step.phase == ChecklistStep.Phase.BEFORE:
        earlier = earlier.filter(phase__in=[ChecklistStep.Phase.BEFORE, ChecklistStep.Phase.ANY])
    missing = [s for s in earlier if not (latest.get(s.number) and latest[s.number].counts_as_pass)]
    if missing:
        raise ConflictError(
            _("请先完成第 %(steps)s 步。")
            % {"steps": pgettext("list separator", "、").join(str(s.number) for s in missing)},
            code="out_of_order",
        )
    now = clock.now()
    record = StepResult.objects.create(
        run=run,
        step=step,
        result=result,
        note=note.strip()[:1000],
        recorded_at=now,
        recorded_by=actor(by),
        photos_pending=photos_to_follow,
    )
    for upload, (extension, content_type, width, height) in zip(photos, checked, strict=True):
        photo = StepPhoto(
            result=record,
            extension=extension,
            content_type=content_type,
            size=upload.size or 0,
            width=width,
            height=height,
            uploaded_at=now,
        )
        photo.image.save(f"photo.{extension}", upload, save=False)
        photo.save()
    audit_record(
        actor=by,
        action="checklist.step",
        obj=record,
        changes={
            "subject": run.subject,
            "step": number,
            "result": result,
            "photos": len(photos),
            **({"photos_to_follow": photos_to_follow} if photos_to_follow else {}),
        },
    )
    return record


@transaction.atomic
def step_photo_add(record: StepResult, *, photo: UploadedFile, by: "UserLike | None" = None):
    """One photo that follows its step's answer (the phone sends each as its own request and
    retries it over a weak link). Checked like any photo; at most MAX_PHOTOS per step. Returns
    the record with the photos still pending."""
    record = StepResult.objects.select_for_update().get(pk=record.pk)
    if record.photos.count() >= MAX_PHOTOS:
        raise InvalidInputError(
            _("每一步最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS},
            errors=[{"field": "photo", "message": _("照片过多。")}],
        )
    extension, content_type, width, height = check_photo(photo)
    now = clock.now()
    stored = StepPhoto(
        result=record,
        extension=extension,
        content_type=content_type,
        size=photo.size or 0,
        width=width,
        height=height,
        uploaded_at=now,
    )
    stored.image.save(f"photo.{extension}", photo, save=False)
    stored.save()
    record.photos_pending = max(0, record.photos_pending - 1)
    record.save(update_fields=["photos_pending", "updated_at"])
    audit_record(
        actor=by,
        action="checklist.step_photo",
        obj=record,
        changes={"photo": stored.pk, "pending": record.photos_pending},
    )
    return record


def run_progress(run: ChecklistRun) -> dict:
    """Which steps passed, which failed, which are still to do, per phase."""
    steps = list(run.template.steps.all())
    latest = latest_results(run)
    before = [s for s in steps if s.phase != ChecklistStep.Phase.AFTER]
    return {
        "steps": steps,
        "latest": latest,
        "before_passed": all(
            latest.get(s.number) is not None and latest[s.number].counts_as_pass for s in before
        ),
        "all_passed": all(
            latest.get(s.number) is not None and latest[s.number].counts_as_pass for s in steps
        ),
    }
