"""The 96311 hotline form on the dispatch desk: who called, their number, the venue (found by a
search in the desk's scope), the symptom and the severity; it opens a fault routed to the city's
network operations, who are told at once."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vcassure.accounts.models import Role
from vcassure.core.errors import ApplicationError
from vcassure.core.forms import ServiceErrorsForm
from vcassure.core.http import HtmxHttpRequest
from vcassure.core.pagination import int_or_none
from vcassure.faults import services
from vcassure.faults.models import Fault
from vcassure.venues.models import Venue

HOTLINE_ROLES = {Role.ADMIN, Role.DISPATCHER, Role.MANAGER}
VENUE_RESULTS = 20


class HotlineForm(ServiceErrorsForm):
    caller = forms.CharField(label=gettext_lazy("来电人"), max_length=50)
    number = forms.RegexField(
        label=gettext_lazy("来电号码"),
        regex=r"^[0-9+\-() ]{3,20}$",
        error_messages={"invalid": gettext_lazy("请输入有效的电话号码。")},
    )
    venue = forms.ModelChoiceField(
        label=gettext_lazy("会场"),
        queryset=Venue.objects.none(),
        error_messages={"invalid_choice": gettext_lazy("会场不存在或不在您的管理范围内。")},
    )
    symptom = forms.CharField(
        label=gettext_lazy("故障现象"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    severity = forms.ChoiceField(
        label=gettext_lazy("严重程度"), choices=Fault.Severity.choices, initial="major"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        venue = self.fields["venue"]
        assert isinstance(venue, forms.ModelChoiceField)
        venue.queryset = Venue.objects.visible_to(user).select_related("org_unit")


def _may_take_calls(user) -> bool:
    return user.is_superuser or getattr(user, "role", None) in HOTLINE_ROLES


@login_required
def hotline(request: HtmxHttpRequest) -> HttpResponse:
    if not _may_take_calls(request.user):
        raise PermissionDenied(_("只有调度员和负责人可以登记热线故障。"))
    q = request.GET.get("q", "").strip()[:50]
    venues = Venue.objects.visible_to(request.user).select_related("org_unit").order_by("name")
    if q:
        venues = venues.filter(name__icontains=q) | venues.filter(code__icontains=q)
    results = list(venues[:VENUE_RESULTS]) if q else []
    if request.htmx and request.GET.get("part") == "venues":
        return render(request, "faults/hotline.html#venues", {"results": results, "q": q})
    form = HotlineForm(request.POST or None, user=request.user)
    if request.method == "GET":
        form.fields["severity"].initial = Fault.Severity.MAJOR
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            venue = d["venue"]
            try:
                fault = services.fault_open(
                    title=_("%(v)s：%(s)s") % {"v": venue.name, "s": d["symptom"][:60]},
                    source=Fault.Source.HOTLINE,
                    org_unit=venue.org_unit,
                    venue=venue,
                    severity=d["severity"],
                    description=_("96311 来电：%(c)s（%(n)s）\n%(s)s")
                    % {"c": d["caller"], "n": d["number"], "s": d["symptom"]},
                    by=request.user,
                )
            except ApplicationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("已登记故障并通知网络运行部。"))
                return redirect("faults:fault_detail", pk=fault.pk)
        status = 422
        chosen_id = int_or_none(form.data.get("venue"))
        if chosen_id is not None and chosen_id not in {v.pk for v in results}:
            results = list(venues.filter(pk=chosen_id)[:1]) + results
    return render(
        request, "faults/hotline.html", {"form": form, "results": results, "q": q}, status=status
    )
