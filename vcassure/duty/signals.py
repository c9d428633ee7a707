"""Signals the duty app declares, for the apps above it (webhooks) to hear."""

from django.dispatch import Signal

# Sent by the duty clock (notify.shifts_warn) inside its transaction when it warns about shifts
# that start within 72 h (then 24 h) with nobody on them or with a rule broken: `shifts` is a list
# of (Shift, problem, mark) with problem "" for uncovered and mark "72h" or "24h"; `at` the time.
shifts_uncovered = Signal()
