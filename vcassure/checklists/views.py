"""Step photos, served only through this view and only to someone who may see the run: its org
unit lies in the user's subtree, or the user worked the run (started it or recorded a step, as the
assignee of a venue task does), or the visitor holds a pass for the run's subject (the assignee who
came through their personal link, no login). Anything else is a 404, the same as a missing photo;
an anonymous visitor without such a pass goes to the login page."""

import io

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from PIL import Image, ImageOps

from vcassure.accounts.types import UserLike
from vcassure.checklists.models import ChecklistRun, StepPhoto, StepResult
from vcassure.core.passes import holds_passes, pass_for

THUMBNAIL_SIZE = (240, 240)


def _photo_for(user: UserLike, pk: int, request: HttpRequest | None = None) -> StepPhoto:
    photo = StepPhoto.objects.select_related("result__run").filter(pk=pk).first()
    if photo is None:
        raise StepPhoto.DoesNotExist
    run = photo.result.run
    if not user.is_authenticated:
        if request is not None and pass_for(request, run.subject) is not None:
            return photo
        raise StepPhoto.DoesNotExist
    if ChecklistRun.objects.visible_to(user).filter(pk=run.pk).exists():
        return photo
    if user.is_authenticated and (
        run.started_by_id == user.pk
        or StepResult.objects.filter(run=run, recorded_by=user).exists()
    ):
        return photo
    raise StepPhoto.DoesNotExist


def _thumbnail(photo: StepPhoto) -> bytes:
    """A small JPEG for the task card (a phone on a slow link); decoded at reduced scale."""
    with photo.image.open("rb") as handle, Image.open(handle) as image:
        image.draft("RGB", (THUMBNAIL_SIZE[0] * 2, THUMBNAIL_SIZE[1] * 2))
        small = ImageOps.exif_transpose(image)
        small.thumbnail(THUMBNAIL_SIZE)
        if small.mode != "RGB":
            small = small.convert("RGB")
        out = io.BytesIO()
        small.save(out, format="JPEG", quality=75)
    return out.getvalue()


@require_GET
def photo(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    if not request.user.is_authenticated and not holds_passes(request):
        return redirect_to_login(request.get_full_path())
    try:
        found = _photo_for(request.user, pk, request)
        if request.GET.get("thumb"):
            response: HttpResponse | FileResponse = HttpResponse(
                _thumbnail(found), content_type="image/jpeg"
            )
        else:
            response = FileResponse(found.image.open("rb"), content_type=found.content_type)
    except (StepPhoto.DoesNotExist, OSError) as exc:  # a file gone from the disk, or damaged there
        raise Http404 from exc
    # The stored type was judged from the decoded content; never let the browser guess another.
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
