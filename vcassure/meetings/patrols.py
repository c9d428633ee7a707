"""R8 in the dispatch plan: one patrol task per fibre route serving the meeting's venues, for the
line crew of the venue's city network operations department."""

from collections import defaultdict

from django.utils.translation import gettext as _

from vcassure.meetings.plans import DispatchPlan, PlannedTask
from vcassure.orgs.models import Department, Staff
from vcassure.venues.models import Venue

LINE_CREW_TITLE = "线路"  # a network operations engineer whose post names the line is the crew


def plan_fibre_patrols(
    plan: DispatchPlan,
    meeting,
    *,
    venues: list[Venue],
    venue_chain: dict[int, list[int]],
    departments: dict[tuple[int, str], Department],
    city_parent: dict[int, str],
    root: str,
    committed: set[int],
    used: set[int],
    deadlines: tuple,
) -> None:
    """R8: one patrol task per fibre route serving the meeting's venues, for the line crew of the
    venue's city network operations department (the province's O&M for a venue above any city):
    patrol before the meeting with the fibre checklist and its photos, stand by during it. Two
    queries: the routes and the crews."""
    from vcassure.venues.models import FibreRoute

    on_site_due, ready_due, shutdown_due, busy_from, busy_until = deadlines
    routes = list(
        FibreRoute.objects.filter(venue_id__in=[v.pk for v in venues]).order_by("venue_id", "id")
    )
    if not routes:
        return
    province_ops = departments.get((next(iter(venue_chain.values()))[0], "ops"))

    def department_for(venue_id: int) -> Department | None:
        chain = venue_chain[venue_id]
        if len(chain) > 1:
            return departments.get((chain[1], "network_ops"))
        return province_ops

    wanted = {d.pk for d in (department_for(r.venue_id) for r in routes) if d is not None}
    candidates: dict[int, list[tuple[bool, int]]] = defaultdict(list)
    for staff_id, department_id, title, head_of in (
        Staff.objects.filter(department_id__in=wanted, is_active=True)
        .order_by("is_emergency_mobile", "code")
        .values_list("id", "department_id", "title", "department__head_id")
    ):
        if staff_id in committed or staff_id in used or staff_id == head_of:
            continue
        candidates[department_id].append((LINE_CREW_TITLE not in title, staff_id))
    # The line crew is whoever's post names the line; a department without one sends its other
    # people (regulars before the emergency pool, by code), taking the routes in turn.
    crews = {
        department_id: [staff_id for not_line, staff_id in people if not not_line]
        or [staff_id for _, staff_id in people]
        for department_id, people in candidates.items()
    }
    turn: dict[int, int] = defaultdict(int)
    for route in routes:
        chain = venue_chain[route.venue_id]
        department = department_for(route.venue_id)
        assignee, how = None, "none"
        if department is not None:
            crew = crews.get(department.pk) or []
            if crew:
                assignee = crew[turn[department.pk] % len(crew)]
                turn[department.pk] += 1
                how = "department"
            elif department.head_id:
                assignee, how = department.head_id, "department"
        if assignee is None:
            plan.shortfalls.append(
                {
                    "kind": "unassigned_patrol",
                    "fibre_route": route.pk,
                    "org_unit": chain[1] if len(chain) > 1 else chain[0],
                    "message": _("光缆线路“%(route)s”无人可派巡检值守。") % {"route": route.name},
                }
            )
        plan.tasks.append(
            PlannedTask(
                key=f"patrol:{route.pk}",
                kind="patrol",
                role="fibre_patrol",
                org_unit_id=department.org_unit_id if department else chain[0],
                parent_key=city_parent.get(chain[1], root) if len(chain) > 1 else root,
                department_id=department.pk if department else None,
                fibre_route_id=route.pk,
                assignee_id=assignee,
                assignment=how,
                on_site_due_at=on_site_due,
                ready_due_at=ready_due,
                shutdown_due_at=shutdown_due,
                busy_from=busy_from if assignee else None,
                busy_until=busy_until if assignee else None,
            )
        )
