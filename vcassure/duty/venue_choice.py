"""Which venues a period covers: ids one by one, or a filter (`{"levels": [...], "org_units":
[...]}` as for meetings, optionally `"systems": [...]`). The page posts the venue picker's ids;
the API takes either."""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from vcassure.accounts.types import UserLike
from vcassure.orgs.models import OrgUnit
from vcassure.orgs.scoping import subtree_q
from vcassure.venues.models import Venue


def venues_choose(
    *, user: UserLike, venues: list[int] | None, venue_filter: dict | None
) -> tuple[list[int], list[dict]]:
    """(venue ids in the caller's scope, errors as {"field", "message"})."""
    errors: list[dict] = []
    sep = pgettext("list separator", "、")
    visible = Venue.objects.visible_to(user).filter(is_active=True)
    if venues and venue_filter:
        return [], [
            {"field": "venue_filter", "message": _("请只使用 venues 或 venue_filter 其中之一。")}
        ]
    if venue_filter:
        levels = [str(x) for x in venue_filter.get("levels") or []]
        systems = [str(x) for x in venue_filter.get("systems") or []]
        try:
            units = [int(u) for u in venue_filter.get("org_units") or []]
        except (TypeError, ValueError):
            return [], [{"field": "venue_filter.org_units", "message": _("组织单元编号无效。")}]
        bad = [lv for lv in levels if lv not in OrgUnit.Level.values]
        if bad:
            errors.append(
                {
                    "field": "venue_filter.levels",
                    "message": _("未知的层级：%(levels)s。") % {"levels": sep.join(bad)},
                }
            )
        paths = dict(
            OrgUnit.objects.visible_to(user).filter(pk__in=units).values_list("id", "path")
        )
        missing = sorted(set(units) - set(paths))
        if missing:
            errors.append(
                {
                    "field": "venue_filter.org_units",
                    "message": _("组织单元不存在或不在您的管辖范围内：%(ids)s。")
                    % {"ids": sep.join(map(str, missing))},
                }
            )
        if errors:
            return [], errors
        qs = visible
        if levels:
            qs = qs.filter(org_unit__level__in=levels)
        if systems:
            qs = qs.filter(system__code__in=systems)
        if paths:
            condition = Q()
            for path in paths.values():
                condition |= subtree_q(path)
            qs = qs.filter(condition)
        ids = list(qs.order_by("org_unit__path", "code").values_list("id", flat=True))
    else:
        requested = list(dict.fromkeys(int(v) for v in venues or []))
        found = set(visible.filter(pk__in=requested).values_list("id", flat=True))
        unknown = [v for v in requested if v not in found]
        if unknown:
            errors.append(
                {
                    "field": "venues",
                    "message": _("会场不存在或不在您的管辖范围内：%(ids)s。")
                    % {"ids": sep.join(map(str, unknown))},
                }
            )
        ids = [v for v in requested if v in found]
    if not ids and not errors:
        errors.append({"field": "venues", "message": _("请至少选择一个会场。")})
    return ids, errors
