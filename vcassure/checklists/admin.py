from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from vcassure.checklists.models import (
    ChecklistRun,
    ChecklistStep,
    ChecklistTemplate,
    StepPhoto,
    StepResult,
)


class ChecklistStepInline(admin.TabularInline):
    model = ChecklistStep
    extra = 1
    fields = ("number", "title", "guidance", "phase", "requires_photo")


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    """Administrators edit the procedures (R7, R8, custom). The field pages look templates up by
    code ("venue-r7", "fibre-r8"), so the code of those two is fixed once they exist."""

    list_display = ("code", "name", "kind", "is_active", "step_count")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    inlines = [ChecklistStepInline]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return ("code",) if obj is not None and obj.code in ("venue-r7", "fibre-r8") else ()

    @admin.display(description=_("步骤数"))
    def step_count(self, obj) -> int:
        return obj.steps.count()

    def has_delete_permission(self, request: HttpRequest, obj=None):
        # Runs keep their template (PROTECT); switch a template off with is_active instead.
        return False


class StepResultInline(admin.TabularInline):
    model = StepResult
    extra = 0
    fields = ("step", "result", "note", "recorded_at", "recorded_by")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None):
        return False


@admin.register(ChecklistRun)
class ChecklistRunAdmin(admin.ModelAdmin):
    """Field records are evidence: readable here, written only by the field pages and API."""

    list_display = ("template", "subject", "org_unit", "venue", "created_at", "completed_at")
    list_filter = ("template",)
    search_fields = ("subject", "venue__name")
    readonly_fields = ("template", "subject", "org_unit", "venue", "started_by", "completed_at")
    inlines = [StepResultInline]

    def has_add_permission(self, request: HttpRequest):
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None):
        return False

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("template", "org_unit", "venue")


@admin.register(StepPhoto)
class StepPhotoAdmin(admin.ModelAdmin):
    """Photos are served only through the scoped view, never from MEDIA_URL."""

    list_display = ("id", "result", "content_type", "size", "width", "height", "uploaded_at")
    fields = ("result", "view_link", "content_type", "size", "width", "height", "uploaded_at")
    readonly_fields = fields

    @admin.display(description=_("照片"))
    def view_link(self, obj) -> str:
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("checklists:photo", args=[obj.pk]),
            _("查看"),
        )

    def has_add_permission(self, request: HttpRequest):
        return False

    def has_change_permission(self, request: HttpRequest, obj=None):
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None):
        return False
