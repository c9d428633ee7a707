"""The scope matrix's case table (SPEC §4): for every route that takes an object id, page or API,
the methods it serves and how to build an object of another scope for it: county 1 (city 0's second
county), its townships, a meeting held only there, its tasks, its faults... County 0's users must
reach none of them. test_scope_other_county.py tries every case; test_scope_route_coverage.py walks
the URL resolver, so a new route with an id fails until it is added to ROUTES here.

Routes with a path parameter that is not an object id are listed in NOT_IDS with the reason; the
tokens of the share page and of the acknowledgement link are tried forged, expired and bound to
someone else in test_scope_tokens.py."""

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories.duty import make_period
from tests.factories.files import pdf_bytes
from tests.factories.venues import EquipmentFactory
from vcassure.checklists.models import StepPhoto
from vcassure.core import clock
from vcassure.duty.models import Shift, ShiftSwap, SpecialPeriod
from vcassure.faults.models import Fault, Shipment, Spare
from vcassure.faults.shipments import shipment_create
from vcassure.integrations.models import WebhookDelivery, WebhookSubscription
from vcassure.integrations.services import webhook_subscription_create
from vcassure.meetings import services as meeting_services
from vcassure.meetings.models import Meeting, ShareLink, SupportTask
from vcassure.meetings.services import check_in
from vcassure.meetings.services import field_work as field_services
from vcassure.notifications.models import Delivery, ImGroup, Notification, PhoneCallTask
from vcassure.orgs.models import Staff
from vcassure.probes.services import probe_target_save

PDF = pdf_bytes()


# --- another scope's objects: county 1, its townships, a meeting held only there ------------------


@dataclass
class World:
    """Objects of county 1 (city 0's second county), built on demand. County 0's users must not
    reach any of them."""

    tree: object
    when: tuple

    @property
    def county(self):
        return self.tree.counties[1]

    @property
    def venues(self):
        return self.tree.venues[2:4]  # the water venues of county 1's two townships

    @cached_property
    def staff(self) -> Staff:
        return self.tree.user("county1").staff_profile

    def _meeting(self, *, notice: bool = True, kind: str = "meeting") -> Meeting:
        start, end = self.when
        return meeting_services.meeting_create(
            by=self.tree.user("province"),
            system="water",
            title="县1防汛会商",
            starts_at=start,
            ends_at=end,
            notice_ref="水利〔2026〕30号",
            main_venue=self.tree.main_venue.pk,
            kind=kind,
            venues=[v.pk for v in self.venues],
            notice_document=SimpleUploadedFile("通知.pdf", PDF, content_type="application/pdf")
            if notice
            else None,
        )

    @cached_property
    def draft(self) -> Meeting:
        return self._meeting()

    @cached_property
    def meeting(self) -> Meeting:
        meeting = self._meeting()
        meeting_services.meeting_publish(
            meeting, by=self.tree.user("province"), confirm_shortfalls=True
        )
        meeting.refresh_from_db()
        return meeting

    @cached_property
    def task(self) -> SupportTask:
        """A venue task in county 1's first township, still waiting for its person."""
        return SupportTask.objects.get(meeting=self.meeting, venue=self.venues[0])

    @cached_property
    def coordination(self) -> SupportTask:
        return SupportTask.objects.get(
            meeting=self.meeting, role="tech_maintenance", org_unit=self.county
        )

    @cached_property
    def worked_task(self) -> SupportTask:
        """The other township's task: checked in, step 1 failed with a photo, so a fault is open."""
        task = SupportTask.objects.get(meeting=self.meeting, venue=self.venues[1])
        person = task.assignee.user
        buffer = io.BytesIO()
        Image.new("RGB", (32, 24), (200, 30, 30)).save(buffer, format="PNG")
        photo = SimpleUploadedFile("cabinet.png", buffer.getvalue(), content_type="image/png")
        # on site an hour before the deadline: check-ins open 3 hours before it
        with time_machine.travel(task.on_site_due_at - timedelta(hours=1), tick=False):
            check_in.support_task_check_in(task, by=person)
            field_services.support_task_record_step(
                task, by=person, number=1, result="fail", note="机柜无电", photos=[photo]
            )
        task.refresh_from_db()
        return task

    @cached_property
    def fault(self) -> Fault:
        return Fault.objects.get(subject=f"task:{self.worked_task.pk}")

    @cached_property
    def guidance(self):
        """The fault's guidance from the integrator, with a photo."""
        from vcassure.faults.services import fault_guidance_add

        buffer = io.BytesIO()
        Image.new("RGB", (32, 24), (30, 30, 200)).save(buffer, format="PNG")
        photo = SimpleUploadedFile("advice.png", buffer.getvalue(), content_type="image/png")
        return fault_guidance_add(self.fault, by=None, note="重启终端", advisor="李工", photo=photo)

    @cached_property
    def photo(self) -> StepPhoto:
        return StepPhoto.objects.get(result__run__subject=f"task:{self.worked_task.pk}")

    @cached_property
    def share_link(self) -> ShareLink:
        return meeting_services.share_link_create(
            self.meeting, by=self.tree.user("province"), expires_at=clock.now() + timedelta(hours=8)
        )

    @cached_property
    def notification(self) -> Notification:
        return Notification.objects.get(
            subject=f"task:{self.task.pk}", recipient=self.task.assignee
        )

    @cached_property
    def delivery(self) -> Delivery:
        return Delivery.objects.filter(notification=self.notification).first()

    @cached_property
    def phone_call(self) -> PhoneCallTask:
        return PhoneCallTask.objects.create(
            notification=self.notification,
            number=self.task.assignee.mobile or "13900000000",
            script="您好，这里是 96311 调度台。",
        )

    @cached_property
    def spare(self) -> Spare:
        return Spare.objects.create(
            org_unit=self.county, kind="terminal", model="华为 TE40", available=2, minimum=1
        )

    @cached_property
    def shipment(self) -> Shipment:
        """A terminal of county 1 away for repair, with county 1's spare lent meanwhile."""
        return shipment_create(
            by=None,
            equipment=EquipmentFactory(venue=self.venues[0]),
            carrier="sf",
            tracking_number="SF1000000000099",
            loaner=self.spare,
        )

    @cached_property
    def terminal(self):
        """County 1's terminal with its probe settings (probed over TCP)."""
        equipment = EquipmentFactory(
            venue=self.venues[0], kind="terminal", management_ip="127.0.0.1"
        )
        probe_target_save(equipment=equipment, method="tcp", port=9)
        return equipment

    @cached_property
    def period(self) -> SpecialPeriod:
        """County 1's special period over its two venues, filled by the suggester."""
        return make_period(self.tree.user("county1"), self.venues, days=2)

    @cached_property
    def shift(self) -> Shift:
        return Shift.objects.filter(period=self.period).order_by("starts_at").first()

    @cached_property
    def swap(self) -> ShiftSwap:
        """The second shift's person asked county 1's emergency pool to take it; accepted."""
        shift = Shift.objects.filter(period=self.period).order_by("-starts_at").first()
        taker = Staff.objects.filter(org_unit=self.county, is_emergency_mobile=True).first()
        return ShiftSwap.objects.create(
            shift=shift, requested_by=shift.assignee, taker=taker, state=ShiftSwap.State.ACCEPTED
        )

    @cached_property
    def group(self) -> ImGroup:
        return ImGroup.objects.create(
            platform="dingtalk",
            name="县1保障群",
            org_unit=self.county,
            webhook_url="http://127.0.0.1:9/robot/send?access_token=county1",
        )

    @cached_property
    def webhook(self) -> WebhookSubscription:
        """Webhooks are the administrators': to a county user one is as missing as another
        scope's object."""
        from vcassure.accounts.models import Role

        return webhook_subscription_create(
            by=self.tree.user("province", Role.ADMIN),
            url="http://127.0.0.1:9/hooks",
            events=["fault.opened"],
        )

    @cached_property
    def joint_test(self) -> Meeting:
        meeting = self._meeting(kind="test")
        meeting_services.meeting_publish(
            meeting, by=self.tree.user("province"), confirm_shortfalls=True
        )
        return meeting

    @cached_property
    def checklist_template(self):
        """Templates are the administrators': to a county user one is as missing as another
        scope's object."""
        from tests.factories.checklists import ChecklistStepFactory, ChecklistTemplateFactory

        template = ChecklistTemplateFactory(kind="inspection", applies_to="inspection")
        ChecklistStepFactory(template=template, number=1, phase="any")
        return template

    @cached_property
    def inspection_plan(self):
        from datetime import time

        from vcassure.routine.services import inspection_plan_create

        return inspection_plan_create(
            by=self.tree.user("county1"),
            name="县1巡检",
            system="water",
            frequency="daily",
            due_time=time(10, 0),
            checklist_template=self.checklist_template.code,
            venues=[v.pk for v in self.venues],
            working_days_only=False,
            starts_on=clock.now().date(),
        )

    @cached_property
    def inspection(self):
        from django.utils import timezone

        from vcassure.routine.models import Inspection
        from vcassure.routine.services import inspections_generate

        plan = self.inspection_plan
        inspections_generate(day=timezone.localdate(clock.now()))
        return Inspection.objects.filter(plan=plan).first()

    @cached_property
    def webhook_delivery(self) -> WebhookDelivery:
        return WebhookDelivery.objects.create(
            subscription=self.webhook,
            event_id="msg_scope",
            event_type="fault.opened",
            subject="fault:1",
            body="{}",
            status=WebhookDelivery.Status.DELIVERED,
        )


@dataclass
class Case:
    """One route's target: its URL parameters, the rows a leak would change, a body per method."""

    kwargs: dict
    targets: list
    bodies: dict = field(default_factory=dict)


def _times(w: World) -> dict:
    start, end = w.when
    return {"starts_at": start + timedelta(hours=1), "ends_at": end + timedelta(hours=1)}


def _round_slot(w: World) -> dict:
    """A joint-test round's time slot within the meeting."""
    start, _end = w.when
    return {"starts_at": start, "ends_at": start + timedelta(minutes=30)}


def _form_times(w: World) -> dict:
    return {k: v.strftime("%Y-%m-%dT%H:%M") for k, v in _times(w).items()}


def _api_times(w: World) -> dict:
    return {k: v.isoformat() for k, v in _times(w).items()}


def _meeting_form(w: World) -> dict:
    start, end = w.when
    return {
        "system": "water",
        "title": "改了的标题",
        "importance": "normal",
        "kind": "meeting",
        "notice_ref": "水利〔2026〕31号",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": end.strftime("%Y-%m-%dT%H:%M"),
        "main_venue": w.tree.main_venue.pk,
        "venue_codes": "\n".join(v.code for v in w.venues),
    }


def _group_form(w: World) -> dict:
    return {
        "name": "改名",
        "platform": "dingtalk",
        "webhook_url": "http://127.0.0.1:9/robot/send?access_token=x",
        "org_unit": w.tree.counties[0].pk,
        "purpose": "support",
        "is_active": "on",
    }


GET, POST, PATCH = "GET", "POST", "PATCH"

# route -> (the methods it serves, how to build another scope's object for it). A page route lists
# the methods it accepts; an API route must list exactly the methods its operations declare.
ROUTES: dict[str, tuple[set[str], Callable[[World], Case]]] = {
    # directory and venues
    "org/units/<int:pk>/": ({GET}, lambda w: Case({"pk": w.county.pk}, [w.county])),
    "org/units/<int:pk>/children/": ({GET}, lambda w: Case({"pk": w.county.pk}, [w.county])),
    "org/staff/<int:pk>/": ({GET}, lambda w: Case({"pk": w.staff.pk}, [w.staff])),
    "org/staff/<int:pk>/reveal-phone/": (
        {POST},
        lambda w: Case({"pk": w.staff.pk}, [w.staff], {POST: {}}),
    ),
    "venues/<int:pk>/": ({GET}, lambda w: Case({"pk": w.venues[0].pk}, [w.venues[0]])),
    "api/org-units/<int:unit_id>": ({GET}, lambda w: Case({"unit_id": w.county.pk}, [w.county])),
    "api/staff/<int:staff_id>": ({GET}, lambda w: Case({"staff_id": w.staff.pk}, [w.staff])),
    "api/venues/<int:venue_id>": (
        {GET},
        lambda w: Case({"venue_id": w.venues[0].pk}, [w.venues[0]]),
    ),
    # meetings: pages
    "meetings/<int:pk>/": ({GET}, lambda w: Case({"pk": w.meeting.pk}, [w.meeting])),
    "meetings/<int:pk>/edit/": (
        {GET, POST},
        lambda w: Case({"pk": w.draft.pk}, [w.draft], {POST: _meeting_form(w)}),
    ),
    "meetings/<int:pk>/notice/": ({GET}, lambda w: Case({"pk": w.meeting.pk}, [w.meeting])),
    "meetings/<int:pk>/publish/": (
        {POST},
        lambda w: Case({"pk": w.draft.pk}, [w.draft], {POST: {"confirm_shortfalls": "on"}}),
    ),
    "meetings/<int:pk>/reschedule/": (
        {POST},
        lambda w: Case({"pk": w.meeting.pk}, [w.meeting], {POST: _form_times(w)}),
    ),
    "meetings/<int:pk>/cancel/": (
        {POST},
        lambda w: Case(
            {"pk": w.meeting.pk}, [w.meeting], {POST: {"reason": "客户取消", "confirm": "on"}}
        ),
    ),
    "meetings/<int:pk>/track/": ({GET}, lambda w: Case({"pk": w.meeting.pk}, [w.meeting])),
    "meetings/<int:pk>/close/": (
        {GET, POST},
        lambda w: Case({"pk": w.meeting.pk}, [w.meeting], {POST: {"note": "结束", "force": "on"}}),
    ),
    "meetings/tasks/<int:pk>/complete/": (
        {GET, POST},
        lambda w: Case({"pk": w.coordination.pk}, [w.coordination], {POST: {"note": "完成"}}),
    ),
    "reports/meetings/<int:pk>/": ({GET}, lambda w: Case({"pk": w.meeting.pk}, [w.meeting])),
    "meetings/<int:pk>/dashboard/": ({GET}, lambda w: Case({"pk": w.meeting.pk}, [w.meeting])),
    "meetings/<int:pk>/share/": (
        {POST},
        lambda w: Case({"pk": w.meeting.pk}, [w.meeting], {POST: {"hours": "24"}}),
    ),
    "meetings/<int:pk>/share/<int:link_pk>/revoke/": (
        {POST},
        lambda w: Case(
            {"pk": w.meeting.pk, "link_pk": w.share_link.pk}, [w.meeting, w.share_link], {POST: {}}
        ),
    ),
    "meetings/tasks/<int:pk>/field/": ({GET}, lambda w: Case({"pk": w.task.pk}, [w.task])),
    "meetings/tasks/<int:pk>/field/check-in/": (
        {POST},
        lambda w: Case({"pk": w.task.pk}, [w.task], {POST: {"lat": "30.1", "lng": "120.2"}}),
    ),
    "meetings/tasks/<int:pk>/field/steps/<slug:template_code>/<int:number>/": (
        {POST},
        lambda w: Case(
            {"pk": w.worked_task.pk, "template_code": "venue-r7", "number": 1},
            [w.worked_task],
            {POST: {"result": "pass", "note": "已恢复"}},
        ),
    ),
    # meetings: API
    "api/meetings/<int:meeting_id>": (
        {GET},
        lambda w: Case({"meeting_id": w.meeting.pk}, [w.meeting]),
    ),
    "api/meetings/<int:meeting_id>/publish": (
        {POST},
        lambda w: Case({"meeting_id": w.draft.pk}, [w.draft], {POST: {"confirm_shortfalls": True}}),
    ),
    "api/meetings/<int:meeting_id>/reschedule": (
        {POST},
        lambda w: Case({"meeting_id": w.meeting.pk}, [w.meeting], {POST: _api_times(w)}),
    ),
    "api/meetings/<int:meeting_id>/cancel": (
        {POST},
        lambda w: Case({"meeting_id": w.meeting.pk}, [w.meeting], {POST: {"reason": "客户取消"}}),
    ),
    "api/meetings/<int:meeting_id>/plan": (
        {GET},
        lambda w: Case({"meeting_id": w.draft.pk}, [w.draft]),
    ),
    "api/meetings/<int:meeting_id>/conflicts": (
        {GET},
        lambda w: Case({"meeting_id": w.meeting.pk}, [w.meeting]),
    ),
    "api/meetings/<int:meeting_id>/tasks": (
        {GET},
        lambda w: Case({"meeting_id": w.meeting.pk}, [w.meeting]),
    ),
    "api/meetings/<int:meeting_id>/status": (
        {GET},
        lambda w: Case({"meeting_id": w.meeting.pk}, [w.meeting]),
    ),
    "api/tasks/<int:task_id>/complete": (
        {POST},
        lambda w: Case({"task_id": w.coordination.pk}, [w.coordination], {POST: {"note": "x"}}),
    ),
    "api/meetings/<int:meeting_id>/close": (
        {POST},
        lambda w: Case(
            {"meeting_id": w.meeting.pk}, [w.meeting], {POST: {"note": "x", "force": True}}
        ),
    ),
    "api/meetings/<int:meeting_id>/open-items": (
        {GET},
        lambda w: Case({"meeting_id": w.meeting.pk}, [w.meeting]),
    ),
    "api/meetings/<int:meeting_id>/probes": (
        {GET, POST},
        lambda w: Case({"meeting_id": w.meeting.pk}, [w.meeting], {POST: {}}),
    ),
    "meetings/<int:pk>/probes/": (
        {POST},
        lambda w: Case({"pk": w.meeting.pk}, [w.meeting], {POST: {}}),
    ),
    "meetings/tasks/<int:pk>/field/steps/<slug:template_code>/<int:number>/photos/": (
        {POST},
        lambda w: Case(
            {"pk": w.worked_task.pk, "template_code": "venue-r7", "number": 1},
            [w.worked_task],
            {POST: {}},
        ),
    ),
    "api/meetings/<int:meeting_id>/report": (
        {GET},
        lambda w: Case({"meeting_id": w.meeting.pk}, [w.meeting]),
    ),
    "api/tasks/<int:task_id>/ack": (
        {POST},
        lambda w: Case({"task_id": w.task.pk}, [w.task], {POST: {}}),
    ),
    "api/tasks/<int:task_id>/check-in": (
        {POST},
        lambda w: Case({"task_id": w.task.pk}, [w.task], {POST: {"lat": 30.1, "lng": 120.2}}),
    ),
    "api/tasks/<int:task_id>/steps/<int:number>": (
        {POST},
        lambda w: Case(
            {"task_id": w.worked_task.pk, "number": 1},
            [w.worked_task],
            {POST: {"result": "pass", "note": "已恢复"}},
        ),
    ),
    # notifications
    "notifications/desk/calls/<int:pk>/number/": (
        {POST},
        lambda w: Case({"pk": w.phone_call.pk}, [w.phone_call], {POST: {}}),
    ),
    "notifications/desk/calls/<int:pk>/outcome/": (
        {POST},
        lambda w: Case(
            {"pk": w.phone_call.pk},
            [w.phone_call],
            {POST: {"outcome": "reached", "note": "已接通"}},
        ),
    ),
    "notifications/deliveries/<int:pk>/": (
        {GET},
        lambda w: Case({"pk": w.delivery.pk}, [w.delivery]),
    ),
    "notifications/groups/<int:pk>/edit/": (
        {GET, POST},
        lambda w: Case({"pk": w.group.pk}, [w.group], {POST: _group_form(w)}),
    ),
    "notifications/groups/<int:pk>/test/": (
        {POST},
        lambda w: Case({"pk": w.group.pk}, [w.group], {POST: {}}),
    ),
    "api/im-groups/<int:group_id>": (
        {GET, PATCH},
        lambda w: Case(
            {"group_id": w.group.pk}, [w.group], {PATCH: {"name": "改名", "is_active": False}}
        ),
    ),
    # outbound webhooks (administrators only)
    "integrations/webhooks/<int:pk>/": (
        {GET, POST},
        lambda w: Case(
            {"pk": w.webhook.pk},
            [w.webhook],
            {POST: {"url": "http://127.0.0.1:9/x", "events": ["fault.closed"]}},
        ),
    ),
    "integrations/webhooks/<int:pk>/deliveries/<int:delivery_pk>/replay/": (
        {POST},
        lambda w: Case(
            {"pk": w.webhook.pk, "delivery_pk": w.webhook_delivery.pk}, [w.webhook_delivery]
        ),
    ),
    "api/webhooks/<int:webhook_id>": (
        {PATCH},
        lambda w: Case({"webhook_id": w.webhook.pk}, [w.webhook], {PATCH: {"is_active": False}}),
    ),
    "api/webhooks/<int:webhook_id>/deliveries": (
        {GET},
        lambda w: Case({"webhook_id": w.webhook.pk}, [w.webhook]),
    ),
    "api/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/replay": (
        {POST},
        lambda w: Case(
            {"webhook_id": w.webhook.pk, "delivery_id": w.webhook_delivery.pk},
            [w.webhook_delivery],
        ),
    ),
    # joint tests (a meeting of kind test)
    "api/meetings/<int:meeting_id>/test-results": (
        {GET, POST},
        lambda w: Case(
            {"meeting_id": w.joint_test.pk},
            [w.joint_test],
            {POST: {"venue": w.venues[0].pk, "audio_in": "fail", "note": "无声"}},
        ),
    ),
    "api/meetings/<int:meeting_id>/test-rounds": (
        {GET, POST},
        lambda w: Case(
            {"meeting_id": w.joint_test.pk},
            [w.joint_test],
            {POST: {k: v.isoformat() for k, v in _round_slot(w).items()}},
        ),
    ),
    "meetings/<int:pk>/test-matrix/rounds/": (
        {POST},
        lambda w: Case(
            {"pk": w.joint_test.pk},
            [w.joint_test],
            {POST: {f"round-{k}": v.strftime("%Y-%m-%dT%H:%M") for k, v in _round_slot(w).items()}},
        ),
    ),
    "meetings/<int:pk>/test-matrix/": (
        {GET, POST},
        lambda w: Case(
            {"pk": w.joint_test.pk},
            [w.joint_test],
            {POST: {f"c-{w.venues[0].pk}-1-audio_in": "fail", f"n-{w.venues[0].pk}-1": "无声"}},
        ),
    ),
    "meetings/<int:pk>/test-matrix/counts/": (
        {GET},
        lambda w: Case({"pk": w.joint_test.pk}, [w.joint_test]),
    ),
    "meetings/<int:pk>/test-matrix/export.xlsx": (
        {GET},
        lambda w: Case({"pk": w.joint_test.pk}, [w.joint_test]),
    ),
    # routine: inspection plans and inspections, and the checklist templates (administrators)
    "api/inspection-plans/<int:plan_id>": (
        {GET},
        lambda w: Case({"plan_id": w.inspection_plan.pk}, [w.inspection_plan]),
    ),
    "api/inspections/<int:inspection_id>": (
        {GET},
        lambda w: Case({"inspection_id": w.inspection.pk}, [w.inspection]),
    ),
    "api/inspections/<int:inspection_id>/steps/<int:number>": (
        {POST},
        lambda w: Case(
            {"inspection_id": w.inspection.pk, "number": 1},
            [w.inspection],
            {POST: {"result": "fail", "note": "机柜无电"}},
        ),
    ),
    "routine/inspections/<int:pk>/": (
        {GET},
        lambda w: Case({"pk": w.inspection.pk}, [w.inspection]),
    ),
    "routine/inspections/<int:pk>/steps/<int:number>/": (
        {POST},
        lambda w: Case(
            {"pk": w.inspection.pk, "number": 1},
            [w.inspection],
            {POST: {"result": "fail", "note": "机柜无电"}},
        ),
    ),
    "routine/inspections/<int:pk>/steps/<int:number>/photos/": (
        {POST},
        lambda w: Case({"pk": w.inspection.pk, "number": 1}, [w.inspection], {POST: {}}),
    ),
    "checklists/templates/<int:pk>/": (
        {GET, POST},
        lambda w: Case(
            {"pk": w.checklist_template.pk},
            [w.checklist_template],
            {POST: {"name": "改名", "code": "x", "kind": "custom", "applies_to": "meeting"}},
        ),
    ),
    # a device's probe settings and its probe-now button
    "probes/equipment/<int:pk>/": (
        {GET, POST},
        lambda w: Case(
            {"pk": w.terminal.pk},
            [w.terminal, w.terminal.probe_target],
            {POST: {"method": "icmp", "is_active": "on"}},
        ),
    ),
    "probes/equipment/<int:pk>/probe/": (
        {POST},
        lambda w: Case({"pk": w.terminal.pk}, [w.terminal], {POST: {}}),
    ),
    # faults and checklist photos
    "faults/<int:pk>/": ({GET}, lambda w: Case({"pk": w.fault.pk}, [w.fault])),
    "faults/<int:pk>/restore/": (
        {POST},
        lambda w: Case({"pk": w.fault.pk}, [w.fault], {POST: {"note": "已恢复"}}),
    ),
    "faults/<int:pk>/close/": (
        {POST},
        lambda w: Case({"pk": w.fault.pk}, [w.fault], {POST: {"note": "关闭"}}),
    ),
    "api/faults/<int:fault_id>": ({GET}, lambda w: Case({"fault_id": w.fault.pk}, [w.fault])),
    "faults/<int:pk>/phone/": ({GET}, lambda w: Case({"pk": w.fault.pk}, [w.fault])),
    "faults/<int:pk>/acknowledge/": (
        {POST},
        lambda w: Case({"pk": w.fault.pk}, [w.fault], {POST: {}}),
    ),
    "faults/<int:pk>/assign/": (
        {POST},
        lambda w: Case({"pk": w.fault.pk}, [w.fault], {POST: {"assignee": w.staff.pk}}),
    ),
    "faults/<int:pk>/on-site/": ({POST}, lambda w: Case({"pk": w.fault.pk}, [w.fault], {POST: {}})),
    "faults/<int:pk>/phone/on-site/": (
        {POST},
        lambda w: Case({"pk": w.fault.pk}, [w.fault], {POST: {}}),
    ),
    "faults/<int:pk>/phone/restore/": (
        {POST},
        lambda w: Case({"pk": w.fault.pk}, [w.fault], {POST: {"note": "已恢复"}}),
    ),
    "faults/<int:pk>/reopen/": (
        {POST},
        lambda w: Case({"pk": w.fault.pk}, [w.fault], {POST: {"reason": "复发"}}),
    ),
    "faults/<int:pk>/guidance/": (
        {POST},
        lambda w: Case({"pk": w.fault.pk}, [w.fault], {POST: {"note": "重启", "advisor": "x"}}),
    ),
    "faults/<int:pk>/guidance/<int:event_pk>/photo/": (
        {GET},
        lambda w: Case({"pk": w.fault.pk, "event_pk": w.guidance.pk}, [w.fault, w.guidance]),
    ),
    "faults/<int:pk>/notify-integrator/": (
        {POST},
        lambda w: Case({"pk": w.fault.pk}, [w.fault], {POST: {"integrator": 1, "channel": "sms"}}),
    ),
    "meetings/tasks/<int:pk>/field/access/": (
        {POST},
        lambda w: Case({"pk": w.task.pk}, [w.task], {POST: {}}),
    ),
    **{
        f"api/faults/<int:fault_id>/{action}": (
            {POST},
            lambda w, body=body: Case({"fault_id": w.fault.pk}, [w.fault], {POST: body}),
        )
        for action, body in (
            ("acknowledge", {}),
            ("assign", {"assignee": 1}),
            ("on-site", {"note": ""}),
            ("restore", {"note": "已恢复"}),
            ("close", {"note": ""}),
            ("reopen", {"reason": "复发"}),
        )
    },
    "checklists/photos/<int:pk>/": ({GET}, lambda w: Case({"pk": w.photo.pk}, [w.photo])),
    # RMA and spares
    "faults/rma/<int:pk>/": ({GET}, lambda w: Case({"pk": w.shipment.pk}, [w.shipment])),
    "faults/rma/<int:pk>/step/": (
        {POST},
        lambda w: Case({"pk": w.shipment.pk}, [w.shipment], {POST: {"state": "received"}}),
    ),
    "faults/rma/<int:pk>/lend/": (
        {POST},
        lambda w: Case(
            {"pk": w.shipment.pk}, [w.shipment, w.spare], {POST: {"loaner": w.spare.pk}}
        ),
    ),
    "faults/rma/<int:pk>/loaner-return/": (
        {POST},
        lambda w: Case({"pk": w.shipment.pk}, [w.shipment, w.spare], {POST: {}}),
    ),
    "faults/spares/<int:pk>/lend/": (
        {POST},
        lambda w: Case(
            {"pk": w.spare.pk}, [w.shipment, w.spare], {POST: {"shipment": w.shipment.pk}}
        ),
    ),
    "faults/spares/<int:pk>/return/": (
        {POST},
        lambda w: Case(
            {"pk": w.spare.pk}, [w.shipment, w.spare], {POST: {"shipment": w.shipment.pk}}
        ),
    ),
    "api/rma/<int:shipment_id>": (
        {GET, PATCH},
        lambda w: Case(
            {"shipment_id": w.shipment.pk},
            [w.shipment, w.spare],
            {PATCH: {"state": "received", "loaner": None}},
        ),
    ),
    # duty rosters: pages
    "duty/periods/<int:pk>/": ({GET}, lambda w: Case({"pk": w.period.pk}, [w.period])),
    "duty/periods/<int:pk>/suggest/": (
        {POST},
        lambda w: Case({"pk": w.period.pk}, [w.period], {POST: {}}),
    ),
    "duty/periods/<int:pk>/grid/": ({GET}, lambda w: Case({"pk": w.period.pk}, [w.period])),
    "duty/periods/<int:pk>/live/": ({GET}, lambda w: Case({"pk": w.period.pk}, [w.period])),
    "duty/periods/<int:pk>/report/": ({GET}, lambda w: Case({"pk": w.period.pk}, [w.period])),
    "duty/shifts/<int:pk>/": ({GET}, lambda w: Case({"pk": w.shift.pk}, [w.shift])),
    "duty/shifts/<int:pk>/cell/": ({GET}, lambda w: Case({"pk": w.shift.pk}, [w.shift])),
    "duty/shifts/<int:pk>/assign/": (
        {POST},
        lambda w: Case({"pk": w.shift.pk}, [w.shift], {POST: {"assignee": ""}}),
    ),
    "duty/shifts/<int:pk>/check-in/": ({POST}, lambda w: Case({"pk": w.shift.pk}, [w.shift])),
    "duty/shifts/<int:pk>/check-out/": ({POST}, lambda w: Case({"pk": w.shift.pk}, [w.shift])),
    "duty/shifts/<int:pk>/swap/": (
        {POST},
        lambda w: Case({"pk": w.shift.pk}, [w.shift], {POST: {"taker": w.staff.pk}}),
    ),
    "duty/swaps/<int:pk>/answer/": (
        {POST},
        lambda w: Case({"pk": w.swap.pk}, [w.swap], {POST: {"accept": "1"}}),
    ),
    "duty/swaps/<int:pk>/decide/": (
        {POST},
        lambda w: Case({"pk": w.swap.pk}, [w.swap, w.swap.shift], {POST: {"approve": "1"}}),
    ),
    # duty rosters: API
    "api/special-periods/<int:period_id>": (
        {GET},
        lambda w: Case({"period_id": w.period.pk}, [w.period]),
    ),
    "api/special-periods/<int:period_id>/shifts": (
        {GET},
        lambda w: Case({"period_id": w.period.pk}, [w.period]),
    ),
    "api/shifts/<int:shift_id>": (
        {GET, PATCH},
        lambda w: Case({"shift_id": w.shift.pk}, [w.shift], {PATCH: {"assignee": None}}),
    ),
    "api/shifts/<int:shift_id>/check-in": (
        {POST},
        lambda w: Case({"shift_id": w.shift.pk}, [w.shift], {POST: {}}),
    ),
    "api/shifts/<int:shift_id>/check-out": (
        {POST},
        lambda w: Case({"shift_id": w.shift.pk}, [w.shift], {POST: {}}),
    ),
}


# Routes with path parameters that are not object ids, and where they are tested instead.
NOT_IDS = {
    "api/ack/<token>": "the signed acknowledgement token is the credential (test_forged_tokens_...)",
    "ack/<str:token>": "the signed acknowledgement token is the credential (test_forged_tokens_...)",
    "meetings/share/<str:token>/": "the share link's token is the credential (test_forged_tokens_...)",
    "reports/kpis/charts/<slug:name>.svg": "a chart's name; its data is the caller's scope (reports tests)",
    "transfer/<str:kind>/export/": "a fixed list of kinds; the export itself is scoped (transfer tests)",
    "transfer/<str:kind>/template/": "a fixed list of kinds; an empty template",
    "transfer/<str:kind>/import/": "a fixed list of kinds; imports are scoped (transfer tests)",
    "duty/calendar/<str:token>.ics": "the feed's secret token is the credential (duty test_feeds)",
}
