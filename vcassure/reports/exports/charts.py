"""Trend charts drawn on the server as SVG by pygal: no script, no web font, nothing fetched (the
intranet has no internet). The same SVG goes into the page (as an image) and the PDF."""

import re

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#333",
    foreground_strong="#111",
    foreground_subtle="#999",
    colors=("#1f5fa8", "#2e9d5b", "#d9822b", "#c0392b"),
    font_family="Noto Sans CJK SC, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
    title_font_size=15,
    value_font_size=11,
)


def _config(title: str, months: list[str]) -> dict:
    return {
        "title": title,
        "style": STYLE,
        "width": 760,
        "height": 300,
        "js": [],  # pygal links its tooltip script from the internet by default
        "disable_xml_declaration": True,
        "show_dots": True,
        "dots_size": 3,
        "legend_at_bottom": True,
        "x_labels": [m[2:] for m in months],
        "truncate_legend": -1,
        "print_values": False,
        "explicit_size": True,
    }


SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _render(chart) -> str:
    """pygal embeds its configuration as a script even without its tooltip code: dropped, the
    chart is a plain image."""
    return SCRIPT.sub("", chart.render(is_unicode=True))


def rates_chart(trend: list[dict]) -> str:
    months = [t["month"] for t in trend]
    chart = pygal.Line(**_config(_("按时确认率与开会前就绪率(%)"), months), range=(0, 100))
    chart.add(_("按时确认率"), [t["ack_on_time_rate"] for t in trend])
    chart.add(_("开会前就绪率"), [t["ready_before_start_rate"] for t in trend])
    return _render(chart)


def repair_chart(trend: list[dict]) -> str:
    months = [t["month"] for t in trend]
    chart = pygal.Line(**_config(_("故障平均响应与修复时长(分钟)"), months))
    chart.add(_("平均响应时长 MTTA"), [t["mtta_minutes"] for t in trend])
    chart.add(_("平均修复时长 MTTR"), [t["mttr_minutes"] for t in trend])
    per_100 = [t["faults_per_100"] for t in trend]
    if any(v is not None for v in per_100):  # pygal cannot scale a secondary axis of nothing
        chart.add(_("每百会场故障数"), per_100, secondary=True)
    return _render(chart)


CHARTS = {"rates": rates_chart, "repair": repair_chart}
