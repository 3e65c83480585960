from django.contrib import admin

from accounts.scoping import ScopedInfrastructureAdmin
from core.admin import ReadOnlyAdmin

from .models import AccessRequest, Event


class EventInline(ReadOnlyAdmin, admin.TabularInline):
    model = Event
    extra = 0
    fields = readonly_fields = (
        "created_at",
        "actor",
        "action",
        "from_state",
        "to_state",
        "note",
    )


@admin.register(AccessRequest)
class AccessRequestAdmin(ReadOnlyAdmin, ScopedInfrastructureAdmin, admin.ModelAdmin):
    """Requests are handled by the infrastructures' staff in the portal; partner
    admins follow those of their regions here, for reading."""

    list_display = [
        "reference",
        "infrastructure",
        "company_name",
        "state",
        "submitted_at",
        "response_due_at",
        "first_response_at",
    ]
    list_filter = ["state", "timeframe", "budget_band"]
    search_fields = ["infrastructure__name", "company_name", "contact_email"]
    list_select_related = ["infrastructure"]
    date_hierarchy = "submitted_at"
    inlines = [EventInline]
    # Attachments are private: the portal serves them to the request's parties only.
    exclude = ["attachment"]
