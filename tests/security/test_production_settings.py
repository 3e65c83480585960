"""Production settings cannot be half-set, and email links never follow the Host."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import LazySettings, settings
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse

from core.checks import check_static_files_collected
from tests.factories import make_account

MANIFEST_STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"


def start(**variables: str) -> subprocess.CompletedProcess[str]:
    """Load the settings in a fresh process with only ``variables`` set."""
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_ENV_FILE": os.devnull,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        **variables,
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


PRODUCTION = {"DJANGO_SECRET_KEY": "x" * 60, "DJANGO_ALLOWED_HOSTS": "rii.example.eu"}


def test_debug_off_without_database_url_refuses_to_start() -> None:
    started = start(**PRODUCTION)
    assert started.returncode != 0
    assert "Set DATABASE_URL" in started.stderr


def test_debug_off_with_a_database_url_starts() -> None:
    started = start(**PRODUCTION, DATABASE_URL="postgresql://u@127.0.0.1:1/rii")
    assert started.returncode == 0, started.stderr


def test_missing_collected_static_files_are_an_error(
    settings: LazySettings, tmp_path: Path
) -> None:
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": MANIFEST_STORAGE},
    }
    assert [error.id for error in check_static_files_collected()] == ["core.E001"]
    (tmp_path / "staticfiles.json").write_text("{}")
    assert check_static_files_collected() == []


def _links(message: EmailMessage) -> list[str]:
    return [word for word in str(message.body).split() if "://" in word]


@pytest.mark.django_db
def test_password_reset_link_uses_the_site_url_not_the_host(
    client: Client,
    settings: LazySettings,
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: object,
) -> None:
    settings.ALLOWED_HOSTS = ["evil.example", "testserver"]
    settings.PORTAL_SITE_URL = "https://rii.example.eu"
    make_account(email="ana@sme.example.eu")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        client.post(
            reverse("account_reset_password"),
            {"email": "ana@sme.example.eu"},
            HTTP_HOST="evil.example",
        )
    links = _links(mailoutbox[0])
    assert links
    assert all(link.startswith("https://rii.example.eu/") for link in links), links
    assert "evil.example" not in mailoutbox[0].body


@pytest.mark.django_db
def test_reset_request_for_an_unknown_address_links_to_the_site_url(
    client: Client,
    settings: LazySettings,
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: object,
) -> None:
    settings.ALLOWED_HOSTS = ["evil.example", "testserver"]
    settings.PORTAL_SITE_URL = "https://rii.example.eu"
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        client.post(
            reverse("account_reset_password"),
            {"email": "nobody@sme.example.eu"},
            HTTP_HOST="evil.example",
        )
    assert mailoutbox, "allauth tells unknown addresses that they have no account"
    assert "evil.example" not in mailoutbox[0].body
