from functools import lru_cache

from django.db.models import Q, QuerySet

from vcassure.accounts.types import UserLike
from vcassure.orgs.models import OrgUnit
from vcassure.venues.models import CustomerSystem, Venue


def customer_system_list() -> QuerySet[CustomerSystem]:
    return CustomerSystem.objects.all()


def venue_list(
    *,
    user: UserLike,
    system: str = "",
    level: str = "",
    org_unit: int | None = None,
    q: str = "",
    role: str = "",
) -> QuerySet[Venue]:
    qs = (
        Venue.objects.visible_to(user)
        .filter(is_active=True)
        .select_related("system", "org_unit", "primary_staff", "backup_staff")
    )
    if system:
        qs = qs.filter(system__code=system)
    if level:
        qs = qs.filter(org_unit__level=level)
    if role:
        qs = qs.filter(role=role)
    if org_unit:
        qs = qs.in_visible_unit(user, org_unit)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(address__icontains=q))
    return qs


def venue_get(*, user: UserLike, pk: int) -> Venue:
    return (
        Venue.objects.visible_to(user)
        .select_related("system", "org_unit", "org_unit__parent", "primary_staff", "backup_staff")
        .prefetch_related("equipment__integrator", "fibre_routes")
        .get(pk=pk)
    )


@lru_cache(maxsize=20_000)
def pinyin_keys(name: str) -> str:
    """What a place or venue name is found by besides itself: its pinyin initials and its full
    pinyin, lower case ("平谷市" → "pgs pinggushi"). One pypinyin call per name, cached: names
    repeat on every request. pypinyin is imported here, not at start-up (its tables take 0.5 s)."""
    from pypinyin import lazy_pinyin

    # Han characters come back as lower-case syllables; anything else (digits, latin) as it was.
    segments = lazy_pinyin(name)
    initials = "".join(
        seg[0] if seg.isascii() and seg.isalpha() and seg.islower() else seg for seg in segments
    )
    return f"{initials} {''.join(segments)}".lower()


def venue_picker_data(*, user: UserLike, system: str = "", role: str = "") -> dict:
    """The venue picker's data in two queries whatever the number of venues: the user's active
    venues (of a system and a role if given) and the units on the paths down to them, each with
    its search keys. Compact rows (lists, not objects): a province is about 1,400 venues.

    units:  [id, parent id or null, name, level, pinyin keys]   (parents before children)
    venues: [id, name, code, unit id, system code, pinyin keys]
    """
    qs = Venue.objects.visible_to(user).filter(is_active=True)
    if system:
        qs = qs.filter(system__code=system)
    if role:
        qs = qs.filter(role=role)
    venues = list(
        qs.order_by("org_unit__path", "code").values_list(
            "id", "name", "code", "org_unit_id", "org_unit__path", "system__code"
        )
    )
    wanted: set[int] = set()
    for *_rest, path, _system in venues:
        wanted.update(int(part) for part in path.strip("/").split("/") if part)
    units = (
        OrgUnit.objects.visible_to(user)
        .filter(pk__in=wanted)
        .order_by("path")
        .values_list("id", "parent_id", "name", "level")
    )
    unit_rows = [[pk, parent, name, level, pinyin_keys(name)] for pk, parent, name, level in units]
    known = {row[0] for row in unit_rows}
    for row in unit_rows:
        if row[1] not in known:
            row[1] = None  # the top of what this user sees
    return {
        "units": unit_rows,
        "venues": [
            [pk, name, code, unit, system_code, pinyin_keys(name)]
            for pk, name, code, unit, _path, system_code in venues
        ],
        "systems": [[s.code, s.name] for s in customer_system_list()],
        "levels": [[value, str(label)] for value, label in OrgUnit.Level.choices],
    }
