from django.contrib.postgres.fields import ArrayField
from django.core.mail import EmailMultiAlternatives
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .querysets import OutgoingEmailQuerySet


class OutgoingEmail(models.Model):
    """An email as it will be sent, stored with the write that caused it (outbox).

    ``next_attempt_at`` is when the next delivery attempt is due; it is empty once
    the email is sent, and for an unsent email that has failed too often to be
    tried again.
    """

    to = ArrayField(models.CharField(max_length=320), verbose_name=_("recipients"))
    from_email = models.CharField(_("from"), max_length=320)
    reply_to = ArrayField(
        models.CharField(max_length=320),
        default=list,
        blank=True,
        verbose_name=_("reply to"),
    )
    subject = models.CharField(_("subject"), max_length=998)
    body = models.TextField(_("text body"))
    html_body = models.TextField(_("HTML body"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    headers = models.JSONField(_("other headers"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(sent_at__isnull=True),
                name="outgoingemail_unsent_due",
            ),
            models.Index(fields=["-created_at"], name="outgoingemail_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(next_attempt_at__isnull=True),
                name="outgoingemail_sent_is_not_due",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    def as_message(self) -> EmailMultiAlternatives:
        """The email as Django's mail API sends it, with its stable Message-ID."""
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=self.body,
            from_email=self.from_email,
            to=self.to,
            reply_to=self.reply_to,
            headers={**self.headers, "Message-ID": self.message_id},
        )
        if self.html_body:
            message.attach_alternative(self.html_body, "text/html")
        for attachment in self.attachments.all():
            message.attach(
                attachment.filename, bytes(attachment.content), attachment.mimetype
            )
        return message


class EmailAttachment(models.Model):
    """A file sent with an email, kept in the database until the email is deleted."""

    email = models.ForeignKey(
        OutgoingEmail,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("email"),
    )
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    mimetype = models.CharField(_("MIME type"), max_length=255)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.filename
