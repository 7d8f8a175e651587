"""The operator's admin: the catalog, incidents and the workers' heartbeats."""

from django.contrib import admin

from outages.models import (
    Heartbeat,
    Incident,
    IncidentUpdate,
    Region,
    Service,
    Symptom,
)
from outages.pipeline.false_alarms import mark_false_alarm, unmark_false_alarm


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


class IncidentUpdateInline(admin.TabularInline):
    """The timeline, as detection wrote it."""

    model = IncidentUpdate
    fields = ["kind", "at", "observed", "expected", "p_value", "regions"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Detection sets all of an incident but the operator's note; whether it was
# a false alarm is set by the actions, which tell the detector too.
INCIDENT_FIELDS = [
    "service",
    "state",
    "scope",
    "opened_at",
    "resolved_at",
    "false_alarm",
    "note",
    "observed",
    "expected",
    "p_value",
    "peak_at",
    "peak_observed",
    "peak_expected",
    "symptoms",
    "regions",
    "networks",
    "largest_block_share",
    "integrators",
    "updated_at",
]


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = [
        "service",
        "state",
        "scope",
        "opened_at",
        "resolved_at",
        "observed",
        "expected",
        "networks",
        "false_alarm",
    ]
    list_filter = [
        ("service", admin.RelatedOnlyFieldListFilter),
        "state",
        "false_alarm",
        ("opened_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["service"]
    search_fields = ["service__name"]
    date_hierarchy = "opened_at"
    fields = INCIDENT_FIELDS
    readonly_fields = [f for f in INCIDENT_FIELDS if f != "note"]
    inlines = [IncidentUpdateInline]
    actions = ["mark_false_alarms", "unmark_false_alarms"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Mark as false alarm", permissions=["change"])
    def mark_false_alarms(self, request, queryset):
        # One at a time: each open one is resolved and its series forgiven
        # under the detection cycle's lock.
        for incident in queryset:
            mark_false_alarm(incident)
        self.message_user(request, _count(queryset, "marked as a false alarm"))

    @admin.action(description="Not a false alarm", permissions=["change"])
    def unmark_false_alarms(self, request, queryset):
        for incident in queryset:
            unmark_false_alarm(incident)
        self.message_user(request, _count(queryset, "no longer a false alarm"))


def _count(queryset, what: str) -> str:
    n = len(queryset)
    return f"{n} incident{'' if n == 1 else 's'} {what}."
