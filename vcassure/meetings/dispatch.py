"""Planning a meeting's dispatch (C4, R2, R5, R10) without writing anything: the dual-track chain
of coordination tasks, one venue task per branch venue, who is assigned and what falls short.
`meeting_publish` (services.py) writes the plan; the form and the API show it beforehand."""

from collections import defaultdict
from datetime import datetime

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from vcassure.meetings.patrols import plan_fibre_patrols
from vcassure.meetings.plans import READY_LEAD, SHUTDOWN_GRACE, DispatchPlan, PlannedTask
from vcassure.orgs.models import Department, OrgUnit, Staff
from vcassure.orgs.selectors import staffing_shortfalls
from vcassure.venues.models import Venue

__all__ = [
    "READY_LEAD",
    "SHUTDOWN_GRACE",
    "DispatchPlan",
    "PlannedTask",
    "busy_window",
    "committed_staff_ids",
    "dispatch_plan",
    "overlapping_meeting_counts",
]


def busy_window(meeting) -> tuple[datetime, datetime]:
    return meeting.starts_at - meeting.on_site_lead, meeting.ends_at + SHUTDOWN_GRACE


def committed_staff_ids(meeting, busy_from: datetime, busy_until: datetime) -> set[int]:
    """People already assigned to another live meeting whose busy window overlaps this one."""
    from vcassure.meetings.models import Meeting, SupportTask

    return set(
        SupportTask.objects.filter(
            assignee__isnull=False,
            busy_from__lt=busy_until,
            busy_until__gt=busy_from,
            meeting__state__in=[Meeting.State.PUBLISHED, Meeting.State.IN_PROGRESS],
        )
        .exclude(meeting=meeting)
        .exclude(state="cancelled")
        .values_list("assignee_id", flat=True)
    )


def overlapping_meeting_counts(
    meeting, county_ids: set[int], busy_from, busy_until
) -> dict[int, int]:
    """For each county, how many OTHER live meetings overlapping in time involve it."""
    from vcassure.meetings.models import Meeting, SupportTask

    rows = (
        SupportTask.objects.filter(
            kind="venue",
            busy_from__lt=busy_until,
            busy_until__gt=busy_from,
            meeting__state__in=[Meeting.State.PUBLISHED, Meeting.State.IN_PROGRESS],
        )
        .exclude(meeting=meeting)
        .values_list("meeting_id", "org_unit__path")
    )
    meetings_per_county: dict[int, set[int]] = defaultdict(set)
    for meeting_id, path in rows:
        ids = OrgUnit.path_ids(path)
        if len(ids) >= 3 and ids[2] in county_ids:
            meetings_per_county[ids[2]].add(meeting_id)
    return {county: len(ms) for county, ms in meetings_per_county.items()}


def dispatch_plan(meeting, venues: list[Venue] | None = None) -> DispatchPlan:
    """The whole chain for a meeting, in a fixed number of queries whatever its size."""
    from vcassure.meetings.models import SupportTask

    Role = SupportTask.Role
    plan = DispatchPlan()
    if venues is None:
        venues = list(
            meeting.venues.select_related("org_unit", "primary_staff", "backup_staff").order_by(
                "org_unit__path", "code"
            )
        )
    busy_from, busy_until = busy_window(meeting)
    on_site_due = meeting.starts_at - meeting.on_site_lead
    ready_due = meeting.starts_at - READY_LEAD
    shutdown_due = meeting.ends_at + SHUTDOWN_GRACE

    owner_ids = OrgUnit.path_ids(meeting.org_unit.path)
    owner_depth = len(owner_ids) - 1  # 0 province, 1 city, 2 county

    # Which cities and counties the venues reach (from materialized paths: no queries).
    venue_chain: dict[int, list[int]] = {v.pk: OrgUnit.path_ids(v.org_unit.path) for v in venues}
    city_ids = sorted({c[1] for c in venue_chain.values() if len(c) > 1})
    county_ids = sorted({c[2] for c in venue_chain.values() if len(c) > 2})
    units = OrgUnit.objects.in_bulk(set(owner_ids) | set(city_ids) | set(county_ids))
    departments: dict[tuple[int, str], Department] = {
        (d.org_unit_id, d.kind): d
        for d in Department.objects.filter(org_unit_id__in=units.keys()).select_related("head")
    }

    def add_coordination(key, role, unit_id, kind_of_department, parent_key):
        department = departments.get((unit_id, kind_of_department))
        if department is None:
            plan.shortfalls.append(
                {
                    "kind": "missing_department",
                    "org_unit": unit_id,
                    "message": _("%(unit)s 未设%(department)s，无法下达保障任务。")
                    % {
                        "unit": units[unit_id].name,
                        "department": Department.Kind(kind_of_department).label,
                    },
                }
            )
        plan.tasks.append(
            PlannedTask(
                key=key,
                kind="coordination",
                role=role,
                org_unit_id=unit_id,
                parent_key=parent_key,
                department_id=department.pk if department else None,
                assignee_id=department.head_id if department else None,
                assignment="department" if department else "none",
                ready_due_at=ready_due,
            )
        )
        return key

    # R2: the owner's customer department publishes and tracks; at the province it publishes to
    # O&M and (with the broadcast centre's disaster-recovery channel) to every city at once.
    owner_id = owner_ids[-1]
    root = add_coordination(f"customer:{owner_id}", Role.PUBLISH, owner_id, "customer", None)
    ops_key = root
    if owner_depth == 0:
        ops_key = add_coordination(f"ops:{owner_id}", Role.OPS, owner_id, "ops", root)
        add_coordination(f"broadcast:{owner_id}", Role.BROADCAST, owner_id, "broadcast", root)
    city_parent: dict[int, str] = {}
    county_parent: dict[int, str] = {}
    for city_id in city_ids if owner_depth <= 1 else []:
        if owner_depth == 1 and city_id != owner_ids[1]:
            continue
        customer_key = (
            root
            if owner_depth == 1
            else add_coordination(f"customer:{city_id}", Role.CUSTOMER, city_id, "customer", root)
        )
        city_parent[city_id] = add_coordination(
            f"network_ops:{city_id}", Role.NETWORK_OPS, city_id, "network_ops", customer_key
        )
        for county_id in county_ids:
            if units[county_id].parent_id != city_id:
                continue
            county_customer = add_coordination(
                f"customer:{county_id}", Role.CUSTOMER, county_id, "customer", customer_key
            )
            county_parent[county_id] = add_coordination(
                f"tech_maintenance:{county_id}",
                Role.TECH_MAINTENANCE,
                county_id,
                "tech_maintenance",
                county_customer,
            )
    if owner_depth == 2:
        county_parent[owner_id] = add_coordination(
            f"tech_maintenance:{owner_id}",
            Role.TECH_MAINTENANCE,
            owner_id,
            "tech_maintenance",
            root,
        )

    # Assignment: primary → backup → the county's (or city's) emergency mobile pool → shortfall.
    committed = committed_staff_ids(meeting, busy_from, busy_until)
    used: set[int] = set()
    pool_unit_ids = set(county_ids) | set(city_ids)
    pools: dict[int, list[int]] = defaultdict(list)
    for staff_id, unit_id in (
        Staff.objects.filter(
            is_emergency_mobile=True, is_active=True, org_unit_id__in=pool_unit_ids
        )
        .order_by("code")
        .values_list("id", "org_unit_id")
    ):
        if staff_id not in committed:
            pools[unit_id].append(staff_id)

    loaded_venues = {v.pk: v for v in venues}
    staff: dict[int, Staff] = {}
    for v in venues:
        for person in (v.primary_staff, v.backup_staff):
            if person is not None:
                staff[person.pk] = person
    for d in departments.values():
        if d.head is not None:
            staff[d.head.pk] = d.head
    plan.loaded = {
        "venue": loaded_venues,
        "org_unit": {**{v.org_unit_id: v.org_unit for v in venues}, **units},
        "department": {d.pk: d for d in departments.values()},
        "staff": staff,
    }

    def take(staff: Staff | None) -> bool:
        return bool(
            staff and staff.is_active and staff.pk not in committed and staff.pk not in used
        )

    main = meeting.main_venue
    venue_items = [(v, Role.BRANCH_VENUE) for v in venues]
    if main is not None:
        venue_items.insert(0, (main, Role.MAIN_VENUE))
        venue_chain.setdefault(main.pk, OrgUnit.path_ids(main.org_unit.path))
        loaded_venues[main.pk] = main
        plan.loaded["org_unit"][main.org_unit_id] = main.org_unit
    for venue, role in venue_items:
        chain = venue_chain[venue.pk]
        if role == Role.MAIN_VENUE:
            parent = ops_key
        elif len(chain) > 2 and chain[2] in county_parent:
            parent = county_parent[chain[2]]
        elif len(chain) > 1 and chain[1] in city_parent:
            parent = city_parent[chain[1]]
        else:
            parent = root
        assignee, how = None, "none"
        primary, backup = venue.primary_staff, venue.backup_staff
        if primary is not None and take(primary):
            assignee, how = primary.pk, "primary"
        elif backup is not None and take(backup):
            assignee, how = backup.pk, "backup"
        else:
            for pool_unit in (
                chain[2] if len(chain) > 2 else None,
                chain[1] if len(chain) > 1 else None,
            ):
                pool = pools.get(pool_unit) if pool_unit else None
                while pool and assignee is None:
                    candidate = pool.pop(0)
                    if candidate not in used:
                        assignee, how = candidate, "emergency"
                if assignee:
                    break
        if assignee:
            used.add(assignee)
        else:
            plan.shortfalls.append(
                {
                    "kind": "unassigned_venue",
                    "venue": venue.pk,
                    "org_unit": venue.org_unit_id,
                    "message": _("%(venue)s：主、备保障人员均无法到岗，且应急机动人员已用尽。")
                    % {"venue": venue.name},
                }
            )
        plan.tasks.append(
            PlannedTask(
                key=f"venue:{venue.pk}",
                kind="venue",
                role=role,
                org_unit_id=venue.org_unit_id,
                parent_key=parent,
                venue_id=venue.pk,
                assignee_id=assignee,
                assignment=how,
                on_site_due_at=on_site_due,
                ready_due_at=ready_due,
                shutdown_due_at=shutdown_due,
                busy_from=busy_from if assignee else None,
                busy_until=busy_until if assignee else None,
            )
        )

    if meeting.importance != "normal":
        plan_fibre_patrols(
            plan,
            meeting,
            venues=[v for v, _role in venue_items],
            venue_chain=venue_chain,
            departments=departments,
            city_parent=city_parent,
            root=root,
            committed=committed,
            used=used,
            deadlines=(on_site_due, ready_due, shutdown_due, busy_from, busy_until),
        )

    # R5 per affected unit, and the emergency capacity for simultaneous meetings.
    affected = OrgUnit.objects.filter(
        Q(pk__in=city_ids)
        | Q(pk__in=county_ids)
        | Q(pk__in={v.org_unit_id for v in venues}, level="township")
    )
    for s in staffing_shortfalls(units=affected):
        plan.shortfalls.append(
            {
                "kind": "staffing_rule",
                "org_unit": s.org_unit_id,
                "required": s.required,
                "actual": s.actual,
                "message": _("%(unit)s %(what)s应有 %(required)s 人，实有 %(actual)s 人。")
                % {
                    "unit": s.org_unit_name,
                    "what": _("应急机动人员") if s.kind == "emergency" else _("保障人员"),
                    "required": s.required,
                    "actual": s.actual,
                },
            }
        )
    others = overlapping_meeting_counts(meeting, set(county_ids), busy_from, busy_until)
    emergency_counts = dict(
        Staff.objects.filter(is_emergency_mobile=True, is_active=True, org_unit_id__in=county_ids)
        .values_list("org_unit_id")
        .annotate(n=Count("id"))
        .values_list("org_unit_id", "n")
    )
    for county_id in county_ids:
        simultaneous = others.get(county_id, 0) + 1
        available = emergency_counts.get(county_id, 0)
        if simultaneous > available:
            plan.shortfalls.append(
                {
                    "kind": "emergency_capacity",
                    "org_unit": county_id,
                    "required": simultaneous,
                    "actual": available,
                    "message": _("%(unit)s 同时段有 %(n)s 场会议，应急机动人员只有 %(m)s 人。")
                    % {"unit": units[county_id].name, "n": simultaneous, "m": available},
                }
            )
    return plan
