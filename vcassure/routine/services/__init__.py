"""Writes for routine work: plans (plans.py), the worker's daily generation, digests and
escalation (generation.py), and the inspection done on the phone (field.py)."""

from vcassure.routine.services.field import (  # noqa: F401
    inspection_record_step,
    inspection_start,
    inspection_step_photo_add,
)
from vcassure.routine.services.generation import (  # noqa: F401
    inspections_escalate,
    inspections_generate,
    routine_sweep,
)
from vcassure.routine.services.plans import inspection_plan_create  # noqa: F401
