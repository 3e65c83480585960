"""The production cookies (``__Host-``, Secure) let a visitor sign in over plain
http on 127.0.0.1 and localhost, as under `make serve`, in Chromium."""

import pytest
from django.urls import reverse

from tests.factories import make_account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
    browser, live_server, production_cookies: None, host: str
) -> None:
    make_account(email="ana@sme.example.eu", password="a-long-pass-phrase")
    base = live_server.url.replace("localhost", host).replace("127.0.0.1", host)
    context = browser.new_context()
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
