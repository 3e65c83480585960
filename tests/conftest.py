import os

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Tests render templates without a collectstatic manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    # Rate limits (sign-in attempts) and used one-time codes are counted in the
    # cache; no test inherits another's. A memory cache, so that tests without the
    # database can use it too.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    cache.clear()


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


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Give each test run its own database so that parallel runs do not collide."""
    from django.conf import settings

    suffix = os.environ.get("PYTEST_XDIST_WORKER") or f"p{os.getpid()}"
    test = settings.DATABASES["default"].setdefault("TEST", {})
    test["NAME"] = f"test_{settings.DATABASES['default']['NAME']}_{suffix}"
