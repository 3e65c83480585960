"""Partner admins' decisions on listings."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .listings import Infrastructure, InfrastructureStatus


class ModerationAction(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REQUEST_CHANGES = "request_changes", _("Request changes")
    REJECT = "reject", _("Reject")
    ARCHIVE = "archive", _("Archive")
    REVERT = "revert", _("Revert to the last approved version")


class ModerationDecision(models.Model):
    """A partner admin's decision on a listing, with the message sent to its staff."""

    Action = ModerationAction

    infrastructure = models.ForeignKey(
        Infrastructure,
        on_delete=models.CASCADE,
        related_name="moderation_decisions",
        verbose_name=_("infrastructure"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    action = models.CharField(_("decision"), max_length=20, choices=Action)
    from_status = models.CharField(
        _("from"), max_length=20, choices=InfrastructureStatus
    )
    to_status = models.CharField(_("to"), max_length=20, choices=InfrastructureStatus)
    message = models.TextField(_("message to the staff"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("moderation decision")
        verbose_name_plural = _("moderation decisions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=ModerationAction.values),
                name="moderation_decision_action_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["infrastructure", "-created_at"],
                name="moderation_decision_rii_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.infrastructure_id}"
