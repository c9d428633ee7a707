from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vcassure.accounts.permissions import can_import_directory
from vcassure.core import clock
from vcassure.core.errors import ApplicationError
from vcassure.transfer.forms import UploadForm
from vcassure.transfer.services import (
    KINDS,
    MAX_UPLOAD_BYTES,
    Kind,
    export_workbook,
    import_workbook,
    template_workbook,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _kind_or_404(kind: str) -> Kind:
    if kind not in KINDS:
        raise Http404
    return KINDS[kind]


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response


@login_required
@require_GET
def index(request: HttpRequest):
    return render(
        request,
        "transfer/index.html",
        {
            "kinds": [
                {"spec": spec, "form": UploadForm(auto_id=f"id_{code}_%s")}
                for code, spec in KINDS.items()
            ],
            "can_import": can_import_directory(request.user),
            "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        },
    )


@login_required
@require_GET
def export(request: HttpRequest, kind: str):
    spec = _kind_or_404(kind)
    data = export_workbook(kind=kind, user=request.user)
    return _xlsx_response(data, f"{spec.label}-{clock.localnow():%Y%m%d-%H%M}.xlsx")


@login_required
@require_GET
def template(request: HttpRequest, kind: str):
    spec = _kind_or_404(kind)
    filename = _("%(kind)s-导入模板.xlsx") % {"kind": spec.label}
    return _xlsx_response(template_workbook(kind=kind), filename)


@login_required
@require_POST
def upload(request: HttpRequest, kind: str):
    spec = _kind_or_404(kind)
    if not can_import_directory(request.user):
        raise PermissionDenied
    form = UploadForm(request.POST, request.FILES)
    context: dict[str, Any] = {"spec": spec, "result": None, "file_errors": []}
    if not form.is_valid():
        context["file_errors"] = form.errors.get("file", [])
        return render(request, "transfer/result.html", context, status=400)
    upload_file = form.cleaned_data["file"]
    context["filename"] = upload_file.name
    try:
        result = import_workbook(kind=kind, user=request.user, data=upload_file.read())
    except ApplicationError as exc:
        context["file_errors"] = [exc.message]
        return render(request, "transfer/result.html", context, status=400)
    context["result"] = result
    return render(request, "transfer/result.html", context, status=200 if result.ok else 400)
