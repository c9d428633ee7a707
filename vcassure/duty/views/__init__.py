"""Duty pages: periods (periods.py) and shifts, swaps, the phone page and feeds (shifts.py)."""

from vcassure.duty.views.periods import (  # noqa: F401
    period_detail,
    period_grid,
    period_list,
    period_live,
    period_report,
    period_suggest,
)
from vcassure.duty.views.shifts import (  # noqa: F401
    calendar_feed,
    calendar_page,
    calendar_reset,
    my_duty,
    shift_assign,
    shift_cell,
    shift_check_in,
    shift_check_out,
    shift_detail,
    swap_answer,
    swap_decide,
    swap_list,
    swap_request,
)
