"""Writes for checklists: start a run, record a step with its photos. Order and photo checks live
here; when a step may be done relative to a meeting is the caller's business (meetings knows the
meeting's times)."""

from decimal import Decimal, InvalidOperation

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from vcassure.accounts.types import UserLike, actor
from vcassure.checklists.models import (
    ChecklistRun,
    ChecklistStep,
    ChecklistTemplate,
    RunStep,
    StepPhoto,
    StepResult,
)
from vcassure.checklists.template_builder import number_text
from vcassure.core import clock
from vcassure.core.errors import ConflictError, InvalidInputError
from vcassure.core.services import audit_record
from vcassure.core.stored_files import stored_file_track, uploads_guarded
from vcassure.core.uploads import IMAGE_FORMATS, decode_image, upload_bytes

MAX_PHOTOS = 4
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_FORMATS = tuple(IMAGE_FORMATS)  # JPEG, PNG, WebP


def checklist_run_start(
    *, template: ChecklistTemplate, subject: str, org_unit, venue=None, by: "UserLike | None" = None
) -> ChecklistRun:
    """Start (or find) the run of a template for a subject. Starting freezes the template's steps
    onto the run (RunStep rows): editing the template later changes nothing this run does."""
    with transaction.atomic():
        run, created = ChecklistRun.objects.get_or_create(
            template=template,
            subject=subject,
            defaults={
                "org_unit": org_unit,
                "venue": venue,
                "started_by": actor(by),
            },
        )
        if created:
            RunStep.objects.bulk_create(
                RunStep(
                    run=run,
                    number=s.number,
                    title=s.title,
                    guidance=s.guidance,
                    phase=s.phase,
                    requires_photo=s.requires_photo,
                    reading_label=s.reading_label,
                    reading_unit=s.reading_unit,
                    reading_min=s.reading_min,
                    reading_max=s.reading_max,
                )
                for s in template.steps.all()
            )
    return run


def parse_reading(value) -> Decimal | None:
    """A reading as typed ('-18.5', '-18,5'), or None when left empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInputError(
            _("读数“%(v)s”不是数字。") % {"v": value},
            errors=[{"field": "reading", "message": _("请输入数字，例如 -18.5。")}],
        ) from exc
    if not number.is_finite() or abs(number) >= Decimal("10000000"):
        raise InvalidInputError(
            _("读数超出可记录的范围。"),
            errors=[{"field": "reading", "message": _("读数过大。")}],
        )
    return number.quantize(Decimal("0.001"))


def reading_problem(step: RunStep, reading: Decimal) -> str:
    """The Chinese sentence saying why a reading is out of its allowed range, or ""."""
    unit = step.reading_unit
    low, high = step.reading_min, step.reading_max
    if (low is not None and reading < low) or (high is not None and reading > high):
        if low is not None and high is not None:
            allowed = _("%(low)s 至 %(high)s %(unit)s") % {
                "low": number_text(low),
                "high": number_text(high),
                "unit": unit,
            }
        elif low is not None:
            allowed = _("不低于 %(low)s %(unit)s") % {"low": number_text(low), "unit": unit}
        else:
            allowed = _("不高于 %(high)s %(unit)s") % {"high": number_text(high), "unit": unit}
        return _("%(label)s %(value)s %(unit)s 超出允许范围（%(allowed)s）。") % {
            "label": step.reading_label,
            "value": number_text(reading),
            "unit": unit,
            "allowed": allowed.strip(),
        }
    return ""


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


@uploads_guarded
@transaction.atomic
def step_record(
    run: ChecklistRun,
    *,
    number: int,
    result: str,
    note: str = "",
    photos: list[UploadedFile] | None = None,
    reading=None,
    by: "UserLike | None" = None,
    photos_to_follow: int = 0,
) -> StepResult:
    """Record one step of the run's frozen steps. Steps go in order: step n needs every earlier
    step of the same phase, and every "before" step when it is an "after" step, to have passed.
    A step with a reading needs one; a reading out of the allowed range fails the step, with the
    reason put in front of the note. `photos_to_follow`: photos the phone will send as their own
    requests (step_photo_add); a pass then counts once they have all arrived
    (StepResult.counts_as_pass)."""
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
    step = RunStep.objects.filter(run=run, number=number).first()
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
    value = parse_reading(reading)
    if step.requires_reading:
        if value is None:
            raise InvalidInputError(
                _("此步骤需要填写读数：%(label)s（%(unit)s）。")
                % {"label": step.reading_label, "unit": step.reading_unit},
                errors=[{"field": "reading", "message": _("请填写读数。")}],
            )
        problem = reading_problem(step, value)
        if problem:
            result = StepResult.Result.FAIL
            note = f"{problem} {note.strip()}".strip()
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
    earlier = RunStep.objects.filter(run=run, number__lt=number)
    if step.phase == RunStep.Phase.BEFORE:
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
        reading=value if step.requires_reading else None,
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
        stored_file_track(photo.image)
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
            **({"reading": str(value)} if value is not None else {}),
            **({"photos_to_follow": photos_to_follow} if photos_to_follow else {}),
        },
    )
    run_completion_update(run, now)
    return record


@uploads_guarded
@transaction.atomic
def step_photo_add(
    run: ChecklistRun, *, number: int, photo: UploadedFile, by: "UserLike | None" = None
) -> tuple[StepResult, bool]:
    """One photo that follows the answer of step `number` (its latest record): the phone sends
    each as its own request and retries it over a weak link. Checked like any photo; at most
    MAX_PHOTOS per step; without a saved answer it is refused. Returns the record and whether
    this was the last photo awaited (the caller then moves its work on, as if the step had just
    been recorded with it)."""
    answered = latest_results(run).get(number)
    if answered is None:
        raise ConflictError(_("请先提交此步骤的检查结果，再上传照片。"), code="no_answer")
    record = StepResult.objects.select_for_update().get(pk=answered.pk)
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
    stored_file_track(stored.image)
    stored.save()
    awaited = record.photos_pending
    record.photos_pending = max(0, awaited - 1)
    record.save(update_fields=["photos_pending", "updated_at"])
    audit_record(
        actor=by,
        action="checklist.step_photo",
        obj=record,
        changes={"photo": stored.pk, "pending": record.photos_pending},
    )
    if awaited == 1:
        run_completion_update(run, now)
    return record, awaited == 1


def run_completion_update(run: ChecklistRun, now) -> None:
    """A run is complete when every frozen step's latest answer is a pass with its photos in;
    a later failure (a step found broken again) takes the completion back."""
    complete = run_progress(run)["all_passed"]
    if complete and run.completed_at is None:
        run.completed_at = now
    elif not complete and run.completed_at is not None:
        run.completed_at = None
    else:
        return
    run.save(update_fields=["completed_at", "updated_at"])


def run_progress(run: ChecklistRun) -> dict:
    """Which steps passed, which failed, which are still to do, per phase."""
    steps = list(run.steps.all())
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


# --- the template builder -------------------------------------------------------------------------
