"""The meetings app's API, one router per resource: meetings, tasks and acknowledgement links,
field work. config/api.py adds each of ROUTERS."""

from vcassure.meetings.api import closeout, field_work, joint_tests, meetings, probes, tasks

ROUTERS = (
    meetings.router,
    tasks.router,
    field_work.router,
    closeout.router,
    probes.router,
    joint_tests.router,
)
