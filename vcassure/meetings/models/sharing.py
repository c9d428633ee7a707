"""Read-only, expiring share links of a meeting's dashboard for the customer (C7)."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vcassure.core import clock
from vcassure.meetings.models.meetings import Meeting
from vcassure.orgs.models import OrgUnit
from vcassure.orgs.scoping import ScopedQuerySet


def share_token() -> str:
    return secrets.token_urlsafe(32)


class ShareLinkQuerySet(ScopedQuerySet):
    def active(self, now):
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ShareLink(models.Model):
    """A read-only, expiring, revocable link through which a customer follows a meeting's readiness
    (C7). The random token in the URL is the credential; the link shows only `org_unit`'s subtree
    (the scope of whoever made it), and only venue names and states: no personal data."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="share_links")
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("范围"), on_delete=models.PROTECT, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True, default=share_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=clock.now, editable=False)
    expires_at = models.DateTimeField(_("有效期至"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("分享链接")
        verbose_name_plural = _("分享链接")

    def __str__(self) -> str:
        # Never the token: this lands in the audit log.
        return f"{self.meeting_id}: share #{self.pk}"

    def is_active(self, now) -> bool:
        return self.revoked_at is None and self.expires_at > now
