"""How each terminal and access switch is probed (ProbeTarget), every probe's result with its
history (ProbeResult), the latest result per device (ProbeStatus, for cheap dashboard reads), the
venues with a device failing it (VenueMachineDown) and the runs that grouped them (ProbeRun,
labelled by whoever asked, e.g. "meeting:12:t60")."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from vcassure.core.models import TimeStampedModel
from vcassure.orgs.scoping import ScopedQuerySet


class Method(models.TextChoices):
    ICMP = "icmp", _("ICMP 回显")
    TCP = "tcp", _("TCP 连接")
    SNMP = "snmp", _("SNMP")


class Failure(models.TextChoices):
    """Why a probe failed, in words a dispatcher reads on the dashboard."""

    UNREACHABLE = "unreachable", _("不可达")
    REFUSED = "refused", _("端口拒绝连接")
    TIMEOUT = "timeout", _("超时")
    UPLINK_DOWN = "uplink_down", _("上联端口中断")
    AUTH = "auth", _("认证失败")
    ERROR = "error", _("探测出错")


class ProbeTargetQuerySet(ScopedQuerySet):
    scope_lookup = "equipment__venue__org_unit__path"


class ProbeTarget(TimeStampedModel):
    """How one piece of equipment is probed. Without a target a device with a management address
    is probed by ICMP echo. Credentials are stored encrypted (probes.crypto)."""

    class SnmpVersion(models.TextChoices):
        V2C = "v2c", "v2c"
        V3 = "v3", "v3"

    class AuthProtocol(models.TextChoices):
        NONE = "", _("无")
        MD5 = "md5", "MD5"
        SHA = "sha", "SHA"
        SHA256 = "sha256", "SHA-256"

    class PrivProtocol(models.TextChoices):
        NONE = "", _("无")
        DES = "des", "DES"
        AES = "aes", "AES-128"

    equipment = models.OneToOneField(
        "venues.Equipment",
        verbose_name=_("设备"),
        on_delete=models.CASCADE,
        related_name="probe_target",
    )
    method = models.CharField(_("探测方式"), max_length=4, choices=Method.choices)
    port = models.PositiveIntegerField(_("端口"), null=True, blank=True)
    snmp_version = models.CharField(
        _("SNMP 版本"), max_length=3, choices=SnmpVersion.choices, blank=True
    )
    community_encrypted = models.TextField(blank=True)
    snmp_user = models.CharField(_("SNMPv3 用户"), max_length=64, blank=True)
    auth_protocol = models.CharField(
        _("认证协议"), max_length=8, choices=AuthProtocol.choices, blank=True
    )
    auth_key_encrypted = models.TextField(blank=True)
    priv_protocol = models.CharField(
        _("加密协议"), max_length=8, choices=PrivProtocol.choices, blank=True
    )
    priv_key_encrypted = models.TextField(blank=True)
    uplink_if_index = models.PositiveIntegerField(_("上联端口 ifIndex"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ProbeTargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("探测配置")
        verbose_name_plural = _("探测配置")

    def __str__(self) -> str:
        return f"{self.equipment_id} {self.method}"


class ProbeRun(models.Model):
    """One batch of probes. `label` is opaque to this app and unique: a scheduled round is run
    once however many workers look at it."""

    label = models.CharField(max_length=64, unique=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    devices = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.label


class ProbeResult(models.Model):
    """One probe of one device: the history."""

    equipment = models.ForeignKey(
        "venues.Equipment", on_delete=models.CASCADE, related_name="probe_results"
    )
    run = models.ForeignKey(
        ProbeRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="results"
    )
    method = models.CharField(_("探测方式"), max_length=4, choices=Method.choices)
    ok = models.BooleanField(_("正常"))
    failure = models.CharField(_("原因"), max_length=12, choices=Failure.choices, blank=True)
    rtt_ms = models.FloatField(_("往返时延(毫秒)"), null=True, blank=True)
    error = models.CharField(_("错误"), max_length=200, blank=True)
    checked_at = models.DateTimeField(_("探测时间"), db_index=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["equipment", "-checked_at"])]
        verbose_name = _("探测结果")
        verbose_name_plural = _("探测结果")

    def __str__(self) -> str:
        return f"{self.equipment_id} {self.method} {'ok' if self.ok else self.failure}"


class ProbeStatus(models.Model):
    """The latest result of each device, kept beside the history so that a dashboard reads one
    row per device instead of searching the history."""

    equipment = models.OneToOneField(
        "venues.Equipment", primary_key=True, on_delete=models.CASCADE, related_name="probe_status"
    )
    result = models.ForeignKey(ProbeResult, on_delete=models.CASCADE, related_name="+")
    ok = models.BooleanField()
    failure = models.CharField(max_length=12, choices=Failure.choices, blank=True)
    checked_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["ok", "checked_at"])]

    def __str__(self) -> str:
        return f"{self.equipment_id} {'ok' if self.ok else self.failure}"


class VenueMachineDown(models.Model):
    """A venue with a device whose latest probe failed, and when the latest such failure was seen.
    Kept by the probe runs beside ProbeStatus (services.venue_machine_state_refresh), so that a
    dashboard asks one row per venue task by primary key instead of searching each venue's devices
    and their statuses (at ten provinces, half the cost of a refresh)."""

    venue = models.OneToOneField(
        "venues.Venue", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    checked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.venue_id} down at {self.checked_at:%Y-%m-%d %H:%M}"
