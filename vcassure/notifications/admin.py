from django.contrib import admin

from vcassure.notifications import services
from vcassure.notifications.models import WorkingCalendarDay


@admin.register(WorkingCalendarDay)
class WorkingCalendarDayAdmin(admin.ModelAdmin):
    """Writes go through the services, so admin edits are audited like the calendar page's."""

    list_display = ["date", "is_workday", "note", "updated_at"]
    list_filter = ["is_workday"]
    search_fields = ["note"]
    date_hierarchy = "date"
    ordering = ["-date"]

    def get_readonly_fields(self, request, obj=None):
        # The date is the row's identity: change another date by adding it and deleting this one.
        return ["date"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        saved = services.working_day_set(
            by=request.user, date=obj.date, is_workday=obj.is_workday, note=obj.note
        )
        obj.pk, obj.created_at, obj.updated_at = saved.pk, saved.created_at, saved.updated_at

    def delete_model(self, request, obj):
        services.working_day_delete(by=request.user, date=obj.date)

    def delete_queryset(self, request, queryset):
        for day in queryset:
            services.working_day_delete(by=request.user, date=day.date)
