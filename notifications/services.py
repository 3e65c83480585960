"""The outbox: emails are stored with the caller's write and delivered after commit.

A request is committed before anything is sent. ``email_queue`` stores the rendered
email in the caller's transaction and, once that commits, enqueues the task
``deliver_email``; ``email_deliver`` sends it at most once and schedules a retry
when the mail server fails; ``email_enqueue_due`` (the ``send_queued_email``
command) enqueues whatever is due again, so a lost task loses no email.
"""

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, make_msgid
from django.db import transaction
from django.tasks import task_backends
from django.template import Context, TemplateDoesNotExist
from django.template.backends.django import Template as DjangoTemplate
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from .models import EmailAttachment, OutgoingEmail

# The user model (``accounts.User``, above this app), with its preferred language.
User = Any

logger = logging.getLogger(__name__)

FIRST_RETRY_DELAY = timedelta(minutes=1)
MAX_RETRY_DELAY = timedelta(hours=1)
# About two days of hourly attempts after the first quick ones.
MAX_ATTEMPTS = 50
# A due email is enqueued again only once its own retry task had time to run.
SWEEP_GRACE = timedelta(minutes=1)


def email_language(language: str | None) -> str:
    """``language`` if the portal speaks it, else the portal's default language."""
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


def language_of_address(address: str) -> str | None:
    """The preferred language of the user with this email address, if any."""
    user = (
        get_user_model()._default_manager.filter(email__iexact=address.strip()).first()
    )
    return (user.preferred_language or None) if user else None


def _render_text(name: str, context: Mapping[str, Any]) -> str:
    """Render a plain-text template without HTML escaping ("R&D", not "R&amp;D")."""
    template = get_template(name)
    assert isinstance(template, DjangoTemplate)  # the portal's one template engine
    return template.template.render(Context(dict(context), autoescape=False))


def _render(template: str, context: Mapping[str, Any]) -> tuple[str, str, str]:
    """Subject, text body and (possibly empty) HTML body of ``template``."""
    context = {"site_url": settings.PORTAL_SITE_URL.rstrip("/"), **context}
    subject = _render_text(f"{template}_subject.txt", context)
    body = _render_text(f"{template}_message.txt", context)
    html_body: str
    try:
        html_body = render_to_string(f"{template}_message.html", context)
    except TemplateDoesNotExist:
        html_body = ""
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split())
    return subject, body, html_body


def _store(
    *,
    to: Sequence[str],
    subject: str,
    body: str,
    html_body: str = "",
    from_email: str | None = None,
    reply_to: Sequence[str] = (),
    headers: Mapping[str, str] | None = None,
    attachments: Sequence[tuple[str, bytes, str]] = (),
    language: str,
) -> OutgoingEmail:
    if not to:
        raise ValueError("An email needs at least one recipient.")
    headers = dict(headers or {})
    message_id = headers.pop("Message-ID", None) or make_msgid(
        domain=urlsplit(settings.PORTAL_SITE_URL).hostname or "localhost"
    )
    email = OutgoingEmail.objects.create(
        to=list(to),
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        reply_to=list(reply_to),
        subject=subject,
        body=body,
        html_body=html_body,
        message_id=message_id,
        headers=headers,
        language=language,
        next_attempt_at=timezone.now(),
    )
    EmailAttachment.objects.bulk_create(
        EmailAttachment(email=email, filename=name, content=content, mimetype=mimetype)
        for name, content, mimetype in attachments
    )
    transaction.on_commit(partial(_enqueue, email.pk))
    return email


@transaction.atomic
def email_queue(
    *,
    to: Sequence[str],
    template: str,
    context: Mapping[str, Any],
    language: str | None = None,
    reply_to: Sequence[str] = (),
    attachments: Sequence[tuple[str, bytes, str]] = (),
    headers: Mapping[str, str] | None = None,
) -> OutgoingEmail:
    """Render ``template`` in ``language`` and queue it for ``to``; sent after commit.

    ``template`` is a prefix: ``<template>_subject.txt`` (one line, prefixed with
    "[RII portal] "), ``<template>_message.txt`` and, optionally,
    ``<template>_message.html``. The context also holds ``site_url``, the portal's
    address without a trailing slash, for absolute links. ``attachments`` are
    ``(filename, content, mimetype)``; ``headers`` are added to the message (e.g.
    List-Unsubscribe). If the caller's transaction rolls back,
    nothing is queued.
    """
    language = email_language(language)
    with translation.override(language):
        subject, body, html_body = _render(template, context)
    return _store(
        to=to,
        subject=subject,
        body=body,
        html_body=html_body,
        reply_to=reply_to,
        attachments=attachments,
        headers=headers,
        language=language,
    )


@transaction.atomic
def email_queue_to_users(
    *, users: Iterable["User"], template: str, context: Mapping[str, Any]
) -> list[OutgoingEmail]:
    """Queue one email per user, each in the user's preferred language.

    The context of each email also holds ``user``.
    """
    return [
        email_queue(
            to=[user.email],
            template=template,
            context={**context, "user": user},
            language=user.preferred_language,
        )
        for user in users
    ]


@transaction.atomic
def email_queue_message(*, message: EmailMessage, language: str) -> OutgoingEmail:
    """Queue an email already rendered by other code (django-allauth's, for one)."""
    html_body = next(
        (
            content
            for content, mimetype in getattr(message, "alternatives", ())
            if mimetype == "text/html"
        ),
        "",
    )
    if message.cc or message.bcc:
        raise ValueError("The outbox sends to the 'to' recipients only.")
    body = str(message.body)
    if message.content_subtype == "html":
        body, html_body = "", str(message.body)
    return _store(
        to=message.to,
        subject=str(message.subject),
        body=body,
        html_body=html_body,
        from_email=message.from_email,
        reply_to=message.reply_to,
        headers=message.extra_headers,
        attachments=[
            (filename, content.encode() if isinstance(content, str) else content, mime)
            for filename, content, mime in message.attachments
        ],
        language=email_language(language),
    )


def retry_delay(attempts: int) -> timedelta:
    """The wait after ``attempts`` failed attempts: 1 min, 2, 4, ... at most 1 h."""
    return min(FIRST_RETRY_DELAY * 2 ** (attempts - 1), MAX_RETRY_DELAY)


def email_deliver(*, email_id: int) -> str:
    """Send the email ``email_id`` if it is unsent and due; return what happened.

    The row stays locked (``select_for_update``) from the check of ``sent_at`` to
    the commit that records it, so two workers, or a retry and a sweep, never both
    send it. One window remains: if the mail server has accepted the message and
    the process dies, or the database fails, before that commit, the email counts
    as unsent and goes out again on the next attempt. It carries the same
    Message-ID every time, so mail clients can recognise the duplicate.

    On failure the attempt and its error are recorded and a retry is enqueued
    after a delay that doubles from 1 minute up to 1 hour; after
    ``MAX_ATTEMPTS`` attempts the email is no longer tried.
    """
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        now = timezone.now()
        if email is None:
            return "deleted"
        if email.sent_at is not None:
            return "already sent"
        # A retry waits for its time; a first attempt goes whatever the clocks say.
        if email.next_attempt_at is None or (
            email.attempts and email.next_attempt_at > now
        ):
            return "not due"
        email.attempts += 1
        try:
            email.as_message().send()
        except Exception as error:
            logger.warning("Email %s failed (attempt %s)", email.pk, email.attempts)
            email.last_error = f"{type(error).__name__}: {error}"[:2000]
            email.next_attempt_at = (
                now + retry_delay(email.attempts)
                if email.attempts < MAX_ATTEMPTS
                else None
            )
            email.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            if email.next_attempt_at:
                transaction.on_commit(
                    partial(_enqueue, email.pk, run_after=email.next_attempt_at)
                )
            return "failed"
        email.sent_at = timezone.now()
        email.next_attempt_at = None
        email.save(update_fields=["attempts", "sent_at", "next_attempt_at"])
    return "sent"


def email_enqueue_due(*, at: datetime | None = None) -> int:
    """Enqueue delivery of every unsent email overdue at ``at`` (default: now).

    Run periodically (``manage.py send_queued_email``), it sends what a lost
    task, a crashed worker or a failed enqueue left behind. Returns how many
    emails were enqueued.
    """
    due = OutgoingEmail.objects.due(at=(at or timezone.now()) - SWEEP_GRACE)
    email_ids = list(due.values_list("pk", flat=True))
    for email_id in email_ids:
        _enqueue(email_id)
    return len(email_ids)


@transaction.atomic
def email_retry(*, emails: Iterable[OutgoingEmail]) -> int:
    """Make unsent ``emails`` due now (after a fix of the mail settings, say)."""
    email_ids = [email.pk for email in emails if email.sent_at is None]
    OutgoingEmail.objects.filter(pk__in=email_ids).unsent().update(
        next_attempt_at=timezone.now()
    )
    for email_id in email_ids:
        transaction.on_commit(partial(_enqueue, email_id))
    return len(email_ids)


@transaction.atomic
def email_forget_addresses(*, addresses: Iterable[str]) -> int:
    """Delete every email, sent or not, to any of ``addresses`` (in lower case).

    For a person who closes their account: the outbox keeps no copy of what
    was written to them. Returns how many emails were deleted.
    """
    addresses = sorted({address.lower() for address in addresses})
    _total, deleted = OutgoingEmail.objects.filter(to__overlap=addresses).delete()
    return deleted.get(OutgoingEmail._meta.label, 0)


def _enqueue(email_id: int, *, run_after: datetime | None = None) -> None:
    from .tasks import deliver_email

    task = deliver_email
    if run_after is not None:
        if not task_backends[task.backend].supports_defer:
            # A backend that runs tasks at once leaves the retry to the sweep.
            return
        task = task.using(run_after=run_after)
    try:
        task.enqueue(email_id)
    except Exception:
        # The email is stored: the sweep enqueues it again.
        logger.exception("Could not enqueue delivery of email %s", email_id)
