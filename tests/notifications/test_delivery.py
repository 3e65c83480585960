"""Delivery: a mail server that is down loses no email, and no email goes out twice."""

import datetime as dt
import email as email_parser
import socket
import threading
from contextlib import contextmanager
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from aiosmtpd.controller import Controller
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from notifications.models import OutgoingEmail
from notifications.services import MAX_ATTEMPTS, email_deliver, email_queue
from notifications.tasks import deliver_email

from .conftest import run_worker


def queue_email(to: str = "ana@sme.example.eu") -> OutgoingEmail:
    return email_queue(to=[to], template="notifications_test/plain", context={})


@contextmanager
def clock_at(moment: dt.datetime):
    """The portal and the worker believe it is ``moment``."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def sweep() -> str:
    out = StringIO()
    call_command("send_queued_email", stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_mail_server_down_then_back_loses_no_email_and_sends_none_twice(
    database_tasks, mail_server_down, mailoutbox
):
    mail_server_down(2)
    start = timezone.now()
    email = queue_email()

    run_worker()
    email.refresh_from_db()
    assert mailoutbox == []
    assert (email.sent_at, email.attempts) == (None, 1)
    assert email.last_error == (
        "ConnectionRefusedError: Connection refused by the mail server"
    )
    assert email.next_attempt_at is not None
    assert email.next_attempt_at - start == pytest.approx(
        dt.timedelta(minutes=1), abs=dt.timedelta(seconds=10)
    )

    run_worker()  # the retry waits for its time
    email.refresh_from_db()
    assert email.attempts == 1

    with clock_at(start + dt.timedelta(minutes=1, seconds=10)):
        run_worker()
    email.refresh_from_db()
    assert (email.sent_at, email.attempts) == (None, 2)
    assert email.next_attempt_at is not None
    assert email.next_attempt_at - start == pytest.approx(
        dt.timedelta(minutes=3), abs=dt.timedelta(seconds=20)
    )

    with clock_at(start + dt.timedelta(minutes=4)):
        run_worker()
    email.refresh_from_db()
    assert email.sent_at is not None
    assert email.attempts == 3
    assert [m.to for m in mailoutbox] == [["ana@sme.example.eu"]]

    # Later sweeps and stray tasks for the same email send nothing more.
    with clock_at(start + dt.timedelta(hours=2)):
        assert sweep() == ""
        deliver_email.enqueue(email.pk)
        run_worker()
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_an_email_whose_task_was_lost_is_sent_by_the_sweep(database_tasks, mailoutbox):
    from django_tasks_db.models import DBTaskResult

    start = timezone.now()
    queue_email()
    DBTaskResult.objects.all().delete()  # as if the enqueue never happened
    run_worker()
    assert mailoutbox == []

    assert sweep() == ""  # a fresh email still has its own task on the way
    with clock_at(start + dt.timedelta(minutes=2)):
        assert sweep() == "Enqueued 1 queued email(s).\n"
    run_worker()

    assert [m.to for m in mailoutbox] == [["ana@sme.example.eu"]]
    assert OutgoingEmail.objects.unsent().count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_the_same_email_send_it_once(
    database_tasks, settings, mailoutbox
):
    settings.MAILERS = {
        "default": {"BACKEND": "tests.notifications.test_delivery.SlowEmailBackend"}
    }
    email = queue_email()
    outcomes: list[str] = []

    def deliver() -> None:
        try:
            outcomes.append(email_deliver(email_id=email.pk))
        finally:
            connection.close()

    first = threading.Thread(target=deliver)
    first.start()
    assert SlowEmailBackend.sending.wait(10)  # the first is handing it over
    second = threading.Thread(target=deliver)
    second.start()
    second.join(0.5)
    assert second.is_alive()  # held at the row lock
    SlowEmailBackend.release.set()
    first.join(10)
    second.join(10)

    assert outcomes == ["sent", "already sent"]
    assert len(mailoutbox) == 1


class SlowEmailBackend(EmailBackend):
    """Holds each send until the test releases it."""

    sending = threading.Event()
    release = threading.Event()

    def send_messages(self, messages) -> int:
        SlowEmailBackend.sending.set()
        SlowEmailBackend.release.wait(10)
        return super().send_messages(messages)


@pytest.mark.django_db
def test_an_email_that_fails_too_often_is_no_longer_tried(
    mail_server_down, mailoutbox, django_capture_on_commit_callbacks
):
    mail_server_down(1)
    email = queue_email()
    OutgoingEmail.objects.filter(pk=email.pk).update(attempts=MAX_ATTEMPTS - 1)

    assert email_deliver(email_id=email.pk) == "failed"

    email.refresh_from_db()
    assert (email.attempts, email.next_attempt_at, email.sent_at) == (
        MAX_ATTEMPTS,
        None,
        None,
    )
    assert list(OutgoingEmail.objects.abandoned()) == [email]
    with clock_at(timezone.now() + dt.timedelta(days=1)):
        assert sweep() == ""
    assert email_deliver(email_id=email.pk) == "not due"
    assert mailoutbox == []


@pytest.mark.django_db
def test_sweep_refuses_a_period_below_one_second():
    with pytest.raises(CommandError, match="at least 1 second"):
        call_command("send_queued_email", every=0)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RecordingHandler:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 that the portal's SMTP backend talks to."""
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": "127.0.0.1",
                "port": controller.port,
                "use_tls": False,
                "timeout": 5,
            },
        }
    }
    yield handler
    controller.stop()


@pytest.mark.django_db
def test_a_queued_email_reaches_a_real_smtp_server(
    smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email = email_queue(
            to=["ana@sme.example.eu"],
            template="notifications_test/reminder",
            context={"visit_on": dt.date(2026, 12, 5), "lab": "Pilot Line"},
            language="de",
        )

    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["ana@sme.example.eu"]
    received = email_parser.message_from_bytes(envelope.content)
    assert received["Subject"] == "[RII portal] Your visit on 5 Dezember 2026 & more"
    assert received["To"] == "ana@sme.example.eu"
    assert received["Message-ID"] == email.message_id
    email.refresh_from_db()
    assert email.sent_at is not None
