from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    # The model of the QuerySet's type argument, which ruff does not read.
    from .models import OutgoingEmail  # noqa: F401


class OutgoingEmailQuerySet(models.QuerySet["OutgoingEmail"]):
    def unsent(self) -> "OutgoingEmailQuerySet":
        return self.filter(sent_at__isnull=True)

    def due(self, *, at: datetime | None = None) -> "OutgoingEmailQuerySet":
        """Unsent emails whose next attempt is at or before ``at`` (default: now)."""
        return self.unsent().filter(next_attempt_at__lte=at or timezone.now())

    def abandoned(self) -> "OutgoingEmailQuerySet":
        """Unsent emails that will not be tried again (too many failed attempts)."""
        return self.unsent().filter(next_attempt_at__isnull=True)
