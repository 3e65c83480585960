"""Abstract bases every app's models share."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Heartbeat(models.Model):
    """When a background process was last seen doing its work (``core.health``)."""

    name = models.CharField(_("process"), max_length=50, primary_key=True)
    seen_at = models.DateTimeField(_("last seen"), null=True)
    # When a ping of the task worker was last enqueued; no second one is enqueued
    # while it waits.
    enqueued_at = models.DateTimeField(_("ping enqueued"), null=True)

    class Meta:
        verbose_name = _("heartbeat")

    def __str__(self) -> str:
        return f"{self.name}: {self.seen_at}"
