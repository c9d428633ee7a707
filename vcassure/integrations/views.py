"""The webhooks page (administrators): the subscriptions and a form to add one; each one's page
with its settings, its delivery log (response codes) and a replay button per logged event."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vcassure.core.errors import ApplicationError
from vcassure.core.http import get_or_404, require
from vcassure.core.pagination import paginate
from vcassure.core.subjects import describe
from vcassure.integrations import selectors, services
from vcassure.integrations.forms import DeliveryFilterForm, WebhookForm
from vcassure.integrations.models import WebhookSubscription
from vcassure.integrations.permissions import can_manage_webhooks


@login_required
def webhook_list(request: HttpRequest):
    require(can_manage_webhooks(request.user))
    form = WebhookForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = services.webhook_subscription_create(
                    by=request.user, **form.service_fields()
                )
            except ApplicationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request,
                    _("已添加 Webhook。签名密钥(只显示这一次，请交给接收方)：%(secret)s")
                    % {"secret": created.secret},
                )
                return redirect("integrations:webhook_detail", pk=created.pk)
        status = 400
    subscriptions = list(selectors.webhook_subscription_list(user=request.user))
    for s in subscriptions:
        setattr(s, "masked_secret", services.masked_secret(s.secret))  # noqa: B010
    return render(
        request,
        "integrations/webhook_list.html",
        {"subscriptions": subscriptions, "form": form},
        status=status,
    )


def _edit_form(subscription: WebhookSubscription, data=None) -> WebhookForm:
    return WebhookForm(
        data,
        initial={
            "url": subscription.url,
            "events": subscription.events,
            "description": subscription.description,
            "is_active": subscription.is_active,
        },
    )


@login_required
def webhook_detail(request: HttpRequest, pk: int):
    subscription = get_or_404(selectors.webhook_subscription_get, user=request.user, pk=pk)
    form = _edit_form(subscription, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.webhook_subscription_update(
                    subscription, by=request.user, **form.service_fields()
                )
            except ApplicationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("已保存 Webhook。"))
                return redirect("integrations:webhook_detail", pk=subscription.pk)
        status = 400
        subscription = get_or_404(selectors.webhook_subscription_get, user=request.user, pk=pk)
    filters = DeliveryFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    deliveries = selectors.webhook_delivery_list(
        user=request.user,
        subscription=subscription,
        status=chosen.get("status", ""),
        event_type=chosen.get("event_type", ""),
    )
    context = paginate(request, deliveries)
    rows = list(context["page_obj"])
    labels = describe({d.subject for d in rows})
    behind = selectors.webhook_deliveries_behind(subscription=subscription, deliveries=rows)
    for d in rows:
        setattr(d, "subject_label", labels.get(d.subject))  # noqa: B010
        setattr(d, "is_behind", d.pk in behind)  # noqa: B010
    return render(
        request,
        "integrations/webhook_detail.html",
        {
            **context,
            "subscription": subscription,
            "masked_secret": services.masked_secret(subscription.secret),
            "form": form,
            "filters": filters,
        },
        status=status,
    )


@login_required
@require_POST
def delivery_replay(request: HttpRequest, pk: int, delivery_pk: int):
    subscription = get_or_404(selectors.webhook_subscription_get, user=request.user, pk=pk)
    delivery = get_or_404(
        selectors.webhook_delivery_get,
        user=request.user,
        subscription=subscription,
        pk=delivery_pk,
    )
    try:
        services.webhook_delivery_replay(delivery, by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已将该事件重新加入发送队列。"))
    return redirect("integrations:webhook_detail", pk=subscription.pk)
