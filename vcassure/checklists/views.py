"""The template builder (administrators), and step photos.

Step photos are served only through this view and only to someone who may see the run: its org
unit lies in the user's subtree, or the user worked the run (started it or recorded a step, as the
assignee of a venue task does), or the visitor holds a pass for the run's subject (the assignee who
came through their personal link, no login). Anything else is a 404, the same as a missing photo;
an anonymous visitor without such a pass goes to the login page."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from PIL import Image, ImageOps

from vcassure.accounts.types import UserLike
from vcassure.checklists import selectors, template_builder
from vcassure.checklists.forms import StepFormSet, TemplateForm, initial_of, steps_from
from vcassure.checklists.models import ChecklistRun, ChecklistTemplate, StepPhoto, StepResult
from vcassure.checklists.permissions import can_manage_templates
from vcassure.core.errors import ApplicationError
from vcassure.core.http import get_or_404, require
from vcassure.core.passes import holds_passes, pass_for


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    require(can_manage_templates(request.user))
    return render(
        request, "checklists/template_list.html", {"templates": list(selectors.template_list())}
    )


@login_required
def template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Build a template: its fields, where it applies, and its steps (a row per step; an empty
    row is skipped, so adding a step is filling the next empty row). To anyone else an existing
    template is as missing as another scope's object (404)."""
    if pk is not None and not can_manage_templates(request.user):
        raise Http404
    require(can_manage_templates(request.user))
    template: ChecklistTemplate | None = (
        get_or_404(selectors.template_get, pk=pk) if pk is not None else None
    )
    fields, steps = initial_of(template) if template else ({"applies_to": "inspection"}, [])
    if request.method == "POST":
        form = TemplateForm(request.POST)
        formset = StepFormSet(request.POST, prefix="steps")
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            try:
                saved = template_builder.checklist_template_save(
                    by=request.user,
                    template=template,
                    code=data["code"],
                    name=data["name"],
                    kind=data["kind"],
                    applies_to=data["applies_to"],
                    system=data["system"],
                    importances=data["importances"],
                    inspection_kind=data["inspection_kind"],
                    is_active=data["is_active"],
                    steps=steps_from(formset),
                )
            except ApplicationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request,
                    _("模板“%(name)s”已保存。已开始的检查仍按开始时的步骤进行。")
                    % {"name": saved.name},
                )
                return redirect("checklists:template_edit", pk=saved.pk)
        status = 400
    else:
        form = TemplateForm(initial=fields)
        formset = StepFormSet(initial=steps, prefix="steps")
        status = 200
    return render(
        request,
        "checklists/template_form.html",
        {"template": template, "form": form, "formset": formset},
        status=status,
    )


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
