"""The parts of the demo that span apps: the IM groups that cover the demo province (R4: every
notice reaches at least two groups). The directory itself is built by venues.demo."""

from vcassure.notifications.models import ImGroup
from vcassure.orgs.models import OrgUnit

# Until `make run` points them at its local fake servers, the robots point at a closed local port:
# deliveries then fail visibly (and retry) instead of leaving the machine.
PLACEHOLDER_BASE = "http://127.0.0.1:9"


def demo_im_groups_build() -> list[ImGroup]:
    """Province DingTalk and WeCom support groups, the O&M supervisors' group, and a DingTalk
    group per city."""
    province = OrgUnit.objects.filter(parent__isnull=True).order_by("code").first()
    if province is None:
        return []
    rows = [
        ImGroup(platform="dingtalk", name=f"{province.name}钉钉视频会商保障群", org_unit=province, purpose="support",
                webhook_url=f"{PLACEHOLDER_BASE}/robot/send?access_token=demo-province", secret="SECdemo-province"),  # noqa: S106 - demo data
        ImGroup(platform="wecom", name=f"{province.name}微信视频会商保障群", org_unit=province, purpose="support",
                webhook_url=f"{PLACEHOLDER_BASE}/cgi-bin/webhook/send?key=demo-province"),
        ImGroup(platform="dingtalk", name=f"{province.name}运维主管工作群", org_unit=province, purpose="supervisors",
                webhook_url=f"{PLACEHOLDER_BASE}/robot/send?access_token=demo-supervisors", secret="SECdemo-supervisors"),  # noqa: S106 - demo data
    ]
    for city in OrgUnit.objects.filter(level=OrgUnit.Level.CITY).order_by("code"):
        rows.append(ImGroup(platform="dingtalk", name=f"{city.name}视频会商保障群", org_unit=city, purpose="support",
                            webhook_url=f"{PLACEHOLDER_BASE}/robot/send?access_token=demo-{city.code}",
                            secret=f"SECdemo-{city.code}"))
    return ImGroup.objects.bulk_create(rows)


def demo_im_groups_wipe() -> int:
    deleted, _ = ImGroup.objects.all().delete()
    return deleted
