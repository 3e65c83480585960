from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    """The partner admins' console in the Django admin: the queue of listings to
    review, counts per region and status, and decisions on listings."""

    name = "moderation"
    verbose_name = _("Moderation")
