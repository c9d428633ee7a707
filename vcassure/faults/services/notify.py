"""Telling people about a fault, through the notifications machinery: on opening, the responsible
department (the city's network operations; the customer department for venue access) in its IM
groups (one digest per group, @ the people on duty) and personally with acknowledgement links whose
deadline is the fault's own; silence climbs the escalation ladder copied onto each notice. The
assignee gets a notice with the link to the phone page; the integrator an SMS or an email."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from vcassure.core.subjects import fault_ref
from vcassure.core.timefmt import month_day_hhmm
from vcassure.faults.models import Fault
from vcassure.notifications.channels import escaping
from vcassure.notifications.models import Notification
from vcassure.notifications.services import (
    PersonalMessage,
    group_digests_queue,
    groups_covering,
    notifications_queue,
)
from vcassure.orgs.models import Department, Staff


def fault_url(fault: Fault, *, phone: bool = False) -> str:
    name = "faults:fault_phone" if phone else "faults:fault_detail"
    return f"{settings.PUBLIC_BASE_URL}{reverse(name, args=[fault.pk])}"


def on_duty_staff(department: Department) -> list[Staff]:
    """The department's people on duty: its active emergency (on-call) people, or everyone active
    in it when it names none."""
    people = list(Staff.objects.active().filter(department=department).order_by("name", "pk"))
    on_call = [p for p in people if p.is_emergency_mobile]
    return on_call or people


def _lines(fault: Fault, esc) -> list[str]:
    lines = [
        _("会场：%(v)s")
        % {"v": esc(fault.venue.name) if fault.venue is not None else esc(fault.org_unit.name)},
        _("级别：%(s)s；来源：%(src)s")
        % {"s": fault.get_severity_display(), "src": fault.get_source_display()},
    ]
    if fault.description:
        lines.append(_("现象：%(d)s") % {"d": esc(fault.description[:200])})
    if fault.ack_due_at and fault.restore_due_at:
        lines.append(
            _("受理时限：%(a)s；恢复时限：%(r)s")
            % {"a": month_day_hhmm(fault.ack_due_at), "r": month_day_hhmm(fault.restore_due_at)}
        )
    return lines


def _number(fault: Fault) -> str:
    """The fault's number (links go in the channel's own link field, never in the text)."""
    return _("故障编号：%(n)s") % {"n": fault.pk}


def _headline(fault: Fault) -> str:
    if fault.source == Fault.Source.ACCESS:
        return _("【进场受阻】%(t)s") % {"t": fault.title}
    return _("【故障·%(s)s】%(t)s") % {"s": fault.get_severity_display(), "t": fault.title}


def notify_fault_opened(fault: Fault) -> int:
    """Queue the department's group digests and its on-duty people's notices (inside the opening
    transaction; the outbox is poked on commit). Returns the number of personal notices."""
    department = fault.assigned_department
    if department is None:
        return 0
    topic = fault_ref(fault.pk)
    people = on_duty_staff(department)
    mobiles = sorted({p.mobile for p in people if p.mobile})
    covering = groups_covering([department.org_unit.path])[department.org_unit.path]
    groups = [g for g in covering if not g.department_ids or department.pk in g.department_ids]
    title = _headline(fault)
    link = fault_url(fault)
    if groups:
        group_digests_queue(
            topic=topic,
            groups=groups,
            title=title,
            markdown="\n".join(
                [
                    f"### {escaping.markdown(title)}",
                    *[f"- {line}" for line in _lines(fault, escaping.markdown)],
                    f"[{_('打开故障')}]({link})",
                ]
            ),
            text="\n".join([title, *_lines(fault, escaping.one_line), _number(fault)]),
            mentions={g.pk: mobiles for g in groups},
        )
    body = "\n".join(
        [
            title,
            *_lines(fault, escaping.one_line),
            _number(fault),
            _("请点击链接确认受理，确认后可进入故障处理页面。"),
        ]
    )
    rows = notifications_queue(
        [
            PersonalMessage(staff=p, subject=topic, title=title, body=body, requires_ack=True)
            for p in people
        ],
        topic=topic,
        kind=Notification.Kind.FAULT,
        mentioned_staff_ids={p.pk for p in people} if groups else set(),
        ack_due_at=fault.ack_due_at,
    )
    return len(rows)


def notify_fault_assigned(fault: Fault, person: Staff) -> None:
    """The assignee: what, where, by when, and the phone page to report on site and restored."""
    title = _("【故障派单】%(t)s") % {"t": fault.title}
    body = "\n".join(
        [
            title,
            *_lines(fault, escaping.one_line),
            _("到场时限：%(d)s") % {"d": month_day_hhmm(fault.on_site_due_at)}
            if fault.on_site_due_at
            else "",
            _number(fault),
            _("请点击链接确认收到，并在现场用手机页面报到场和恢复。"),
        ]
    )
    notifications_queue(
        [
            PersonalMessage(
                staff=person,
                subject=fault_ref(fault.pk),
                title=title,
                body=body.replace("\n\n", "\n"),
                requires_ack=True,
            )
        ],
        topic=fault_ref(fault.pk),
        kind=Notification.Kind.FAULT,
    )
