"""Escalation policies: the ladders, checked and saved, and the ladder that applies to a notice."""

from django.db import transaction
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike
from vcassure.core.errors import InvalidInputError
from vcassure.core.services import audit_record
from vcassure.notifications.models import (
    EscalationPolicy,
)
from vcassure.orgs.models import Staff


def escalation_steps_for(
    staff: Staff, policies: dict[int | None, list] | None = None
) -> list[dict]:
    if policies is None:
        policies = escalation_policies()
    return policies.get(staff.department_id) or policies.get(None) or EscalationPolicy.DEFAULT_STEPS


def escalation_policies() -> dict[int | None, list]:
    return {p.department_id: p.steps for p in EscalationPolicy.objects.all()}


ESCALATION_ACTIONS = {"renotify", "supervisor", "department_head", "dispatch_desk"}


def escalation_steps_problems(steps) -> list[str]:
    """What is wrong with a policy's steps (empty when it is usable)."""
    if not isinstance(steps, list) or not steps:
        return [_("升级步骤应为非空列表。")]
    problems: list[str] = []
    previous = -1
    for i, step in enumerate(steps, start=1):
        if not isinstance(step, dict):
            problems.append(_("第 %(i)s 步格式不正确。") % {"i": i})
            continue
        minutes = step.get("after_minutes")
        if not isinstance(minutes, int) or minutes < 0:
            problems.append(_("第 %(i)s 步的 after_minutes 应为非负整数。") % {"i": i})
        elif minutes < previous:
            problems.append(_("第 %(i)s 步的时间早于上一步。") % {"i": i})
        else:
            previous = minutes
        if step.get("action") not in ESCALATION_ACTIONS:
            problems.append(_("第 %(i)s 步的动作无效：%(a)s。") % {"i": i, "a": step.get("action")})
        if step.get("action") == "renotify" and not step.get("channels"):
            problems.append(_("第 %(i)s 步(换渠道重发)需要列出渠道。") % {"i": i})
    return problems


@transaction.atomic
def escalation_policy_save(policy: EscalationPolicy, *, by: UserLike) -> EscalationPolicy:
    problems = escalation_steps_problems(policy.steps)
    if problems:
        raise InvalidInputError(
            _("升级策略有误。"), errors=[{"field": "steps", "message": p} for p in problems]
        )
    created = policy.pk is None
    policy.save()
    audit_record(
        actor=by,
        action="escalation_policy.create" if created else "escalation_policy.update",
        obj=policy,
        changes={"steps": policy.steps},
    )
    return policy
