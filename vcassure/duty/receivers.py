"""What duty hears from the apps below it."""


def on_staff_detail(sender, *, staff, user, **kwargs) -> dict | None:
    """GET /api/staff/{id} adds the person's secret calendar address, for that person and for
    administrators only; a deactivated person has none."""
    from vcassure.duty.feeds import feed_url
    from vcassure.duty.permissions import can_see_calendar_url
    from vcassure.duty.services import calendar_feed_for

    if not staff.is_active or not can_see_calendar_url(user, staff):
        return None
    return {"calendar_url": feed_url(calendar_feed_for(staff))}
