from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import TimestampedModel

from .querysets import AccessRequestQuerySet

MAX_NEED_LENGTH = 5000
MAX_MESSAGE_LENGTH = 5000


def private_storage():
    """Attachments are never under MEDIA_URL: the portal serves them after a check."""
    from django.core.files.storage import storages

    return storages["private"]


class State(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("Awaiting email confirmation")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    NEEDS_INFORMATION = "needs_information", _("Needs information")
    OFFER_SENT = "offer_sent", _("Offer sent")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


# Requests still waiting for the infrastructure or the SME to act.
OPEN_STATES = frozenset(
    {
        State.SUBMITTED,
        State.IN_REVIEW,
        State.NEEDS_INFORMATION,
        State.OFFER_SENT,
        State.ACCEPTED,
        State.IN_PROGRESS,
    }
)


class Timeframe(models.TextChoices):
    ASAP = "asap", _("As soon as possible")
    WITHIN_3_MONTHS = "3m", _("Within 3 months")
    WITHIN_6_MONTHS = "6m", _("Within 6 months")
    LATER = "later", _("Later than 6 months")
    FLEXIBLE = "flexible", _("Flexible")


class BudgetBand(models.TextChoices):
    UNKNOWN = "unknown", _("Not sure yet")
    UNDER_5K = "lt5k", _("Under €5,000")
    FROM_5K = "5k-20k", _("€5,000 to €20,000")
    FROM_20K = "20k-50k", _("€20,000 to €50,000")
    OVER_50K = "gt50k", _("Over €50,000")


class AccessRequest(TimestampedModel):
    """An SME's request to use an infrastructure, one of its services or equipment."""

    State = State

    infrastructure = models.ForeignKey(
        "catalogue.Infrastructure",
        on_delete=models.CASCADE,
        related_name="access_requests",
        verbose_name=_("infrastructure"),
    )
    service = models.ForeignKey(
        "catalogue.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_requests",
        verbose_name=_("service"),
    )
    equipment = models.ForeignKey(
        "catalogue.Equipment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_requests",
        verbose_name=_("equipment"),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_requests",
        verbose_name=_("requester"),
        help_text=_("Empty for a guest's request."),
    )
    brief = models.UUIDField(
        _("brief"),
        db_index=True,
        help_text=_("Requests sent together with one brief share this value."),
    )
    need = models.TextField(_("what the company needs"), max_length=MAX_NEED_LENGTH)
    timeframe = models.CharField(
        _("desired timeframe"),
        max_length=10,
        choices=Timeframe,
        default=Timeframe.FLEXIBLE,
    )
    budget_band = models.CharField(
        _("budget"), max_length=10, choices=BudgetBand, default=BudgetBand.UNKNOWN
    )
    company_name = models.CharField(_("company"), max_length=200)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_requests",
        verbose_name=_("organisation"),
    )
    contact_name = models.CharField(_("contact name"), max_length=150)
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        help_text=_("The language the requester used; emails to a guest use it."),
    )
    attachment = models.FileField(
        _("attachment"),
        upload_to="access/%Y/%m/",
        storage=private_storage,
        blank=True,
    )
    consent_share = models.BooleanField(
        _("consent to share the request with the infrastructure")
    )
    privacy_accepted = models.BooleanField(_("privacy notice accepted"))
    state = models.CharField(
        _("state"), max_length=20, choices=State, default=State.SUBMITTED
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    response_due_at = models.DateTimeField(_("response due"), null=True, blank=True)
    escalation_due_at = models.DateTimeField(
        _("partner admin told after"), null=True, blank=True
    )
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("partner admin told"), null=True, blank=True)

    objects = AccessRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=State.values), name="access_request_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(consent_share=True) & Q(privacy_accepted=True),
                name="access_request_consent_given",
            ),
            models.CheckConstraint(
                # Only a guest's request may never have been sent (confirmed).
                condition=Q(state__in=[State.UNCONFIRMED, State.EXPIRED])
                | Q(submitted_at__isnull=False),
                name="access_request_sent_has_submitted_at",
            ),
            models.CheckConstraint(
                condition=~Q(state=State.DECLINED) | ~Q(decline_reason=""),
                name="access_request_declined_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "submitted_at"], name="access_state_idx"),
            models.Index(
                fields=["response_due_at"],
                condition=Q(first_response_at__isnull=True),
                name="access_unanswered_idx",
            ),
            models.Index(fields=["contact_email"], name="access_contact_email_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.infrastructure}"

    @property
    def reference(self) -> str:
        return f"AR-{self.pk:06d}" if self.pk else "AR-new"

    @property
    def item(self):
        """The service or equipment asked for, if any."""
        return self.service or self.equipment

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def get_absolute_url(self) -> str:
        return reverse("access:request_detail", args=[self.pk])

    def get_staff_url(self) -> str:
        return reverse("access:inbox_detail", args=[self.pk])


class Event(models.Model):
    """One transition of a request: who moved it, when, from where to where, why."""

    is_message = False

    request = models.ForeignKey(
        AccessRequest, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(_("from"), max_length=20, choices=State)
    to_state = models.CharField(_("to"), max_length=20, choices=State)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("request event")
        verbose_name_plural = _("request events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.request.reference}: {self.from_state} → {self.to_state}"


class Message(models.Model):
    """A message in a request's thread; internal notes are for the RII's staff only."""

    is_message = True

    request = models.ForeignKey(
        AccessRequest, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    from_staff = models.BooleanField(_("from the infrastructure's staff"))
    internal = models.BooleanField(
        _("internal note"),
        default=False,
        help_text=_("Seen only by the infrastructure's staff."),
    )
    body = models.TextField(_("message"), max_length=MAX_MESSAGE_LENGTH)
    attachment = models.FileField(
        _("attachment"),
        upload_to="access/%Y/%m/",
        storage=private_storage,
        blank=True,
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(internal=False) | Q(from_staff=True),
                name="access_message_internal_from_staff",
            )
        ]

    def __str__(self) -> str:
        return f"{self.request.reference}: {self.body[:40]}"


class ShortlistEntry(models.Model):
    """An infrastructure a signed-in user keeps to send one brief to several RIIs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shortlist"
    )
    infrastructure = models.ForeignKey(
        "catalogue.Infrastructure", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("shortlist entry")
        verbose_name_plural = _("shortlist entries")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "infrastructure"], name="shortlist_entry_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.infrastructure}"
