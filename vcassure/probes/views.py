"""A device's probe settings page (reached from its venue's equipment): the settings form, secrets
write-only; a "probe now" button for just that device; its latest results."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vcassure.core.errors import ApplicationError
from vcassure.core.http import get_or_404, require
from vcassure.orgs.permissions import can_edit_device_settings
from vcassure.probes import selectors, services
from vcassure.probes.forms import ProbeTargetForm
from vcassure.probes.models import Failure

HISTORY = 20


@login_required
def probe_settings(request: HttpRequest, pk: int):
    require(can_edit_device_settings(request.user))
    equipment = get_or_404(selectors.probed_equipment_get, user=request.user, pk=pk)
    target = getattr(equipment, "probe_target", None)
    form = ProbeTargetForm(request.POST or None, target=target)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.probe_target_save(
                    equipment=equipment, by=request.user, **form.service_fields()
                )
            except ApplicationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("已保存探测设置。"))
                return redirect("probes:probe_settings", pk=equipment.pk)
        status = 400
    return render(
        request,
        "probes/probe_settings.html",
        {
            "equipment": equipment,
            "venue": equipment.venue,
            "target": target,
            "form": form,
            "history": selectors.probe_history(equipment, limit=HISTORY),
            "history_size": HISTORY,
        },
        status=status,
    )


@login_required
@require_POST
def probe_run_now(request: HttpRequest, pk: int):
    require(can_edit_device_settings(request.user))
    equipment = get_or_404(selectors.probed_equipment_get, user=request.user, pk=pk)
    result = services.probe_now(equipment, by=request.user)
    if result is None:
        messages.error(request, _("该设备没有管理地址，或不在允许探测的网段内：未发送探测。"))
    elif result.ok:
        messages.success(
            request,
            _("探测正常(%(method)s)，往返 %(rtt)s 毫秒。")
            % {"method": result.get_method_display(), "rtt": result.rtt_ms},
        )
    else:
        messages.error(
            request,
            _("探测失败(%(method)s)：%(why)s。")
            % {"method": result.get_method_display(), "why": Failure(result.failure).label},
        )
    return redirect("probes:probe_settings", pk=equipment.pk)
