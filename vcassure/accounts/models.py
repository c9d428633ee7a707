import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from vcassure.core import clock


class Role(models.TextChoices):
    ADMIN = "admin", _("系统管理员")
    DISPATCHER = "dispatcher", _("调度员")
    MANAGER = "manager", _("部门负责人")
    SUPPORT = "support", _("保障人员")
    INTEGRATOR = "integrator", _("集成商")
    READONLY = "readonly", _("只读")


class User(AbstractUser):
    """A login. Its scope (org subtree) comes from the staff record linked to it (orgs.Staff.user);
    administrators see everything."""

    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.READONLY)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=100, blank=True)
    prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
