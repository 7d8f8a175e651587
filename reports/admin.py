"""What an operator sets for intake: each integrator's allowance."""

from django.contrib import admin

from reports.models import Integrator


@admin.register(Integrator)
class IntegratorAdmin(admin.ModelAdmin):
    list_display = ["user", "reporters_per_minute", "note"]
    search_fields = ["user__username", "note"]
    raw_id_fields = ["user"]
