from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import render
from django.views.decorators.http import require_POST

from vcassure.accounts.permissions import can_see_phone_numbers
from vcassure.core.http import get_or_404
from vcassure.core.pagination import int_or_none, paginate
from vcassure.orgs import selectors, services
from vcassure.orgs.models import Department, OrgUnit


@login_required
def tree(request: HttpRequest):
    roots = [
        (root, selectors.org_unit_children_with_counts(user=request.user, parent=root))
        for root in selectors.org_unit_roots(user=request.user)
    ]
    return render(request, "orgs/tree.html", {"roots": roots, "counters": selectors.TREE_COUNTERS})


@login_required
def tree_children(request: HttpRequest, pk: int):
    unit = get_or_404(selectors.org_unit_get, user=request.user, pk=pk)
    children = selectors.org_unit_children_with_counts(user=request.user, parent=unit)
    return render(
        request,
        "orgs/tree.html#children",
        {"children": children, "counters": selectors.TREE_COUNTERS},
    )


@login_required
def unit_detail(request: HttpRequest, pk: int):
    unit = get_or_404(selectors.org_unit_get, user=request.user, pk=pk)
    departments = selectors.department_list(user=request.user).filter(org_unit=unit)
    staff = selectors.staff_list(user=request.user).filter(org_unit=unit)
    shortfalls = selectors.staffing_shortfalls(units=OrgUnit.objects.filter(pk=unit.pk))
    ancestors = OrgUnit.objects.filter(pk__in=unit.ancestor_ids).order_by("path")
    return render(
        request,
        "orgs/unit_detail.html",
        {
            "unit": unit,
            "ancestors": [
                a
                for a in ancestors
                if OrgUnit.objects.visible_to(request.user).filter(pk=a.pk).exists()
            ],
            "departments": departments,
            "staff_rows": staff,
            "shortfalls": shortfalls,
            "children": selectors.org_unit_children_with_counts(user=request.user, parent=unit),
            "counters": selectors.TREE_COUNTERS,
            "can_see_phone": can_see_phone_numbers(request.user),
        },
    )


@login_required
def department_list(request: HttpRequest):
    kind = request.GET.get("kind", "")
    q = request.GET.get("q", "").strip()
    qs = selectors.department_list(
        user=request.user, kind=kind, q=q, org_unit=int_or_none(request.GET.get("org_unit"))
    )
    return render(
        request,
        "orgs/department_list.html",
        {
            **paginate(request, qs),
            "kind": kind,
            "q": q,
            "kinds": Department.Kind.choices,
        },
    )


@login_required
def staff_list(request: HttpRequest):
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("department_kind", "")
    emergency = {"1": True, "0": False}.get(request.GET.get("emergency", ""))
    qs = selectors.staff_list(
        user=request.user,
        q=q,
        department_kind=kind,
        is_emergency_mobile=emergency,
        org_unit=int_or_none(request.GET.get("org_unit")),
    )
    return render(
        request,
        "orgs/staff_list.html",
        {
            **paginate(request, qs),
            "q": q,
            "department_kind": kind,
            "emergency": request.GET.get("emergency", ""),
            "kinds": Department.Kind.choices,
        },
    )


@login_required
def staff_detail(request: HttpRequest, pk: int):
    staff = get_or_404(selectors.staff_get, user=request.user, pk=pk)
    return render(
        request,
        "orgs/staff_detail.html",
        {
            "staff": staff,
            "can_see_phone": can_see_phone_numbers(request.user),
        },
    )


@login_required
@require_POST
def staff_phone_reveal(request: HttpRequest, pk: int):
    staff = get_or_404(selectors.staff_get, user=request.user, pk=pk)
    if not can_see_phone_numbers(request.user):
        raise PermissionDenied
    number = services.staff_phone_reveal(staff, by=request.user)
    return render(request, "orgs/staff_detail.html#phone", {"staff": staff, "revealed": number})


@login_required
def shortfall_list(request: HttpRequest):
    shortfalls = selectors.staffing_shortfalls(user=request.user)
    return render(request, "orgs/shortfall_list.html", {"shortfalls": shortfalls})
