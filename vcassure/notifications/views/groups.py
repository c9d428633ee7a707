"""IM groups: the list, creating and editing one, a test message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vcassure.core import clock
from vcassure.core.errors import ApplicationError
from vcassure.core.forms import add_service_errors
from vcassure.core.http import get_or_404, require
from vcassure.core.pagination import paginate
from vcassure.notifications import selectors, services
from vcassure.notifications.forms import (
    ImGroupForm,
    masked_secret,
)
from vcassure.notifications.models import ImGroup
from vcassure.notifications.permissions import can_manage_im_groups, can_work_dispatch_desk
from vcassure.notifications.services.groups import (
    im_group_test_queue,
)
from vcassure.notifications.views.deliveries import demo_fakes_enabled


@login_required
@require_GET
def group_list(request: HttpRequest):
    user = request.user
    require(can_work_dispatch_desk(user) or can_manage_im_groups(user))
    platform = request.GET.get("platform", "")
    purpose = request.GET.get("purpose", "")
    qs = selectors.im_group_list(
        user=user,
        platform=platform if platform in ImGroup.Platform.values else "",
        purpose=purpose if purpose in ImGroup.Purpose.values else "",
    )
    context = {
        **paginate(request, qs),
        "platform": platform,
        "purpose": purpose,
        "platforms": ImGroup.Platform.choices,
        "purposes": ImGroup.Purpose.choices,
        "can_manage": can_manage_im_groups(user),
        "now": clock.now(),
        "demo_inbox": demo_fakes_enabled() and user.is_authenticated and user.is_administrator,
    }
    for group in context["page_obj"]:
        group.masked_secret = masked_secret(group.secret)
        group.is_paused = bool(group.paused_until and group.paused_until > context["now"])
    return render(request, "notifications/group_list.html", context)


def _group_form_page(
    request: HttpRequest, form: ImGroupForm, group: ImGroup | None, status: int = 200
):
    return render(
        request, "notifications/group_form.html", {"form": form, "group": group}, status=status
    )


@login_required
def group_create(request: HttpRequest):
    require(can_manage_im_groups(request.user))
    if request.method != "POST":
        return _group_form_page(request, ImGroupForm(user=request.user), None)
    form = ImGroupForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            group = services.im_group_create(by=request.user, **form.service_fields())
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已添加群“%(name)s”。") % {"name": group.name})
            return redirect("notifications:group_list")
    return _group_form_page(request, form, None, status=400)


@login_required
def group_edit(request: HttpRequest, pk: int):
    group = get_or_404(selectors.im_group_get, user=request.user, pk=pk)
    require(can_manage_im_groups(request.user))
    if request.method != "POST":
        return _group_form_page(request, ImGroupForm(user=request.user, group=group), group)
    form = ImGroupForm(request.POST, user=request.user, group=group)
    if form.is_valid():
        try:
            # The service validates before it saves: on an error nothing is written.
            group = services.im_group_update(group, by=request.user, **form.service_fields())
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存群“%(name)s”。") % {"name": group.name})
            return redirect("notifications:group_list")
    # A refused update has set the typed values on `group` (nothing saved): show the stored row.
    return _group_form_page(
        request, form, get_or_404(selectors.im_group_get, user=request.user, pk=pk), status=400
    )


@login_required
@require_POST
def group_test(request: HttpRequest, pk: int):
    group = get_or_404(selectors.im_group_get, user=request.user, pk=pk)
    require(can_manage_im_groups(request.user))
    im_group_test_queue(group, by=request.user)
    text = _("已将一条测试消息加入发送队列，将发往群“%(name)s”。") % {"name": group.name}
    if not group.is_active or group.needs_attention:
        text += _("注意：该群目前已停用或需要处理，消息会在恢复后发出。")
    messages.success(request, text)
    return redirect("notifications:group_list")
