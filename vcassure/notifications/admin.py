from django import forms
from django.contrib import admin
from django.http import HttpRequest

from vcassure.core.errors import InvalidInputError
from vcassure.notifications import services
from vcassure.notifications.models import (
    Delivery,
    EscalationPolicy,
    ImGroup,
    Notification,
    PhoneCallTask,
    WorkingCalendarDay,
)


@admin.register(WorkingCalendarDay)
class WorkingCalendarDayAdmin(admin.ModelAdmin):
    """Writes go through the services, so admin edits are audited like the calendar page's."""

    list_display = ["date", "is_workday", "note", "updated_at"]
    list_filter = ["is_workday"]
    search_fields = ["note"]
    date_hierarchy = "date"
    ordering = ["-date"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        # The date is the row's identity: change another date by adding it and deleting this one.
        return ["date"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj, form, change):
        saved = services.working_day_set(
            by=request.user, date=obj.date, is_workday=obj.is_workday, note=obj.note
        )
        obj.pk, obj.created_at, obj.updated_at = saved.pk, saved.created_at, saved.updated_at

    def delete_model(self, request: HttpRequest, obj):
        services.working_day_delete(by=request.user, date=obj.date)

    def delete_queryset(self, request: HttpRequest, queryset):
        for day in queryset:
            services.working_day_delete(by=request.user, date=day.date)


class EscalationPolicyForm(forms.ModelForm):
    class Meta:
        model = EscalationPolicy
        fields = ["department", "steps"]

    def clean_steps(self):
        steps = self.cleaned_data["steps"]
        problems = services.escalation_steps_problems(steps)
        if problems:
            raise forms.ValidationError(problems)
        return steps


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    """Per department (or the default, without one); copied onto each notice when it is sent.
    Steps: [{"after_minutes": 0, "action": "renotify", "channels": ["sms", "voice"]}, …] with
    actions renotify, supervisor, department_head, dispatch_desk."""

    form = EscalationPolicyForm
    list_display = ["__str__", "updated_at"]
    raw_id_fields = ["department"]

    def save_model(self, request: HttpRequest, obj, form, change):
        try:
            services.escalation_policy_save(obj, by=request.user)
        except InvalidInputError as exc:  # already checked by the form; kept for safety
            raise forms.ValidationError(exc.message) from exc


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the outbox: for looking, never for editing by hand."""

    def has_add_permission(self, request: HttpRequest):
        return False

    def has_change_permission(self, request: HttpRequest, obj=None):
        return False


@admin.register(ImGroup)
class ImGroupAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "platform",
        "purpose",
        "org_unit",
        "is_active",
        "needs_attention",
        "paused_until",
    ]
    list_filter = ["platform", "purpose", "is_active", "needs_attention"]
    exclude = ["secret"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "recipient",
        "kind",
        "ack_due_at",
        "acknowledged_at",
        "escalation_level",
    ]
    list_filter = ["kind", "ack_class"]
    search_fields = ["title", "topic", "subject"]
    exclude = ["token_nonce"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "channel", "status", "attempts", "topic", "sent_at", "last_error"]
    list_filter = ["channel", "status"]
    search_fields = ["topic"]


@admin.register(PhoneCallTask)
class PhoneCallTaskAdmin(ReadOnlyAdmin):
    list_display = ["notification", "outcome", "created_at", "done_at"]
    list_filter = ["outcome"]
