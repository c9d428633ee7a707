from django.contrib import admin

from vcassure.routine.models import Inspection, InspectionPlan, StaffLeave


@admin.register(InspectionPlan)
class InspectionPlanAdmin(admin.ModelAdmin):
    list_display = ["name", "system", "org_unit", "frequency", "due_time", "is_active"]
    list_filter = ["frequency", "is_active"]


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["plan", "venue", "scheduled_on", "assignee", "state", "due_at"]
    list_filter = ["state"]
    raw_id_fields = ["venue", "assignee", "run"]


@admin.register(StaffLeave)
class StaffLeaveAdmin(admin.ModelAdmin):
    list_display = ["staff", "starts_on", "ends_on", "note"]
    raw_id_fields = ["staff"]
