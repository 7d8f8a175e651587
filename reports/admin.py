"""What an operator sets for intake (each integrator's allowance and API
token) and the reports, to browse."""

from django.contrib import admin
from rest_framework.authtoken.admin import TokenAdmin

from reports.models import Integrator, Report


@admin.register(Integrator)
class IntegratorAdmin(admin.ModelAdmin):
    list_display = ["user", "reporters_per_minute", "note"]
    search_fields = ["user__username", "note"]
    raw_id_fields = ["user"]


# REST framework registers its own token admin; a list of keys would be a
# list of working credentials, so it shows whose each token is, not the key.
TokenAdmin.list_display = ["user", "created"]
TokenAdmin.raw_id_fields = ["user"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Reports as stored, read-only: the write path is intake alone.

    The reporter, network and block hashes stay out of sight: they link one
    person's (or one network's) reports to each other, which browsing them
    has no need of.
    """

    list_display = [
        "created_at",
        "service",
        "symptom",
        "country",
        "subdivision",
        "counted",
        "source",
    ]
    list_filter = [
        "source",
        "counted",
        ("created_at", admin.DateFieldListFilter),
        # Every service, not only those reported: finding those would read
        # the whole table.
        "service",
    ]
    list_select_related = ["service", "symptom", "country", "subdivision"]
    exclude = ["reporter", "network", "block"]
    ordering = ["-created_at"]
    # The table takes thousands of rows a second: no count of all of them
    # beside each filtered page.
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
