"""Routine pages: inspection plans (list and form), my inspections, an inspection on the phone
(the same checklist partial as a venue task's card), and overdue inspections per unit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vcassure.checklists import step_posts
from vcassure.checklists.services import MAX_PHOTOS
from vcassure.core import clock
from vcassure.core.errors import ApplicationError
from vcassure.core.http import get_or_404, require
from vcassure.routine import selectors, services
from vcassure.routine.forms import PlanForm
from vcassure.routine.models import Inspection
from vcassure.routine.permissions import can_do_inspection, can_manage_plans


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    can_manage = can_manage_plans(request.user)
    form = PlanForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        require(can_manage)
        if form.is_valid():
            try:
                plan = services.inspection_plan_create(by=request.user, **form.service_fields())
            except ApplicationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("巡检计划“%(n)s”已创建。") % {"n": plan.name})
                return redirect("routine:plan_list")
        status = 400
    plans = list(selectors.plan_list(user=request.user))
    return render(
        request,
        "routine/plan_list.html",
        {"plans": plans, "form": form, "can_manage": can_manage},
        status=status,
    )


@login_required
@require_GET
def my_inspections(request: HttpRequest) -> HttpResponse:
    items = list(
        selectors.inspection_list(user=request.user, mine=True).order_by("-scheduled_on", "due_at")[
            :100
        ]
    )
    now = clock.now()
    for i in items:
        overdue = i.state in Inspection.OPEN_STATES and i.due_at < now
        i.is_overdue = overdue  # type: ignore[attr-defined]
    return render(request, "routine/my_inspections.html", {"inspections": items})


@login_required
@require_GET
def overdue(request: HttpRequest) -> HttpResponse:
    return render(
        request, "routine/overdue.html", {"units": selectors.overdue_by_unit(user=request.user)}
    )


def _card(
    request: HttpRequest, inspection: Inspection, *, error: dict | None = None, status: int = 200
) -> HttpResponse:
    card = selectors.inspection_card(inspection)
    can_work = can_do_inspection(request.user, inspection)
    for checklist in card["checklists"]:
        rows = checklist["steps"]
        for row in rows:
            number = row["step"].number
            row["key"] = f"{checklist['template'].code}-{number}"
            row["action"] = reverse("routine:inspection_step", args=[inspection.pk, number])
            missing = [
                str(r["step"].number)
                for r in rows
                if r["step"].number < number and not (r["latest"] and r["latest"].counts_as_pass)
            ]
            if not can_work:
                row["blocked"] = _("只有巡检人本人或本辖区调度员可以记录巡检。")
            elif inspection.state in (Inspection.State.DONE, Inspection.State.CANCELLED):
                row["blocked"] = _("巡检已结束。")
            elif missing:
                row["blocked"] = _("请先完成第 %(steps)s 步。") % {"steps": "、".join(missing)}
            else:
                row["blocked"] = ""
    now = clock.now()
    return render(
        request,
        "routine/inspection_card.html",
        {
            "inspection": inspection,
            "venue": inspection.venue,
            "checklists": card["checklists"],
            "faults": card["faults"],
            "photo_slots": range(MAX_PHOTOS),
            "error": error,
            "is_overdue": inspection.state in Inspection.OPEN_STATES and inspection.due_at < now,
        },
        status=status,
    )


@login_required
@require_GET
def inspection_card(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_or_404(selectors.inspection_get, user=request.user, pk=pk)
    return _card(request, inspection)


@login_required
@require_POST
def inspection_step(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A step's answer: a plain form post (answer and photos together, then the card), or the
    phone's script asking for JSON (the answer first, its photos to follow: inspection_step_photo)."""
    inspection = get_or_404(selectors.inspection_get, user=request.user, pk=pk)
    where = f"{inspection.plan.checklist_template.code}-{number}"
    note, result = request.POST.get("note", ""), request.POST.get("result", "")
    as_json = step_posts.wants_json(request)
    try:
        record = services.inspection_record_step(
            inspection,
            by=request.user,
            number=number,
            result=result,
            note=note,
            reading=request.POST.get("reading"),
            photos=request.FILES.getlist("photos"),
            photos_to_follow=step_posts.photos_to_follow(request),
        )
    except Inspection.DoesNotExist as exc:
        raise Http404 from exc
    except (ApplicationError, PermissionDenied) as exc:
        if as_json:
            return step_posts.json_refusal(exc)
        status = getattr(exc, "status_code", 403)
        error = {
            "message": getattr(exc, "message", str(exc)),
            "details": [
                str(e.get("message")) for e in getattr(exc, "errors", []) if e.get("message")
            ],
            "where": where,
            "note": note,
            "result": result,
            "reading": request.POST.get("reading", ""),
        }
        inspection = get_or_404(selectors.inspection_get, user=request.user, pk=pk)
        return _card(request, inspection, error=error, status=status)
    title = {"n": number, "title": record.step.title}
    if record.result == "fail":
        messages.error(request, _("第 %(n)s 步“%(title)s”不通过，已登记故障。") % title)
    else:
        messages.success(request, _("第 %(n)s 步“%(title)s”已记录为通过。") % title)
    card = reverse("routine:inspection_card", args=[pk]) + f"#step-{where}"
    if as_json:
        return step_posts.answer_saved(
            record,
            photos_url=reverse("routine:inspection_step_photo", args=[pk, number]),
            next_url=card,
        )
    return redirect(card)


@login_required
@require_POST
def inspection_step_photo(request: HttpRequest, pk: int, number: int) -> JsonResponse:
    """One photo following its step's answer (the phone's script sends each photo as its own
    request and retries it on a dropped link). JSON in, JSON out."""
    inspection = get_or_404(selectors.inspection_get, user=request.user, pk=pk)
    return step_posts.photo_follows(
        request,
        lambda photo: services.inspection_step_photo_add(
            inspection, by=request.user, number=number, photo=photo
        ),
    )
