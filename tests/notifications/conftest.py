"""The outbox's tests: a mail server that fails on demand and a worker run in-process."""

import itertools
from pathlib import Path

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django_tasks_db.management.commands.db_worker import Worker

TEMPLATES = Path(__file__).parent / "templates"


class FlakyEmailBackend(EmailBackend):
    """Delivers to ``mail.outbox``, after refusing the first ``failures`` sends."""

    failures = 0

    def send_messages(self, messages) -> int:
        if FlakyEmailBackend.failures > 0:
            FlakyEmailBackend.failures -= 1
            raise ConnectionRefusedError("Connection refused by the mail server")
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def _test_templates(settings):
    """Templates under tests/notifications/templates/ (notifications_test/...)."""
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [
        {**engine, "DIRS": [*engine["DIRS"], TEMPLATES]},
        *settings.TEMPLATES[1:],
    ]


@pytest.fixture
def mail_server_down(settings, mailoutbox):
    """Set how many sends the mail server refuses before it accepts again."""
    settings.MAILERS = {
        "default": {"BACKEND": "tests.notifications.conftest.FlakyEmailBackend"}
    }

    def refuse(times: int) -> None:
        FlakyEmailBackend.failures = times

    yield refuse
    FlakyEmailBackend.failures = 0


@pytest.fixture
def database_tasks(settings):
    """Tasks are stored by django-tasks-db, as in production, until a worker runs."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


_worker_ids = itertools.count()


def run_worker(worker_id: str | None = None) -> None:
    """What `manage.py db_worker --batch` does: run every ready task, then stop."""
    Worker(
        queue_names=["default"],
        excluded_queue_names=[],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id or f"test-worker-{next(_worker_ids)}",
    ).run()
