"""The one door for org-subtree scoping. Every read of org-owned data goes through
`.visible_to(user)` (a ScopedQuerySet), `scope_q(user, lookup)` for a join, or `visible_unit`;
another scope's object is a 404, the same as a missing one. Nothing outside this module looks at
what a user's scope is made of (`make lint` checks): "sees everything" and "sees nothing" are
decided here only."""

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models
from django.db.models import Q

from vcassure.accounts.types import UserLike

if TYPE_CHECKING:
    from vcassure.orgs.models import OrgUnit

_NOTHING = object()
_EVERYTHING = ""


def _model(name: str) -> Any:
    """orgs.models builds its querysets on this module: reach its models through the registry."""
    return apps.get_model("orgs", name)


def _scope_path(user: "UserLike | None") -> str | object:
    """The materialized path of the subtree a user may see: "" for all, _NOTHING for none.
    Cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return _NOTHING
    if user.is_administrator:
        return _EVERYTHING
    cached = getattr(user, "_vca_scope_path", None)
    if cached is not None:
        return cached
    path = (
        _model("Staff")
        .objects.filter(user_id=user.pk, is_active=True)
        .values_list("org_unit__path", flat=True)
        .first()
    )
    result = path if path else _NOTHING
    # A per-request cache on the user object, not a field of User.
    user._vca_scope_path = result  # type: ignore[attr-defined]
    return result


def subtree_q(path: str, lookup: str = "org_unit__path") -> Q:
    """Rows whose unit (`lookup` names its path) lies in the subtree at `path`."""
    return Q(**{f"{lookup}__startswith": path})


def scope_q(user: "UserLike | None", *lookups: str) -> Q:
    """Rows in the user's subtree through any of `lookups` (paths reached by forward relations,
    OR-ed; default the row's own org unit). For whoever sees everything: Q(), no condition; for
    whoever sees nothing: a condition no row meets."""
    path = _scope_path(user)
    if path is _NOTHING:
        return Q(pk__in=[])
    if path == _EVERYTHING:
        return Q()
    condition = Q()
    for lookup in lookups or ("org_unit__path",):
        condition |= subtree_q(str(path), lookup)
    return condition


def sees_everything(user: "UserLike | None") -> bool:
    return _scope_path(user) == _EVERYTHING


def sees_nothing(user: "UserLike | None") -> bool:
    return _scope_path(user) is _NOTHING


def in_scope(user: "UserLike | None", path: str) -> bool:
    """Whether the unit at `path` lies in the user's subtree."""
    scope = _scope_path(user)
    return scope is not _NOTHING and path.startswith(str(scope))


def scope_unit(user: "UserLike | None") -> "OrgUnit | None":
    """The top unit of the user's subtree; None for whoever sees everything or nothing."""
    scope = _scope_path(user)
    if scope is _NOTHING or scope == _EVERYTHING:
        return None
    return _model("OrgUnit").objects.filter(path=scope).first()


def visible_unit(user: "UserLike | None", pk: int | None) -> "OrgUnit | None":
    """This unit, if the caller may see it; None when it is missing or outside their subtree."""
    if not pk:
        return None
    return _model("OrgUnit").objects.visible_to(user).filter(pk=pk).first()


class ScopedQuerySet(models.QuerySet):
    """A queryset of an org-owned model. `scope_lookup` names the path of the owning org unit;
    `scope_also(path)` may give another way into the subtree (a meeting that has tasks in it)."""

    scope_lookup = "org_unit__path"

    def scope_also(self, path: str) -> Any:
        return None

    def visible_to(self, user: "UserLike | None"):
        path = _scope_path(user)
        if path is _NOTHING:
            return self.none()
        if path == _EVERYTHING:
            return self
        condition = subtree_q(str(path), self.scope_lookup)
        also = self.scope_also(str(path))
        return self.filter(condition | also if also is not None else condition)

    def owned_by(self, user: "UserLike | None"):
        """Rows whose own unit lies in the user's subtree (not those only involving it)."""
        return self.filter(scope_q(user, self.scope_lookup))

    def in_subtree(self, unit: "OrgUnit | None"):
        """Rows under `unit`; none for None (a filter on a unit the caller may not see)."""
        if unit is None:
            return self.none()
        return self.filter(subtree_q(unit.path, self.scope_lookup))

    def in_visible_unit(self, user: "UserLike | None", pk: int | None):
        """The `org_unit=` filter of lists: rows under that unit if the caller may see it."""
        return self.in_subtree(visible_unit(user, pk))
