from django.contrib import admin
from django.http import HttpRequest

from vcassure.core.services import audit_record
from vcassure.faults.models import Fault, FaultEvent, FaultPolicy


class FaultEventInline(admin.TabularInline):
    model = FaultEvent
    extra = 0
    fields = ("kind", "at", "actor", "note", "advisor")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None):
        return False


@admin.register(Fault)
class FaultAdmin(admin.ModelAdmin):
    """Read-only: every move of a fault goes through faults.services (the fault pages and the API)
    so that it leaves an event, an audit record and returns the venue task to its place."""

    list_display = (
        "title",
        "state",
        "severity",
        "source",
        "org_unit",
        "assigned_department",
        "opened_at",
        "restored_at",
    )
    list_filter = ("state", "severity", "source")
    search_fields = ("title", "subject", "venue__name")
    date_hierarchy = "opened_at"
    inlines = [FaultEventInline]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("org_unit", "assigned_department")

    def has_add_permission(self, request: HttpRequest):
        return False

    def has_change_permission(self, request: HttpRequest, obj=None):
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None):
        return False


@admin.register(FaultPolicy)
class FaultPolicyAdmin(admin.ModelAdmin):
    """The deadlines of each severity, editable by administrators; one row per severity (seeded),
    so rows are neither added nor deleted. A change applies to faults opened afterwards."""

    list_display = (
        "severity",
        "ack_amount",
        "ack_unit",
        "on_site_amount",
        "on_site_unit",
        "restore_amount",
        "restore_unit",
        "updated_at",
    )
    list_editable = (
        "ack_amount",
        "ack_unit",
        "on_site_amount",
        "on_site_unit",
        "restore_amount",
        "restore_unit",
    )
    readonly_fields = ("severity",)

    def save_model(self, request: HttpRequest, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="fault.policy",
            obj=obj,
            changes={f: str(form.cleaned_data.get(f)) for f in form.changed_data},
        )

    def has_add_permission(self, request: HttpRequest):
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None):
        return False
