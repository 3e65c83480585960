"""Several task workers at once: each task runs once, each email is sent once."""

import threading
import time
from collections import Counter

import pytest
from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django_tasks_db.models import DBTaskResult

from notifications.models import OutgoingEmail
from notifications.services import email_queue_message
from notifications.tasks import deliver_email
from tests.notifications.conftest import run_worker

from . import tasks

pytestmark = pytest.mark.django_db(transaction=True)


class SlowEmailBackend(EmailBackend):
    """A mail server that takes a few milliseconds per message."""

    def send_messages(self, messages) -> int:
        time.sleep(0.005)
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def _database_tasks(settings) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.MAILERS = {
        "default": {"BACKEND": "tests.ops.test_workers.SlowEmailBackend"}
    }


def run_workers(count: int) -> None:
    """``count`` workers (`manage.py db_worker --batch`) at once, each with its
    own database connection, until no task is left."""
    start = threading.Barrier(count)

    def work(number: int) -> None:
        start.wait()
        try:
            run_worker(f"worker-{number}")
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
        assert not thread.is_alive()


def test_two_workers_send_each_queued_email_exactly_once(mailoutbox) -> None:
    addresses = [f"sme{n}@example.eu" for n in range(30)]
    for address in addresses:
        email = email_queue_message(
            message=EmailMessage("Your request", "Hello", to=[address]), language="en"
        )
        # A second task for the same email right behind the first, as when the
        # sweep or an operator's retry meets a task still queued: the two
        # workers take them at the same time.
        deliver_email.enqueue(email.pk)

    run_workers(2)

    sent = Counter(address for message in mailoutbox for address in message.to)
    assert sent == Counter(addresses)
    assert OutgoingEmail.objects.unsent().count() == 0
    results = list(DBTaskResult.objects.all())
    assert len(results) == 60
    assert all(len(result.worker_ids) == 1 for result in results)
    assert {result.worker_ids[0] for result in results} == {"worker-0", "worker-1"}


def test_two_workers_run_each_task_once() -> None:
    tasks.RUNS.clear()
    for number in range(40):
        tasks.record_run.enqueue(number)

    run_workers(2)

    assert sorted(tasks.RUNS) == list(range(40))
    assert DBTaskResult.objects.successful().count() == 40
