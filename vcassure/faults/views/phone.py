"""The assignee's phone page (360 px, no script needed): what and where, who to call, the clock,
and two big buttons — on site, then restored — as plain form posts.

The assignee's fault notice link (meetings' acknowledgement page) grants a pass for THIS fault
(core.passes): with it the page and its two buttons work without a login, as the person named
on the pass; any other fault still needs a login."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vcassure.core.errors import ApplicationError
from vcassure.core.passes import login_or_pass, subject_pass
from vcassure.core.subjects import fault_ref
from vcassure.faults import services
from vcassure.faults.models import Fault
from vcassure.faults.views.common import fault_or_404, phone_page


def _fault_subject(pk: int) -> str:
    return fault_ref(pk)


fault_pass_or_login = login_or_pass(_fault_subject)


def _passed_fault(request: HttpRequest, pk: int) -> Fault:
    """The fault a pass holder may work on: theirs still (a reassigned fault is refused)."""
    held = subject_pass(request)
    fault = Fault.objects.select_related("assignee__user").filter(pk=pk).first()
    if held is None or fault is None or not held.allows(fault_ref(pk), staff_id=fault.assignee_id):
        raise Http404
    return fault


@fault_pass_or_login
@require_GET
def fault_phone(request: HttpRequest, pk: int) -> HttpResponse:
    if subject_pass(request) is not None:
        return phone_page(request, _passed_fault(request, pk))
    return phone_page(request, fault_or_404(request, pk))


def passed_act(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """On site or restored by a pass holder: done as the person on the pass (their account when
    they have one, so the timeline names them)."""
    fault = _passed_fault(request, pk)
    person = fault.assignee.user if fault.assignee is not None else None
    note = request.POST.get("note", "").strip()[:1000]
    try:
        if step == "on_site":
            services.fault_on_site(fault, by=person, note=note)
            messages.success(request, _("已记录到场。"))
        else:
            services.fault_restore(fault, by=person, note=note)
            messages.success(request, _("故障已恢复。"))
    except ApplicationError as exc:
        return phone_page(request, fault, error=exc, status=exc.status_code)
    return redirect("faults:fault_phone", pk=fault.pk)


@fault_pass_or_login
@require_POST
def fault_phone_on_site(request: HttpRequest, pk: int) -> HttpResponse:
    if subject_pass(request) is None:
        from vcassure.faults.views.pages import fault_on_site

        return fault_on_site(request, pk)
    return passed_act(request, pk, "on_site")


@fault_pass_or_login
@require_POST
def fault_phone_restore(request: HttpRequest, pk: int) -> HttpResponse:
    if subject_pass(request) is None:
        from vcassure.faults.views.pages import fault_restore

        return fault_restore(request, pk)
    return passed_act(request, pk, "restore")
