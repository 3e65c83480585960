"""Access-request emails through the outbox: nothing lost while the mail server is
down, nothing sent twice when it is back, and a real SMTP round trip."""

import datetime as dt
import email as email_parser

import pytest
from django.urls import reverse
from django.utils import timezone

from access.models import AccessRequest, State
from notifications.models import OutgoingEmail
from tests.access.test_views import FORM
from tests.factories import make_account, make_infrastructure, make_staff
from tests.notifications.conftest import (  # noqa: F401 (fixtures)
    database_tasks,
    mail_server_down,
    run_worker,
)
from tests.notifications.test_delivery import (  # noqa: F401 (fixtures)
    clock_at,
    smtp_server,
)

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_mail_server_down_loses_no_request_and_no_email_and_sends_none_twice(
    client,
    database_tasks,  # noqa: F811
    mail_server_down,  # noqa: F811
    mailoutbox,
):
    # The worker runs as in production: on its own, after the request committed.
    infrastructure = make_infrastructure()
    manager = make_staff(infrastructure=infrastructure)
    client.force_login(make_account())
    mail_server_down(3)
    start = timezone.now()

    response = client.post(
        reverse("access:request_create", args=[infrastructure.slug]), FORM
    )
    assert response.status_code == 302
    run_worker()

    # The request is there and the SME sees it; the email waits for the server.
    access_request = AccessRequest.objects.get()
    assert access_request.state == State.SUBMITTED
    email = OutgoingEmail.objects.get(to=[manager.email])
    assert (email.sent_at, email.attempts, mailoutbox) == (None, 1, [])

    for minutes in (2, 5, 10):
        with clock_at(start + dt.timedelta(minutes=minutes)):
            run_worker()
    email.refresh_from_db()
    assert email.sent_at is not None
    assert [m.to for m in mailoutbox] == [[manager.email]]
    assert access_request.reference in mailoutbox[0].subject

    with clock_at(start + dt.timedelta(hours=3)):
        run_worker()
    assert len(mailoutbox) == 1


def test_a_new_request_reaches_the_staff_through_a_real_smtp_server(
    client,
    smtp_server,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    infrastructure = make_infrastructure(name="Pilot Line for Coatings")
    manager = make_staff(infrastructure=infrastructure)
    client.force_login(make_account())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("access:request_create", args=[infrastructure.slug]), FORM)

    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == [manager.email]
    received = email_parser.message_from_bytes(envelope.content)
    reference = AccessRequest.objects.get().reference
    assert received["Subject"] == (
        f"[RII portal] New access request {reference} from Acme Additive Srl"
    )
    payload = received.get_payload(decode=True)
    assert isinstance(payload, bytes)
    body = payload.decode()
    assert "Fatigue tests on 12 printed brackets." in body
    assert reverse("access:inbox_detail", args=[AccessRequest.objects.get().pk]) in body
