from django.contrib import admin

from vcassure.venues.models import CustomerSystem, Equipment, FibreRoute, Integrator, Venue


class EquipmentInline(admin.TabularInline):
    model = Equipment
    extra = 0
    raw_id_fields = ("integrator",)


class FibreRouteInline(admin.TabularInline):
    model = FibreRoute
    extra = 0


@admin.register(CustomerSystem)
class CustomerSystemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "customer_name")


@admin.register(Integrator)
class IntegratorAdmin(admin.ModelAdmin):
    list_display = ("name", "contact_name", "contact_phone")


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "system",
        "org_unit",
        "role",
        "primary_staff",
        "backup_staff",
        "is_active",
    )
    list_filter = ("system", "role", "org_unit__level", "is_active")
    search_fields = ("code", "name", "address")
    raw_id_fields = ("org_unit", "primary_staff", "backup_staff")
    inlines = [EquipmentInline, FibreRouteInline]


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ("venue", "kind", "model", "serial_number", "management_ip", "integrator")
    list_filter = ("kind",)
    search_fields = ("serial_number", "model", "venue__name")
    raw_id_fields = ("venue", "integrator")
