"""A signed-in user's saved search of the catalogue, and its email alert."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core.models import TimestampedModel


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    NEVER = "never", _("No emails")


class SavedSearch(TimestampedModel):
    """A search page's whole state (its query string), saved under a name; with an
    alert, the user is emailed what newly matches it."""

    Frequency = Frequency

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_searches",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=120)
    query = models.CharField(
        _("search"),
        max_length=2000,
        blank=True,
        help_text=_("The search page's parameters, as in its address."),
    )
    frequency = models.CharField(
        _("email alert"), max_length=10, choices=Frequency, default=Frequency.WEEKLY
    )
    # Listings published and services added after this were not yet told of.
    checked_at = models.DateTimeField(_("last checked"))
    last_sent_at = models.DateTimeField(_("last alert sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values),
                name="saved_search_frequency_valid",
            ),
            models.UniqueConstraint(
                fields=["user", "query"],
                name="saved_search_once_per_user",
                violation_error_message=_("You have already saved this search."),
            ),
        ]
        indexes = [
            models.Index(fields=["frequency", "checked_at"], name="saved_search_due")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        url = reverse("catalogue:infrastructure_list")
        return f"{url}?{self.query}" if self.query else url

    @staticmethod
    def clean_query(params: dict[str, list[str]]) -> str:
        """The parameters that define a search (not its page), in a stable order."""
        kept = {
            key: sorted(value for value in values if value)
            for key, values in sorted(params.items())
            if key not in ("page", "csrfmiddlewaretoken") and any(values)
        }
        return urlencode(kept, doseq=True)
