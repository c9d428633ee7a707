"""The demo province's invented data: sizes, names, numbers, systems, models."""

import ipaddress
from dataclasses import dataclass

PROVINCE_CODE = "390000"  # "39" is no real GB/T 2260 province prefix
PROVINCE_NAME = "青岚省"
CITY_COUNT = 11
COUNTY_TOTAL = 90
TOWNSHIP_TOTAL = 1300
FINANCE_TOWNSHIP_SHARE = 0.9
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 -- the documented demo login, not a secret
EMAIL_DOMAIN = "qinglan-operator.example"

# R5 as shipped (orgs migration 0002): city network operations 2 + 2, county technical maintenance 2 + 3.
CITY_REGULAR, CITY_EMERGENCY = 2, 2
COUNTY_REGULAR, COUNTY_EMERGENCY = 2, 3


@dataclass(frozen=True)
class DeliberateShortfall:
    """A unit built short of R5 on purpose, so the compliance report has something to show.
    `position` holds 0-based indexes in code order: (city,), (city, county) or (city, county, township)."""

    position: tuple[int, ...]
    kind: str  # "regular" or "emergency", as in orgs.selectors.Shortfall
    actual: int

    @property
    def level(self) -> str:
        return ("city", "county", "township")[len(self.position) - 1]


# Cities have at least 7 counties and counties at least 10 townships, so every position exists.
# The first city, its first county and that county's first township carry the demo logins: keep them whole.
DELIBERATE_SHORTFALLS = (
    DeliberateShortfall((3,), "emergency", 1),
    DeliberateShortfall((1, 2), "emergency", 1),
    DeliberateShortfall((6, 4), "emergency", 2),
    DeliberateShortfall((8, 1), "regular", 1),
    DeliberateShortfall((2, 3, 5), "regular", 0),
    DeliberateShortfall((5, 0, 2), "regular", 0),
    DeliberateShortfall((9, 6, 7), "regular", 0),
)

NAME_HEADS = (
    "青临石云清安宁平永长新丰华金龙凤泉阳岚德兴武文昌通泰和顺庆嘉乐福宜盛瑞白黄柳桃梅松竹枫桂"
)
NAME_TAILS = "川江河山林阳州源溪泉湖宁安平丰昌城水岭峰谷田台坪口塘渡浦港坝桥湾洲"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉建文斌宇浩凯健俊帆旭宁林欣晨瑶婷雪颖琳晶亮峰波志海飞鑫"
ROADS = [
    "人民路",
    "解放路",
    "建设路",
    "中山路",
    "滨江大道",
    "新华街",
    "文化路",
    "府前街",
    "迎宾大道",
    "胜利路",
    "和平路",
    "环城路",
    "东风路",
    "光明街",
    "朝阳路",
    "振兴路",
]
MOBILE_PREFIXES = [
    "135",
    "136",
    "137",
    "138",
    "139",
    "147",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "178",
    "182",
    "183",
    "184",
    "187",
    "188",
    "198",
]
DEPARTMENT_NAMES = {
    "ops": "集团运行维护部",
    "broadcast": "播控中心",
    "customer": "集团客户部",
    "network_ops": "网络运行部",
    "tech_maintenance": "技术维护部",
}
INTEGRATORS = [
    ("青岚华信通信技术有限公司", "周建明"),
    ("岚州数视科技有限公司", "陈晓梅"),
    ("云岭智联系统集成有限公司", "刘志强"),
    ("中瀚视讯工程有限公司", "孙丽娟"),
    ("恒越网络技术有限公司", "马俊"),
]
# system code -> (venue code prefix, province agency, city/county agency, township agency, terminal models)
SYSTEMS = {
    "water": ("WAT", "水利厅", "水利局", "水利站", ["华为 TE40", "华为 TE50", "华为 Box 300"]),
    "finance": (
        "FIN",
        "财政厅",
        "财政局",
        "财政所",
        ["宝利通 Group 310", "宝利通 Group 500", "宝利通 RealPresence Trio"],
    ),
    "government": (
        "GOV",
        "人民政府",
        "人民政府",
        "人民政府",
        ["中兴 ZXV10 XT802", "科达 H600", "华为 TE40"],
    ),
}
MODELS = {
    "camera": ["华为 VPC600", "宝利通 EagleEye IV", "科达 HD95D"],
    "microphone": ["华为 VPM220", "宝利通 SoundStation Duo", "铁三角 ES915"],
    "display": ["海信 86E7G", "TCL 75Q10", "长虹 65D8"],
    "switch": ["H3C S5130-28S-SI", "华为 S5735-L24T4S", "锐捷 RG-S2928G"],
    "optical": ["华为 EchoLife HG8245", "中兴 ZXHN F660", "烽火 AN5506-04"],
    "ups": ["山特 C3K", "华为 UPS2000-A-3KTTS", "科华 YTR1103"],
}
SERIAL_PREFIXES = {
    "华为": "2102",
    "宝利通": "8211",
    "中兴": "ZX",
    "科达": "KD",
    "铁三角": "AT",
    "海信": "HX",
    "TCL": "TC",
    "长虹": "CH",
    "H3C": "2198",
    "锐捷": "G1",
    "烽火": "FH",
    "山特": "ST",
    "科华": "KH",
}
FULL_KINDS = ["terminal", "camera", "microphone", "display", "switch", "optical", "ups"]
NETWORKED_KINDS = {"terminal", "camera", "switch", "optical", "ups"}
IP_BASE = int(ipaddress.IPv4Address("10.64.0.0"))  # one /29 per venue
ROOMS = ["三楼视频会商室", "四楼会议室", "二楼应急指挥中心", "五楼视频会议室"]
TOWNSHIP_ROOMS = ["一楼会议室", "二楼会议室", "便民服务中心会议室"]
