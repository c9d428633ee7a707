"""The parts of the demo that span apps: the IM groups that cover the demo province (R4: every
notice reaches at least two groups). The directory itself is built by venues.demo."""

from vcassure.notifications.models import ImGroup
from vcassure.orgs.models import OrgUnit

# Until `make run` points them at its local fake servers, the robots point at a closed local port:
# deliveries then fail visibly instead of leaving the machine (outside demo mode the outbound
# allowlist refuses them before any connection).
PLACEHOLDER_BASE = "http://127.0.0.1:9"


def demo_im_groups_build() -> list[ImGroup]:
    """Province DingTalk and WeCom support groups, the O&M supervisors' group, and a DingTalk
    group per city."""
    province = OrgUnit.objects.filter(parent__isnull=True).order_by("code").first()
    if province is None:
        return []
    rows = [
        ImGroup(
            platform="dingtalk",
            name=f"{province.name}钉钉视频会商保障群",
            org_unit=province,
            purpose="support",
            webhook_url=f"{PLACEHOLDER_BASE}/robot/send?access_token=demo-province",
            secret="SECdemo-province",  # noqa: S106 - demo data
            dingtalk_conversation_id="cid-demo-province",
        ),
        ImGroup(
            platform="wecom",
            name=f"{province.name}微信视频会商保障群",
            org_unit=province,
            purpose="support",
            webhook_url=f"{PLACEHOLDER_BASE}/cgi-bin/webhook/send?key=demo-province",
        ),
        ImGroup(
            platform="dingtalk",
            name=f"{province.name}运维主管工作群",
            org_unit=province,
            purpose="supervisors",
            webhook_url=f"{PLACEHOLDER_BASE}/robot/send?access_token=demo-supervisors",
            secret="SECdemo-supervisors",  # noqa: S106 - demo data
        ),
    ]
    for city in OrgUnit.objects.filter(level=OrgUnit.Level.CITY).order_by("code"):
        rows.append(
            ImGroup(
                platform="dingtalk",
                name=f"{city.name}视频会商保障群",
                org_unit=city,
                purpose="support",
                webhook_url=f"{PLACEHOLDER_BASE}/robot/send?access_token=demo-{city.code}",
                secret=f"SECdemo-{city.code}",
                dingtalk_conversation_id=f"cid-demo-{city.code}",
            )
        )
    return ImGroup.objects.bulk_create(rows)


def demo_im_groups_wipe() -> int:
    deleted, _ = ImGroup.objects.all().delete()
    return deleted


CHANNEL_SETTINGS = (
    "DINGTALK_API_URL",
    "DINGTALK_APP_KEY",
    "DINGTALK_APP_SECRET",
    "DINGTALK_AGENT_ID",
    "WECOM_API_URL",
    "WECOM_CORP_ID",
    "WECOM_CORP_SECRET",
    "WECOM_AGENT_ID",
    "SMS_GATEWAY_URL",
    "OA_WEBHOOK_URL",
    "EMAIL_URL",
)


def demo_fakes_wire() -> list[str]:
    """Demo mode: start the local fake servers, point every channel and every local demo robot at
    them, and turn the demo inbox on. Groups that point anywhere but this machine are left alone."""
    from django.conf import settings

    from vcassure.notifications.channels.base import reset_channels
    from vcassure.notifications.demo import (
        ROBOTS_PER_PLATFORM,
        allow_local_fakes,
        running_fakes,
        start_demo_fakes,
    )

    local = ImGroup.objects.filter(webhook_url__startswith="http://127.0.0.1").order_by("id")
    # One fake robot per group: the fakes, like the real platforms, count 20 a minute per robot.
    per_platform = max(
        [ROBOTS_PER_PLATFORM, *(local.filter(platform=p).count() for p in ("dingtalk", "wecom"))]
    )
    values = start_demo_fakes(robots=per_platform)
    for name in CHANNEL_SETTINGS:
        setattr(settings, name, values[name])
    settings.DEMO_FAKES_ENABLED = True
    allow_local_fakes()
    reset_channels()
    counters = {"dingtalk": 0, "wecom": 0}
    robots = {
        "dingtalk": sorted(
            k for k in values if k.startswith("DINGTALK_ROBOT_") and k.endswith("_URL")
        ),
        "wecom": sorted(k for k in values if k.startswith("WECOM_ROBOT_") and k.endswith("_URL")),
    }
    for group in local:
        keys = robots[group.platform]
        key = keys[counters[group.platform] % len(keys)]
        counters[group.platform] += 1
        group.webhook_url = values[key]
        group.secret = values.get(key.replace("_URL", "_SECRET"), "")
        group.paused_until, group.needs_attention, group.last_error = None, False, ""
        group.save(
            update_fields=[
                "webhook_url",
                "secret",
                "paused_until",
                "needs_attention",
                "last_error",
                "updated_at",
            ]
        )
    return list(running_fakes())
