"""The grid cell's markup, built in Python: a county's week is some 400 cells, and the same markup
through template variables costs a dozen lookups a cell (most of the page's 300 ms budget)."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from vcassure.duty.selectors import GridCell


def cell_html(cell: GridCell, *, base: str, can_manage: bool, error: str = "") -> SafeString:
    pk = str(cell.pk)
    if can_manage:
        who = format_html(
            '<a href="{0}{1}/" hx-get="{0}{1}/cell/" hx-target="#cell-{1}" hx-swap="outerHTML">{2}</a>',
            base,
            pk,
            cell.label,
        )
    else:
        who = format_html("<span>{}</span>", cell.label)
    rule = format_html('<span class="duty-rule">{}</span>', cell.rule) if cell.rule else ""
    alert = format_html('<span class="error-text" role="alert">{}</span>', error) if error else ""
    return format_html(
        '<div class="duty-cell{}" id="cell-{}"><span class="duty-time">{}</span>{}{}{}</div>',
        cell.css,
        pk,
        cell.time,
        who,
        rule,
        alert,
    )


def rows_with_html(rows, *, can_manage: bool) -> None:
    base = shift_base()
    for row in rows:
        for day in row.days:
            for cell in day:
                cell.html = cell_html(cell, base=base, can_manage=can_manage)


def shift_base() -> str:
    """ "/duty/shifts/": cells link by prefix rather than reversing two URLs each."""
    return reverse("duty:shift_detail", args=[0])[:-2]
