from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import OutgoingEmail


def outbox() -> str | None:
    """The readiness check of the outbox: no email has waited for its (next)
    attempt longer than ``PORTAL_READY_OUTBOX_MINUTES``."""
    limit = timedelta(minutes=settings.PORTAL_READY_OUTBOX_MINUTES)
    oldest = (
        OutgoingEmail.objects.due(at=timezone.now() - limit)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if oldest is None:
        return None
    minutes = int((timezone.now() - oldest).total_seconds() // 60)
    return f"an email has waited {minutes} min"
