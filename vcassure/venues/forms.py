"""The venue picker: one component wherever venues are chosen (meetings, inspection plans, special
periods).

A tree of units (city → county → township) with checkboxes and counts per node, "select all under
a node", a search by venue or place name (also by pinyin initials: "pgs" finds 平谷市), system and
level filters, and the chosen set as a compact summary by unit that expands on demand, each venue
removable with one click or the Delete key. It is keyboard-operable (Tab between controls, Space
toggles a checkbox, Enter opens a node, Delete or Backspace removes a chosen venue) and stays within
the screen whatever the number of venues (the tree and the expanded list scroll inside boxes).

How it works: the widget renders a hidden input holding the chosen ids ("12,15,40") and an empty
box that `static/js/venue_picker.js` fills from `venues:picker_data` (the user's venues and the
units above them, with their pinyin keys, computed on the server; scoped to the user). What is
posted is the list of ids; `VenuePickerField` returns it as `list[int]`. Whether the ids are
visible to the user and of the right system is for the service to say (as it does for the API),
so the form stays a thin parser.

To reuse it in another form (an inspection plan, a special period):

    from vcassure.venues.forms import VenuePickerField

    class InspectionPlanForm(forms.Form):
        system = forms.ChoiceField(...)
        venues = VenuePickerField(label=_("会场"), system_field="system", role="branch")

    # the view: initial={"venues": plan_venue_ids}; the template: {{ form.media }} once, then
    # {% include "components/_field.html" with f=form.venues %}; the service gets
    # form.cleaned_data["venues"] (a list of ids).

`system_field` names another field of the same form (its id `id_<name>`) whose value chooses the
system: the picker follows it, reloads its data and drops chosen venues of another system. Without
it the picker shows its own system filter (a special period may span systems). `role` limits the
venues to branch ("branch") or main ("main") venues; empty for all.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

MAX_VENUES = 20_000


def picker_texts() -> dict[str, object]:
    """The words venue_picker.js shows, translated here ({n} and {name} filled in by the script)."""
    return {
        "chooseSystem": _("请先选择视频会商系统。"),
        "loadFailed": _("会场载入失败，请刷新页面重试。"),
        "noMatch": _("没有匹配的会场。"),
        "none": _("尚未选择会场。"),
        "total": _("已选 {n} 个会场"),
        "clear": _("清空"),
        "expand": _("展开 {name}"),
        "collapse": _("收起 {name}"),
        "remove": _("移除 {name}"),
        "removeGroup": _("移除 {name} 的全部会场"),
        "dropped": _("{n} 个已选会场不属于所选系统或不在可选范围内，已移除。"),
        "count": _("已选 {chosen} / 共 {total}"),
    }


class VenuePickerWidget(forms.Widget):
    template_name = "venues/widgets/venue_picker.html"

    class Media:
        js = ["js/venue_picker.js"]

    def __init__(self, *, system_field: str = "", role: str = "", attrs=None):
        super().__init__(attrs)
        self.system_field = system_field
        self.role = role

    def format_value(self, value) -> str:
        if not value:
            return ""
        if isinstance(value, str):
            return value
        return ",".join(str(int(v)) for v in value)

    def value_from_datadict(self, data, files, name):
        return data.get(name, "")

    def value_omitted_from_data(self, data, files, name) -> bool:
        return name not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            {
                "data_url": reverse_lazy("venues:picker_data"),
                "system_field": f"id_{self.system_field}" if self.system_field else "",
                "role": self.role,
                "texts": {key: str(text) for key, text in picker_texts().items()},
            }
        )
        return context


class VenuePickerField(forms.Field):
    """The chosen venues as a list of ids, in the order chosen, without repeats."""

    default_error_messages = {
        "invalid": _("所选会场无效，请重新选择。"),
        "too_many": _("一次最多选择 %(n)s 个会场。"),
    }

    def __init__(self, *, system_field: str = "", role: str = "", **kwargs):
        kwargs.setdefault("widget", VenuePickerWidget(system_field=system_field, role=role))
        super().__init__(**kwargs)

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        if isinstance(value, list | tuple):
            parts = [str(v) for v in value]
        else:
            parts = [p for p in str(value).split(",") if p.strip()]
        if len(parts) > MAX_VENUES:
            raise ValidationError(
                self.error_messages["too_many"], code="too_many", params={"n": MAX_VENUES}
            )
        ids: list[int] = []
        for part in parts:
            part = part.strip()
            if not (part.isascii() and part.isdigit()) or not 0 < int(part) < 2**31:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            ids.append(int(part))
        return list(dict.fromkeys(ids))
