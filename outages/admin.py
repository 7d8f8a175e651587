"""The operator's admin: the catalog and the workers' heartbeats."""

from django.contrib import admin

from outages.models import Heartbeat, Region, Service, Symptom


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "category", "active"]
    list_filter = ["category", "active"]
    search_fields = ["name", "slug"]
    list_editable = ["active"]


@admin.register(Symptom)
class SymptomAdmin(admin.ModelAdmin):
    list_display = ["label", "slug", "position"]
    ordering = ["position"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "type", "parent"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["worker", "beat_at"]
    readonly_fields = ["worker", "beat_at"]
