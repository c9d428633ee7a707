"""Writes for duty rosters (atomic, keyword-only; 404 out of scope through the callers'
visible_to, 403 for a missing role): periods (periods.py) and shifts, swaps, check-in and
calendar feeds (shifts.py)."""

from vcassure.duty.services._common import CHECK_IN_EARLY, shift_topic  # noqa: F401
from vcassure.duty.services.periods import (  # noqa: F401
    MAX_PERIOD_DAYS,
    period_suggest,
    special_period_create,
)
from vcassure.duty.services.shifts import (  # noqa: F401
    calendar_feed_for,
    calendar_feed_reset,
    shift_assign,
    shift_check_in,
    shift_check_out,
    shift_rule_problem,
    shift_swap_answer,
    shift_swap_decide,
    shift_swap_request,
)
