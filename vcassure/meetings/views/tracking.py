"""Following a meeting's tasks: the tracking view of a subtree, and my own tasks."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from vcassure.core.http import get_or_404
from vcassure.core.pagination import int_or_none, paginate
from vcassure.meetings import selectors
from vcassure.meetings.forms import (
    TaskFilterForm,
)
from vcassure.meetings.models import SupportTask
from vcassure.meetings.validation import owner_unit
from vcassure.meetings.views import display
from vcassure.orgs.models import OrgUnit
from vcassure.orgs.selectors import org_unit_get


@login_required
@require_GET
def meeting_track(request: HttpRequest, pk: int):
    """A customer department's view: the counts and the chain below one unit (default: its own)."""
    meeting = get_or_404(selectors.meeting_get, user=request.user, pk=pk)
    unit_pk = int_or_none(request.GET.get("org_unit"))
    if unit_pk is None:
        unit = owner_unit(request.user)
        if unit is None:
            raise Http404
    else:
        try:
            unit = org_unit_get(user=request.user, pk=unit_pk)
        except OrgUnit.DoesNotExist as exc:
            raise Http404 from exc
    status = selectors.meeting_status(meeting, user=request.user, parent=unit)
    top = owner_unit(request.user)
    return render(
        request,
        "meetings/meeting_track.html",
        {
            "meeting": meeting,
            "unit": unit,
            "up": unit.parent if unit.parent_id and top is not None and unit.pk != top.pk else None,
            "totals": display.state_list(status["counts"]),
            "total": sum(status["counts"].values()),
            "units": [
                {
                    **row,
                    "level_label": OrgUnit.Level(row["level"]).label,
                    "states": display.state_list(row["counts"]),
                    "total": sum(row["counts"].values()),
                }
                for row in status["units"]
            ],
            "overdue": [
                {**row, "state_label": SupportTask.State(row["state"]).label}
                for row in status["overdue"]
            ],
            "tree": display.decorate_tree(
                selectors.task_tree_below(meeting, user=request.user, unit=unit)
            ),
        },
    )


@login_required
@require_GET
def my_tasks(request: HttpRequest):
    task_filter = TaskFilterForm(request.GET or None, units=[])
    qs = selectors.task_list(user=request.user, mine=True, state=task_filter.filters()["state"])
    return render(
        request,
        "meetings/my_tasks.html",
        {**paginate(request, qs, per_page=20), "task_filter": task_filter},
    )
