"""Writes for faults: the lifecycle (lifecycle.py, the one write path of a fault's state), the
severity policy and deadlines (policy.py), the notices (notify.py) and the integrator's guidance
(guidance.py)."""

from vcassure.faults.services.guidance import (  # noqa: F401
    fault_guidance_add,
    fault_integrator_notify,
    integrator_channels,
    integrators_of,
)
from vcassure.faults.services.lifecycle import (  # noqa: F401
    access_department,
    assignable_staff,
    check_can_handle,
    fault_acknowledge,
    fault_assign,
    fault_close,
    fault_on_site,
    fault_open,
    fault_reopen,
    fault_restore,
    responsible_department,
)
from vcassure.faults.services.notify import on_duty_staff  # noqa: F401
from vcassure.faults.services.policy import (  # noqa: F401
    deadlines_for,
    severity_for_meeting,
)
