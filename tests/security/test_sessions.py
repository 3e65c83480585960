"""Signed-in sessions end after inactivity and at an absolute limit; cookies and
headers as production needs them."""

import os
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from tests.factories import make_account

pytestmark = pytest.mark.django_db

PASSWORD = "Kalibrier-Labor-2026"
PROFILE = reverse("accounts:profile")
HOUR = 3600
DAY = 24 * HOUR


class Clock:
    """The middleware's clock, moved forward by the tests."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(
        "core.middleware.time",
        SimpleNamespace(time=clock.time, perf_counter=time.perf_counter),
        raising=False,
    )
    return clock


def sign_in(client: Client, *, remember: bool = False, **fields: bool) -> None:
    make_account(email="ana@sme.example.eu", password=PASSWORD, **fields)
    data = {"login": "ana@sme.example.eu", "password": PASSWORD}
    if remember:
        data["remember"] = "on"
    response = client.post(reverse("account_login"), data)
    assert response.status_code == 302
    assert client.get(PROFILE).status_code == 200


def is_signed_in(client: Client) -> bool:
    return client.get(PROFILE).status_code == 200


def test_session_ends_after_two_hours_without_activity(
    client: Client, clock: Clock
) -> None:
    sign_in(client)
    clock.advance(2 * HOUR + 60)

    response = client.get(PROFILE)

    assertRedirects(response, f"{reverse('account_login')}?next={PROFILE}")
    assert "_auth_user_id" not in client.session


def test_activity_keeps_the_session_open(client: Client, clock: Clock) -> None:
    sign_in(client)
    for _ in range(3):
        clock.advance(HOUR + 50 * 60)
        assert is_signed_in(client)


def test_without_remember_me_the_cookie_ends_with_the_browser(client: Client) -> None:
    sign_in(client)
    assert not client.cookies[django_settings.SESSION_COOKIE_NAME]["expires"]


def test_remembered_session_survives_days_of_inactivity(
    client: Client, clock: Clock
) -> None:
    sign_in(client, remember=True)
    clock.advance(3 * DAY)

    assert is_signed_in(client)
    assert client.cookies[django_settings.SESSION_COOKIE_NAME]["expires"]


def test_remembered_session_ends_at_the_absolute_limit_however_active(
    client: Client, clock: Clock
) -> None:
    sign_in(client, remember=True)
    for _ in range(2):
        clock.advance(6 * DAY)
        assert is_signed_in(client)

    clock.advance(3 * DAY)

    assert not is_signed_in(client)


def test_staff_idle_for_half_an_hour_in_the_admin_are_signed_out(
    client: Client, clock: Clock, settings
) -> None:
    settings.PORTAL_REQUIRE_ADMIN_MFA = False
    sign_in(client, is_staff=True, is_superuser=True)
    assert client.get(reverse("admin:index")).status_code == 200
    clock.advance(31 * 60)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_staff_back_in_the_admin_within_half_an_hour_stay_signed_in(
    client: Client, clock: Clock, settings
) -> None:
    settings.PORTAL_REQUIRE_ADMIN_MFA = False
    sign_in(client, is_staff=True, is_superuser=True)
    client.get(reverse("admin:index"))
    clock.advance(25 * 60)

    assert client.get(reverse("admin:index")).status_code == 200


def test_signed_in_pages_are_not_stored(client: Client) -> None:
    sign_in(client)
    response = client.get(reverse("home"))
    assert "no-store" in response["Cache-Control"]


def test_public_pages_for_visitors_may_be_cached(client: Client) -> None:
    response = client.get(reverse("home"))
    assert "no-store" not in response.get("Cache-Control", "")


def test_every_response_has_permissions_and_resource_policies(client: Client) -> None:
    response = client.get(reverse("home"))
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def cookie_settings(**variables: str) -> list[str]:
    """The session and CSRF cookie settings a fresh process loads."""
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_ENV_FILE": os.devnull,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "rii.example.eu",
        "DATABASE_URL": "postgresql://u@127.0.0.1:1/rii",
        **variables,
    }
    code = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_NAME, "
        "s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_PATH, s.CSRF_COOKIE_PATH, s.SESSION_COOKIE_DOMAIN, "
        "s.CSRF_COOKIE_DOMAIN)"
    )
    started = subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 0, started.stderr
    return started.stdout.split()


def test_production_cookies_are_host_prefixed() -> None:
    assert cookie_settings() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
        "/",
        "/",
        "None",
        "None",
    ]


def test_development_over_http_keeps_plain_cookies() -> None:
    names = cookie_settings(DJANGO_DEBUG="true")
    assert names[:4] == ["sessionid", "csrftoken", "False", "False"]
