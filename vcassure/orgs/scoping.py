"""The one entry point for org-subtree scoping. Every read of org-owned data goes through
`.visible_to(user)`, so another scope's object is a 404, the same as a missing one."""

from django.db import models

NOTHING = object()
EVERYTHING = ""


def user_scope_path(user) -> str | object:
    """The materialized path of the subtree a user may see: "" for all, NOTHING for none."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser or getattr(user, "role", None) == "admin":
        return EVERYTHING
    cached = getattr(user, "_vca_scope_path", None)
    if cached is not None:
        return cached
    from vcassure.orgs.models import Staff

    path = (
        Staff.objects.filter(user_id=user.pk, is_active=True)
        .values_list("org_unit__path", flat=True)
        .first()
    )
    result = path if path else NOTHING
    user._vca_scope_path = result
    return result


class ScopedQuerySet(models.QuerySet):
    """A queryset of an org-owned model. `scope_lookup` names the path of the owning org unit."""

    scope_lookup = "org_unit__path"

    def visible_to(self, user):
        path = user_scope_path(user)
        if path is NOTHING:
            return self.none()
        if path == EVERYTHING:
            return self
        return self.filter(**{f"{self.scope_lookup}__startswith": path})
