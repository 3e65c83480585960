from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import OutgoingEmail
from .services import email_retry


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """Read-only: operators see what was sent and what is stuck, and retry it."""

    list_display = [
        "subject",
        "recipients",
        "created_at",
        "sent_at",
        "attempts",
        "next_attempt_at",
        "last_error",
    ]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "language"]
    search_fields = ["subject", "to", "message_id"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    readonly_fields = [
        "to",
        "from_email",
        "reply_to",
        "subject",
        "body",
        "html_body",
        "message_id",
        "headers",
        "language",
        "created_at",
        "sent_at",
        "attempts",
        "last_error",
        "next_attempt_at",
    ]

    @admin.display(description=_("recipients"))
    def recipients(self, email: OutgoingEmail) -> str:
        return ", ".join(email.to)

    @admin.action(description=_("Send the selected unsent emails again now"))
    def send_again(self, request: HttpRequest, queryset) -> None:
        count = email_retry(emails=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d email will be sent again.",
                "%(count)d emails will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
