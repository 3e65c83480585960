"""Account emails (django-allauth's and invitations) go through the outbox."""

import pytest
from django.urls import reverse

from accounts.services import invitation_create, user_delete
from notifications.models import OutgoingEmail
from notifications.services import email_queue
from tests.factories import make_account, make_infrastructure, make_staff, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "Kalibrier-Labor-2026"


def test_password_reset_email_is_in_the_users_preferred_language(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    make_account(email="ana@sme.example.eu", preferred_language="it")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "ana@sme.example.eu"})

    [message] = mailoutbox
    assert message.subject == "[RII portal] Email per reimpostare la password"
    assert OutgoingEmail.objects.get().language == "it"


def test_sign_up_email_is_in_the_language_of_the_page_the_visitor_used(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {
                "email": "jan@sme.example.de",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
            headers={"accept-language": "de"},
        )

    [message] = mailoutbox
    assert message.to == ["jan@sme.example.de"]
    assert message.subject == "[RII portal] Bitte bestätige deine E-Mail-Adresse"


def test_account_email_is_stored_before_it_is_sent(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    make_account(email="ana@sme.example.eu")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("account_reset_password"), {"email": "ana@sme.example.eu"})

    email = OutgoingEmail.objects.get()
    assert (email.to, email.sent_at) == (["ana@sme.example.eu"], None)
    assert "Password Reset" in email.subject
    assert len(callbacks) == 1
    assert mailoutbox == []


def test_invitation_is_in_the_invitees_language_when_they_have_an_account(
    mailoutbox, django_capture_on_commit_callbacks
):
    make_user(email="ana@rii.example.it", preferred_language="it")
    infrastructure = make_infrastructure(name="R&D Pilot Line")
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            infrastructure=infrastructure,
            email="Ana@RII.example.it",
            role="editor",
            invited_by=make_staff(infrastructure=infrastructure),
            site_url="https://rii.example.eu",
        )

    [message] = mailoutbox
    assert message.subject.startswith("[RII portal] ")
    assert "R&D Pilot Line" in message.subject
    assert "https://rii.example.eu/" in message.body
    assert OutgoingEmail.objects.get().language == "it"


def test_closing_an_account_deletes_the_emails_written_to_it(
    client, django_capture_on_commit_callbacks
):
    ana = make_account(email="ana@sme.example.eu", password=PASSWORD)
    client.force_login(ana)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": ana.email})
    queue_to_someone_else = email_queue(
        to=["bo@sme.example.eu"], template="notifications_test/plain", context={}
    )

    user_delete(user=ana)

    assert list(OutgoingEmail.objects.all()) == [queue_to_someone_else]
