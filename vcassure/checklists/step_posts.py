"""What a checklist step form's post gets back, shared by the cards that show the checklist partial
(a venue task's field card, an inspection card). Without JavaScript the form posts its answer and
photos together and the card's own view redirects. With `static/js/photos.js` it asks for JSON:
the answer first (`photos_to_follow` announced, answered by `answer_saved`), then each photo as its
own request to the card's photo route, answered by `photo_follows`."""

from collections.abc import Callable

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from vcassure.checklists.models import StepResult
from vcassure.core.errors import ApplicationError


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def photos_to_follow(request: HttpRequest) -> int:
    """How many photos the phone's script will send after the answer (0 for a plain post)."""
    try:
        return max(0, int(request.POST.get("photos_to_follow") or 0))
    except ValueError:
        return 0


def json_refusal(exc: ApplicationError | PermissionDenied, refused: str = "") -> JsonResponse:
    """A refused answer or photo, for the script to show (nothing was written)."""
    if isinstance(exc, PermissionDenied):
        return JsonResponse({"detail": str(exc) or refused}, status=403)
    return JsonResponse(
        {"detail": exc.message, "errors": exc.errors, "code": exc.code}, status=exc.status_code
    )


def answer_saved(record: StepResult, *, photos_url: str, next_url: str) -> JsonResponse:
    """The answer is saved: where its photos go, and the card to show once they have arrived."""
    return JsonResponse(
        {
            "result": record.result,
            "photos_pending": record.photos_pending,
            "photos_url": photos_url,
            "next": next_url,
        }
    )


def photo_follows(
    request: HttpRequest, add: Callable[[UploadedFile], StepResult], refused: str = ""
) -> JsonResponse:
    """One photo following its step's answer (`add` is the card's service call). JSON out; a
    missing subject is a 404 as on the card."""
    photo = request.FILES.get("photo")
    if photo is None:
        return JsonResponse({"detail": _("请选择照片。"), "errors": []}, status=400)
    try:
        record = add(photo)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    except (ApplicationError, PermissionDenied) as exc:
        return json_refusal(exc, refused)
    return JsonResponse({"photos_pending": record.photos_pending})
