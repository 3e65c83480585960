"""Test-wide settings that the whole suite shares."""

import pytest


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Background tasks (email delivery) run in the process that enqueues them.

    An email queued in a test is delivered to ``mailoutbox`` once its transaction
    commits: at once in a live-server test, within
    ``django_capture_on_commit_callbacks(execute=True)`` in a test that runs in a
    transaction. tests/notifications switches back to the database backend to
    test the worker itself.
    """
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
    }
