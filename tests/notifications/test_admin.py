"""The outbox in the admin: superusers see what was sent and what is stuck."""

from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from accounts.models import User
from notifications.models import OutgoingEmail
from notifications.services import email_queue
from tests.factories import (
    make_account,
    make_infrastructure,
    make_partner_admin,
    make_staff,
    make_user,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:notifications_outgoingemail_changelist"


@pytest.fixture(autouse=True)
def _password_opens_the_admin(settings):
    settings.PORTAL_REQUIRE_ADMIN_MFA = False


def queue_stuck_email(to: str = "ana@sme.example.eu") -> OutgoingEmail:
    email = email_queue(to=[to], template="notifications_test/plain", context={})
    OutgoingEmail.objects.filter(pk=email.pk).update(
        attempts=3, last_error="SMTPServerDisconnected: Connection unexpectedly closed"
    )
    return email


def visitor(kind: str) -> User | None:
    infrastructure = make_infrastructure(region="ITH55")
    visitors: dict[str, Callable[[], User | None]] = {
        "anonymous": lambda: None,
        "sme": make_account,
        "staff_of_this_rii": lambda: make_staff(infrastructure=infrastructure),
        "staff_of_another_rii": lambda: make_staff(
            infrastructure=make_infrastructure()
        ),
        "partner_admin_of_this_region": lambda: make_partner_admin(region="ITH5"),
        "partner_admin_of_another_region": lambda: make_partner_admin(region="ITC4"),
        "superuser": lambda: make_user(is_staff=True, is_superuser=True),
    }
    return visitors[kind]()


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("anonymous", 302),
        ("sme", 302),
        ("staff_of_this_rii", 302),
        ("staff_of_another_rii", 302),
        ("partner_admin_of_this_region", 403),
        ("partner_admin_of_another_region", 403),
        ("superuser", 200),
    ],
)
def test_only_superusers_see_the_outbox(client, kind, status):
    email = queue_stuck_email()
    user = visitor(kind)
    if user:
        client.force_login(user)

    for url in (
        reverse(CHANGELIST),
        reverse("admin:notifications_outgoingemail_change", args=[email.pk]),
    ):
        response = client.get(url)
        assert response.status_code == status, url
        if status == 302:
            assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("rows", [1, 30])
def test_outbox_list_shows_stuck_mail_in_constant_queries(
    admin_client, django_assert_num_queries, rows
):
    for n in range(rows):
        queue_stuck_email(to=f"person{n}@sme.example.eu")

    with django_assert_num_queries(8):
        response = admin_client.get(reverse(CHANGELIST))

    assertContains(response, "person0@sme.example.eu")
    assertContains(response, "SMTPServerDisconnected: Connection unexpectedly closed")
    assertContains(response, f"{rows} outgoing email")


def test_outbox_is_read_only(admin_client):
    email = queue_stuck_email()
    add_url = reverse("admin:notifications_outgoingemail_add")
    assert admin_client.get(add_url).status_code == 403
    response = admin_client.post(
        reverse("admin:notifications_outgoingemail_delete", args=[email.pk]),
        {"post": "yes"},
    )
    assert response.status_code == 403
    assert OutgoingEmail.objects.filter(pk=email.pk).exists()


def test_superuser_sends_stuck_mail_again_after_fixing_the_mail_server(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    email = queue_stuck_email()
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=None)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse(CHANGELIST),
            {"action": "send_again", "_selected_action": [email.pk]},
            follow=True,
        )

    assertContains(response, "1 email will be sent again.")
    assert [m.to for m in mailoutbox] == [["ana@sme.example.eu"]]
    email.refresh_from_db()
    assert email.sent_at is not None
    assert email.sent_at <= timezone.now()
