"""The township person's phone in browser tests: 360 × 740 inside DingTalk's in-app browser
(the fixtures `dingtalk` and `linked_task` that use it are in conftest.py), logging in with an
empty cache, and an inspection to do on it."""

PHONE = {"width": 360, "height": 740}
DINGTALK_UA = (
    "Mozilla/5.0 (Linux; Android 12; V2145A Build/SP1A.210812.003; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/97.0.4692.98 Mobile Safari/537.36 "
    "AliApp(DingTalk/7.0.40) com.alibaba.android.rimet/31020186 Channel/700159 language/zh-CN "
    "abi/64 UT4Aplus/0.2.25 colorScheme/light"
)
# Chromium's network emulation (CDP Network.emulateNetworkConditions): one bar of signal.
SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}


def fresh_phone_logged_in(dingtalk, live_server, username: str):
    """A phone logged in as `username`, with an empty cache: the login happens in another
    browser context whose session cookie is handed over, so that first-load bytes count everything."""
    from tests.browser.helpers import login

    door = dingtalk()
    login(door, live_server, username)
    page = dingtalk()
    page.context.add_cookies(door.context.cookies())
    return page


def phone_inspection(province, *, code: str = "phone-inspection", photo_first: bool = False):
    """Today's daily inspection of the province's first venue: step 1 the cabinet's power (a photo
    required with `photo_first`), step 2 the received optical power within −27…−8 dBm."""
    from datetime import date, time

    from tests.factories.checklists import ChecklistStepFactory, ChecklistTemplateFactory
    from vcassure.core import clock
    from vcassure.routine.models import Inspection
    from vcassure.routine.services import inspection_plan_create, inspections_generate

    template = ChecklistTemplateFactory(
        code=code, name="会场日常巡检", kind="inspection", applies_to="inspection"
    )
    ChecklistStepFactory(
        template=template,
        number=1,
        title="检查机房及机柜电源",
        phase="any",
        guidance="市电、UPS 正常",
        requires_photo=photo_first,
    )
    ChecklistStepFactory(
        template=template,
        number=2,
        title="测量接入光功率",
        phase="any",
        reading_label="收光功率",
        reading_unit="dBm",
        reading_min=-27,
        reading_max=-8,
    )
    inspection_plan_create(
        by=province.user("province"),
        name="水利会场日常巡检",
        system="water",
        frequency="daily",
        due_time=time(10, 0),
        checklist_template=template.code,
        venue_filter={"levels": ["township"], "org_units": []},
        working_days_only=False,
        starts_on=date(2026, 1, 1),
    )
    inspections_generate(day=clock.localnow().date())
    return Inspection.objects.get(venue=province.venues[0])


def current_shift(province):
    """A one-day duty period over the province's first venue; the shift on now, with a person who
    can log in. Who the roster suggests depends on the time of day (the venue's primary is busy
    around a meeting task of the next hours, and the county's pool then takes the shift, people
    without an account in the test tree): that person is given a login."""
    from tests.factories.duty import make_period
    from tests.factories.orgs import UserFactory
    from vcassure.accounts.models import Role
    from vcassure.core import clock
    from vcassure.duty.models import Shift

    today = clock.localnow().date()
    period = make_period(province.user("province"), province.venues[:1], days=1, starts_on=today)
    now = clock.now()
    shift = Shift.objects.select_related("assignee").get(
        period=period, starts_at__lte=now, ends_at__gt=now
    )
    assert shift.assignee is not None, "the roster left the shift on now uncovered"
    if shift.assignee.user_id is None:
        shift.assignee.user = UserFactory(username=f"duty-{shift.assignee.pk}", role=Role.SUPPORT)
        shift.assignee.save(update_fields=["user"])
    return shift
