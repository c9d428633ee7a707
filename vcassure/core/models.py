from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vcassure.core import clock


class TimeStampedModel(models.Model):
    """Base of every model: when a row was created and last changed."""

    created_at = models.DateTimeField(_("创建时间"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class StateMachineMixin:
    """A model whose `state` field follows `ALLOWED_TRANSITIONS` ({state: {next states}}) over its
    `State` choices. `transition_to()` checks and sets; saving and side effects stay in services."""

    TRANSITION_ERROR = _("当前状态为“%(current)s”，不能变为“%(target)s”。")

    def transition_to(self, state: str) -> None:
        from vcassure.core.errors import ConflictError

        if state not in self.ALLOWED_TRANSITIONS[self.state]:  # type: ignore[attr-defined,has-type]
            raise ConflictError(
                self.TRANSITION_ERROR
                % {"current": self.get_state_display(), "target": self.State(state).label},  # type: ignore[attr-defined]
                code="invalid_transition",
            )
        self.state = state


class AuditEvent(models.Model):
    """One change made through a service: who, when, what, from which address. Append-only."""

    at = models.DateTimeField(_("时间"), default=clock.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")


class WorkerHeartbeat(models.Model):
    """Written by a periodic task, so that /api/health can tell whether a worker is consuming."""

    name = models.CharField(max_length=64, unique=True)
    beat_at = models.DateTimeField()

    class Meta:
        verbose_name = _("任务进程心跳")
        verbose_name_plural = _("任务进程心跳")

    def __str__(self) -> str:
        return f"{self.name} {self.beat_at}"


class IdempotencyKey(models.Model):
    """The `Idempotency-Key` of a user's POST and the response it got (SPEC §6), so that a retry
    with the same key and body gets the first answer instead of creating a second object. The row
    is inserted before the work, in the same transaction, so a concurrent duplicate waits on the
    unique constraint; only successful responses are kept (see core/idempotency.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("幂等键"), max_length=255)
    request_hash = models.CharField(_("请求摘要"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("响应状态码"), null=True, blank=True)
    response_body = models.JSONField(_("响应内容"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=clock.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="uniq_idempotency_key_per_user")
        ]
        verbose_name = _("幂等键")
        verbose_name_plural = _("幂等键")

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
