"""/healthz and /readyz: what a load balancer and an operator's monitoring see."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.health import HEALTHZ, READYZ
from core.heartbeat import WORKER, worker_seen
from core.models import Heartbeat
from notifications.models import OutgoingEmail
from tests.notifications.conftest import run_worker


def readyz(client: Client) -> tuple[int, dict[str, str]]:
    response = client.get(READYZ)
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()["checks"]


def failed(checks: dict[str, str]) -> list[str]:
    return [name for name, outcome in checks.items() if outcome != "ok"]


def test_healthz_answers_a_probe_by_address_over_http_without_a_session(
    client: Client, settings
) -> None:
    # Without the database: a query would fail the test.
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["rii-portal.example.eu"]
    response = client.get(HEALTHZ, HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ready_with_a_live_worker_in_few_queries(
    client: Client, settings, django_assert_max_num_queries
) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["rii-portal.example.eu"]
    worker_seen()
    with django_assert_max_num_queries(4):
        response = client.get(READYZ, HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "migrations": "ok",
            "task_worker": "ok",
            "outbox": "ok",
        },
    }


@pytest.mark.django_db
def test_readyz_fails_when_the_database_does_not_answer(client: Client) -> None:
    worker_seen()
    refused = OperationalError("connection to server at 10.0.0.9 failed: secret")
    with mock.patch.object(connection, "cursor", side_effect=refused):
        status, checks = readyz(client)
    assert status == 503
    assert checks == {
        "database": "database error (OperationalError)",
        "migrations": "skipped",
        "task_worker": "skipped",
        "outbox": "skipped",
    }


@pytest.mark.django_db
def test_readyz_fails_while_a_migration_is_not_applied(client: Client) -> None:
    worker_seen()
    MigrationRecorder.Migration.objects.filter(
        app="core", name="0001_heartbeat"
    ).delete()
    status, checks = readyz(client)
    assert status == 503
    assert failed(checks) == ["migrations"]
    assert checks["migrations"] == "1 not applied (core.0001_heartbeat)"


@pytest.mark.django_db
def test_readyz_fails_when_the_task_worker_was_never_or_long_ago_seen(
    client: Client,
) -> None:
    status, checks = readyz(client)
    assert (status, failed(checks), checks["task_worker"]) == (
        503,
        ["task_worker"],
        "never seen",
    )
    worker_seen()
    Heartbeat.objects.filter(name=WORKER).update(
        seen_at=timezone.now() - timedelta(minutes=11)
    )
    status, checks = readyz(client)
    assert status == 503
    assert checks["task_worker"].startswith("last seen 66")


@pytest.mark.django_db
def test_a_periodic_job_pings_the_worker_and_readyz_sees_it(client: Client) -> None:
    # Tasks run at once in the tests: the ping is answered as it is enqueued.
    call_command("send_queued_email")
    status, checks = readyz(client)
    assert (status, checks["task_worker"]) == (200, "ok")


@pytest.mark.django_db
def test_readyz_fails_when_an_email_waits_too_long(client: Client, settings) -> None:
    worker_seen()
    email = OutgoingEmail.objects.create(
        to=["ana@sme.example.eu"],
        from_email="noreply@rii-portal.example.eu",
        subject="Your request",
        body="...",
        message_id="<1@rii-portal.example.eu>",
        language="en",
        next_attempt_at=timezone.now(),
    )
    assert readyz(client)[0] == 200  # just queued
    OutgoingEmail.objects.filter(pk=email.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=20)
    )
    status, checks = readyz(client)
    assert status == 503
    assert failed(checks) == ["outbox"]
    assert checks["outbox"] == "an email has waited 20 min"
    settings.PORTAL_READY_OUTBOX_MINUTES = 30
    assert readyz(client)[0] == 200


@pytest.mark.django_db(transaction=True)
def test_periodic_jobs_enqueue_one_ping_at_a_time_for_a_stopped_worker(
    client: Client, settings
) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    for _run in range(3):
        call_command("send_queued_email")
    pings = DBTaskResult.objects.filter(task_path="core.tasks.worker_heartbeat")
    assert pings.count() == 1
    assert readyz(client)[1]["task_worker"] == "never seen"

    run_worker("worker-1")
    assert readyz(client)[1]["task_worker"] == "ok"
    call_command("send_queued_email")
    assert pings.count() == 2
