"""The production cookies (``__Host-``, Secure) let a visitor sign in over plain
http on 127.0.0.1 and localhost, as under `make serve`, in Chromium."""

import os
import shutil

import pytest
from django.urls import reverse

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories import make_account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chromium():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def production_cookies(settings) -> None:
    settings.DEBUG = False
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_SSL_REDIRECT = False
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_signing_in_over_http_on_this_machine_keeps_the_secure_cookies(
    chromium, live_server, production_cookies: None, host: str
) -> None:
    make_account(email="ana@sme.example.eu", password="a-long-pass-phrase")
    base = live_server.url.replace("localhost", host).replace("127.0.0.1", host)
    context = chromium.new_context()
    page = context.new_page()
    page.goto(base + reverse("account_login"))
    page.fill("input[name=login]", "ana@sme.example.eu")
    page.fill("input[name=password]", "a-long-pass-phrase")
    page.click("form [type=submit]")
    page.wait_for_load_state()
    cookies = {cookie["name"]: cookie for cookie in context.cookies()}
    assert cookies["__Host-sessionid"]["secure"]
    assert cookies["__Host-sessionid"]["httpOnly"]
    page.goto(base + reverse("account_email"))
    assert page.url == base + reverse("account_email")  # not sent to sign in
    assert "ana@sme.example.eu" in page.content()
    context.close()
