from django.contrib import admin

from vcassure.orgs.models import Department, OrgUnit, Staff, StaffingRule


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    readonly_fields = ("path",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "org_unit", "head")
    list_filter = ("kind",)
    search_fields = ("name", "org_unit__name")
    raw_id_fields = ("org_unit", "head")


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "org_unit", "department", "is_emergency_mobile", "is_active")
    list_filter = ("is_emergency_mobile", "is_active", "department__kind")
    search_fields = ("code", "name", "mobile")
    raw_id_fields = ("org_unit", "department", "supervisor", "user")


@admin.register(StaffingRule)
class StaffingRuleAdmin(admin.ModelAdmin):
    list_display = ("level", "department_kind", "regular", "emergency")
