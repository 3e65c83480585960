"""Queuing emails: rendered in the recipient's language, stored, sent after commit."""

import datetime as dt

import pytest
from django.db import transaction

from notifications.models import OutgoingEmail
from notifications.services import email_queue, email_queue_to_users
from tests.factories import make_user

pytestmark = pytest.mark.django_db

VISIT_ON = dt.date(2026, 12, 5)


def queue_reminder(**kwargs) -> OutgoingEmail:
    kwargs.setdefault("to", ["ana@sme.example.eu"])
    return email_queue(
        template="notifications_test/reminder",
        context={"visit_on": VISIT_ON, "lab": "Pilot Line"},
        **kwargs,
    )


def test_queued_email_is_sent_once_the_transaction_commits(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_reminder(reply_to=["desk@rii.example.eu"])
        assert mailoutbox == []

    [message] = mailoutbox
    assert message.to == ["ana@sme.example.eu"]
    assert message.reply_to == ["desk@rii.example.eu"]
    assert message.subject == "[RII portal] Your visit on 5 December 2026 & more"
    assert "your visit to R&D Lab is on Saturday 5 December 2026." in message.body
    assert message.alternatives[0].content == (
        "<p>Your visit to Pilot Line is on 5 December 2026.</p>\n"
    )
    assert message.extra_headers["Message-ID"] == email.message_id
    email.refresh_from_db()
    assert email.sent_at is not None
    assert email.attempts == 1
    assert email.next_attempt_at is None


def test_links_in_emails_are_absolute_on_the_portals_address(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.PORTAL_SITE_URL = "https://rii.example.eu/"
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_reminder()
    assert "Details: https://rii.example.eu/visits/1/" in mailoutbox[0].body
    assert email.message_id.endswith("@rii.example.eu>")


def test_email_is_written_in_the_language_asked_for(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_reminder(language="it")
    assert mailoutbox[0].subject == "[RII portal] Your visit on 5 Dicembre 2026 & more"
    assert "Sabato 5 Dicembre 2026" in mailoutbox[0].body
    assert email.language == "it"


@pytest.mark.parametrize("language", [None, "", "xx"])
def test_no_or_unknown_language_falls_back_to_the_portals_language(language):
    email = queue_reminder(language=language)
    assert email.language == "en"
    assert "5 December 2026" in email.subject


def test_each_user_gets_the_email_in_their_own_language(
    mailoutbox, django_capture_on_commit_callbacks
):
    ana = make_user(email="ana@example.it", first_name="Ana", preferred_language="it")
    jan = make_user(email="jan@example.de", first_name="Jan", preferred_language="de")
    eve = make_user(email="eve@example.eu", first_name="Eve", preferred_language="")

    with django_capture_on_commit_callbacks(execute=True):
        emails = email_queue_to_users(
            users=[ana, jan, eve],
            template="notifications_test/reminder",
            context={"visit_on": VISIT_ON},
        )

    assert [email.language for email in emails] == ["it", "de", "en"]
    sent = {message.to[0]: message for message in mailoutbox}
    assert "Dear Ana," in sent["ana@example.it"].body
    assert "5 Dicembre 2026" in sent["ana@example.it"].subject
    assert "Samstag 5 Dezember 2026" in sent["jan@example.de"].body
    assert "Saturday 5 December 2026" in sent["eve@example.eu"].body


def test_nothing_is_queued_or_sent_when_the_callers_transaction_rolls_back(
    mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue_reminder()
        raise RuntimeError("the request failed after queuing the email")

    assert callbacks == []
    assert not OutgoingEmail.objects.exists()
    assert mailoutbox == []


def test_attachments_and_a_text_only_email_are_sent_as_queued(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email_queue(
            to=["ana@sme.example.eu", "bo@sme.example.eu"],
            template="notifications_test/plain",
            context={},
            attachments=[("offer.pdf", b"%PDF-1.7 offer", "application/pdf")],
        )

    [message] = mailoutbox
    assert message.to == ["ana@sme.example.eu", "bo@sme.example.eu"]
    assert message.alternatives == []
    assert message.body == "Only text.\n"
    [attachment] = message.attachments
    assert (attachment.filename, attachment.content, attachment.mimetype) == (
        "offer.pdf",
        b"%PDF-1.7 offer",
        "application/pdf",
    )


def test_an_email_without_recipients_is_refused():
    with pytest.raises(ValueError, match="at least one recipient"):
        queue_reminder(to=[])
    assert not OutgoingEmail.objects.exists()
