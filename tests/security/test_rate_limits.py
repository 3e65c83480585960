"""Failed sign-ins slow an attacker down without locking the owner out, and the
client address behind the limits cannot be chosen by the client."""

import os
import subprocess
import sys
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import make_account, make_partner_admin

pytestmark = pytest.mark.django_db

PASSWORD = "Kalibrier-Labor-2026"
LOCKED = "Too many failed login attempts"
ATTACKER = "198.51.100.7"
OWNER = "203.0.113.5"


def sign_in(
    client: Client,
    email: str,
    password: str = PASSWORD,
    *,
    REMOTE_ADDR: str,  # noqa: N803 - the WSGI name, as the test client takes it
    HTTP_X_FORWARDED_FOR: str | None = None,  # noqa: N803
) -> Any:
    headers = {"X-Forwarded-For": HTTP_X_FORWARDED_FOR} if HTTP_X_FORWARDED_FOR else {}
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        headers=headers,
        REMOTE_ADDR=REMOTE_ADDR,
    )


def make_partner_admin_account(email: str = "admin@region.example.eu"):
    user = make_partner_admin(region="ITH5")
    user.email = email
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def test_failures_from_an_attacker_do_not_lock_a_partner_admin_out(
    client: Client,
) -> None:
    make_partner_admin_account()
    for _ in range(6):
        sign_in(client, "admin@region.example.eu", "guess", REMOTE_ADDR=ATTACKER)

    owner = Client()
    response = sign_in(owner, "admin@region.example.eu", REMOTE_ADDR=OWNER)

    assertNotContains(response, LOCKED, status_code=302)
    assert "_auth_user_id" in owner.session


def test_the_attacker_is_refused_even_the_right_password_after_five_failures(
    client: Client,
) -> None:
    make_account(email="ana@sme.example.eu", password=PASSWORD)
    for _ in range(5):
        sign_in(client, "ana@sme.example.eu", "guess", REMOTE_ADDR=ATTACKER)

    response = sign_in(client, "ana@sme.example.eu", REMOTE_ADDR=ATTACKER)

    assertContains(response, LOCKED)
    assert "_auth_user_id" not in client.session


def test_many_failures_from_one_address_refuse_it_for_every_account(
    client: Client,
) -> None:
    make_account(email="ana@sme.example.eu", password=PASSWORD)
    for number in range(10):
        sign_in(client, f"guess{number}@sme.example.eu", "guess", REMOTE_ADDR=ATTACKER)

    response = sign_in(client, "ana@sme.example.eu", REMOTE_ADDR=ATTACKER)

    assertContains(response, LOCKED)


def test_rotating_x_forwarded_for_does_not_bypass_the_limit_when_reached_directly(
    client: Client, settings
) -> None:
    # Deployed behind a proxy, but the portal's port is reachable directly too.
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.PORTAL_TRUSTED_PROXIES = ["10.0.0.1"]
    make_account(email="ana@sme.example.eu", password=PASSWORD)
    for number in range(10):
        sign_in(
            client,
            f"guess{number}@sme.example.eu",
            "guess",
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        )

    response = sign_in(
        client,
        "ana@sme.example.eu",
        REMOTE_ADDR=ATTACKER,
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )

    assertContains(response, LOCKED)


def test_behind_a_trusted_proxy_clients_are_counted_by_forwarded_address(
    client: Client, settings
) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.PORTAL_TRUSTED_PROXIES = ["10.0.0.1"]
    make_account(email="ana@sme.example.eu", password=PASSWORD)
    for number in range(10):
        sign_in(
            client,
            f"guess{number}@sme.example.eu",
            "guess",
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, {ATTACKER}",
        )
    refused = sign_in(
        client,
        "ana@sme.example.eu",
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=ATTACKER,
    )

    owner = Client()
    response = sign_in(
        owner,
        "ana@sme.example.eu",
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=OWNER,
    )

    assertContains(refused, LOCKED)
    assert response.status_code == 302
    assert "_auth_user_id" in owner.session


def trusted_proxy_count(**variables: str) -> str:
    """ALLAUTH_TRUSTED_PROXY_COUNT as a fresh process loads it from ``variables``."""
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_ENV_FILE": os.devnull,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "rii.example.eu",
        "DATABASE_URL": "postgresql://u@127.0.0.1:1/rii",
        **variables,
    }
    started = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; "
            "print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)",
        ],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 0, started.stderr
    return started.stdout.strip()


@pytest.mark.parametrize(
    ("variables", "count"),
    [
        ({}, "0"),
        ({"DJANGO_BEHIND_PROXY": "true"}, "1"),
        ({"DJANGO_BEHIND_PROXY": "true", "PORTAL_TRUSTED_PROXY_COUNT": "2"}, "2"),
    ],
)
def test_the_number_of_trusted_proxies_comes_from_the_environment(
    variables: dict[str, str], count: str
) -> None:
    assert trusted_proxy_count(**variables) == count
