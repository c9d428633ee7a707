from django.contrib import admin

from vcassure.duty.models import DutyRule, SpecialPeriod


@admin.register(DutyRule)
class DutyRuleAdmin(admin.ModelAdmin):
    """The roster rules an administrator changes: one row (the first is used)."""

    list_display = (
        "__str__",
        "max_consecutive_hours",
        "min_rest_hours",
        "count_agenda",
        "remind_before_minutes",
        "missed_check_in_minutes",
    )

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not DutyRule.objects.exists()


@admin.register(SpecialPeriod)
class SpecialPeriodAdmin(admin.ModelAdmin):
    list_display = ("name", "org_unit", "starts_on", "ends_on", "mode", "shift_hours")
    readonly_fields = (
        "org_unit",
        "starts_on",
        "ends_on",
        "mode",
        "duty_hours",
        "shift_hours",
        "venues",
        "created_by",
    )
    search_fields = ("name",)
