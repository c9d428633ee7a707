from vcassure.notifications.models import EscalationPolicy
from vcassure.notifications.services import escalation_steps_problems


def test_default_policy_is_valid():
    assert escalation_steps_problems(EscalationPolicy.DEFAULT_STEPS) == []


def test_bad_policies_are_explained():
    assert escalation_steps_problems([]) != []
    problems = escalation_steps_problems(
        [
            {"after_minutes": 5, "action": "supervisor"},
            {"after_minutes": 1, "action": "teleport"},
            {"after_minutes": 10, "action": "renotify"},
        ]
    )
    assert (
        len(problems) == 3
    )  # earlier than the step before, unknown action, renotify without channels
