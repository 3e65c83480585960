import re

from django.urls import reverse

from tests.factories import totp_code

PASSWORD = "Kalibrier-Labor-2026"


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.get_by_role("link", name="Sign in", exact=True).click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in", exact=True).wait_for()


def test_sign_up_confirm_sign_in_and_protect_the_account_with_two_factors(
    page, assert_accessible, mailoutbox
):
    page.goto(page.live_server_url + reverse("account_login"))
    assert_accessible(page)
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_role("heading", name="Password Reset").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Create account").click()
    page.get_by_role("heading", name="Sign Up").wait_for()
    assert_accessible(page)
    page.get_by_label("Email").fill("ana@sme.example.eu")
    page.get_by_label("Password", exact=False).first.fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_role("heading", name="Verify Your Email Address").wait_for()
    assert_accessible(page)

    found = re.search(r"https?://\S+", mailoutbox[-1].body)
    assert found is not None
    link = found.group(0)
    page.goto(link)
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(page.live_server_url + reverse("home"))
    assert page.get_by_text("ana@sme.example.eu").first.is_visible()

    page.get_by_role("link", name="Account").click()
    page.get_by_role("heading", name="Email Address", exact=True).wait_for()
    assert_accessible(page)
    page.get_by_label("Change to").fill("ana@newmail.example.eu")
    page.get_by_role("button", name="Change Email").click()
    page.get_by_text("Your email address is still pending verification.").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Cancel Change").click()
    page.get_by_text("Changing to").wait_for(state="detached")
    page.get_by_role("link", name="Password").click()
    page.get_by_role("heading", name="Change Password").wait_for()
    assert_accessible(page)

    sign_out(page)
    sign_in(page, "ana@sme.example.eu")
    page.wait_for_url(page.live_server_url + reverse("home"))

    page.get_by_role("link", name="Account").click()
    page.get_by_role("link", name="Two-factor authentication").click()
    page.get_by_role("heading", name="Two-Factor Authentication").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Activate").click()
    page.get_by_role("heading", name="Confirm Access").wait_for()
    assert_accessible(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Activate Authenticator App").wait_for()
    assert_accessible(page)
    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    page.get_by_role("heading", name="Recovery Codes").wait_for()
    assert_accessible(page)
    assert len(page.get_by_label("Unused codes").input_value().split()) == 10

    sign_out(page)
    sign_in(page, "ana@sme.example.eu")
    page.get_by_role("heading", name="Two-Factor Authentication").wait_for()
    assert_accessible(page)
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(page.live_server_url + reverse("home"))
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert page.js_errors == []


def test_sign_in_page_fits_a_phone_screen(phone_page):
    phone_page.goto(phone_page.live_server_url + reverse("account_login"))
    assert phone_page.get_by_label("Email").is_visible()
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
    assert not overflow
