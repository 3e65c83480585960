"""Accounts as people meet them: sign-up, sign-in, passwords, two factors for the admin."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.http import urlencode
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.models import User
from tests.factories import make_account, make_partner_admin, make_totp, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "Kalibrier-Labor-2026"


def link_in(email: EmailMessage) -> str:
    link = re.search(r"https?://\S+", str(email.body))
    assert link is not None, "no link in the email"
    return link.group(0)


def sign_in(client, email: str, password: str = PASSWORD, *, follow: bool = False):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        follow=follow,
    )


def test_header_offers_sign_in_and_sign_up_to_visitors(client):
    response = client.get(reverse("home"))
    assertContains(response, f'href="{reverse("account_login")}"')
    assertContains(response, f'href="{reverse("account_signup")}"')
    assertContains(response, "Create account")
    assertNotContains(response, "Sign out")


def test_header_shows_the_signed_in_users_email_account_and_sign_out(client):
    user = make_account(email="ana@sme.example.eu")
    client.force_login(user)
    response = client.get(reverse("home"))
    assertContains(response, "ana@sme.example.eu")
    assertContains(response, f'href="{reverse("account_email")}"')
    assertContains(
        response, f'<form action="{reverse("account_logout")}" method="post">'
    )
    assertNotContains(response, "Create account")


def test_sign_up_sends_a_link_that_confirms_the_address_and_signs_in(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "ana@sme.example.eu",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assertRedirects(response, reverse("account_email_verification_sent"))
    assert [m.to for m in mailoutbox] == [["ana@sme.example.eu"]]
    assert "Please Confirm Your Email Address" in mailoutbox[0].subject

    link = link_in(mailoutbox[0])
    assertContains(client.get(link), "Confirm")
    response = client.post(link, follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.context["user"].email == "ana@sme.example.eu"
    assertContains(response, "Sign out")
    assert EmailAddress.objects.get(email="ana@sme.example.eu").verified


def test_unconfirmed_address_cannot_sign_in_and_gets_a_new_link(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    user = User.objects.create_user(email="ana@sme.example.eu", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, primary=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = sign_in(client, "ana@sme.example.eu")

    assertRedirects(response, reverse("account_email_verification_sent"))
    assert "_auth_user_id" not in client.session
    assert [m.to for m in mailoutbox] == [["ana@sme.example.eu"]]


def test_sign_in_with_email_and_password(client):
    make_account(email="ana@sme.example.eu", password=PASSWORD)
    response = sign_in(client, "ANA@sme.example.eu", follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.context["user"].email == "ana@sme.example.eu"


def test_wrong_password_is_refused_with_a_message(client):
    make_account(email="ana@sme.example.eu", password=PASSWORD)
    response = sign_in(client, "ana@sme.example.eu", "not-the-password")
    assertContains(response, "The email address and/or password you specified")
    assert "_auth_user_id" not in client.session


def test_repeated_wrong_passwords_lock_the_address_out(client):
    make_account(email="ana@sme.example.eu", password=PASSWORD)
    for _ in range(5):
        response = sign_in(client, "ana@sme.example.eu", "not-the-password")
        assertNotContains(response, "Too many failed login attempts")

    response = sign_in(client, "ana@sme.example.eu")

    assertContains(response, "Too many failed login attempts. Try again later.")
    assert "_auth_user_id" not in client.session


def test_too_many_sign_in_requests_get_a_page_that_explains(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login": "1/m/ip"}
    sign_in(client, "ana@sme.example.eu")
    response = sign_in(client, "ana@sme.example.eu")
    assertContains(response, "Too many attempts", status_code=429)


def test_password_reset_link_lets_you_set_a_new_password(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    make_account(email="ana@sme.example.eu", password="Old-Passw0rd-2025")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_reset_password"), {"email": "ana@sme.example.eu"}
        )
    assertRedirects(response, reverse("account_reset_password_done"))
    assert [m.to for m in mailoutbox] == [["ana@sme.example.eu"]]

    form_page = client.get(link_in(mailoutbox[0]), follow=True)
    assertContains(form_page, "New Password")
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"password1": PASSWORD, "password2": PASSWORD},
    )
    assertRedirects(response, reverse("account_reset_password_from_key_done"))

    assert sign_in(client, "ana@sme.example.eu", "Old-Passw0rd-2025").status_code == 200
    assertRedirects(sign_in(client, "ana@sme.example.eu"), reverse("home"))


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password123", "This password is too common."),
        ("84920571", "This password is entirely numeric."),
        ("Ab-12", "This password is too short."),
    ],
)
def test_weak_passwords_are_refused_at_sign_up(client, password, message):
    response = client.post(
        reverse("account_signup"),
        {"email": "ana@sme.example.eu", "password1": password, "password2": password},
    )
    assertContains(response, message)
    assertContains(response, "form-control is-invalid")
    assert not User.objects.exists()


def test_form_errors_are_tied_to_their_field(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "not-an-address", "password1": PASSWORD, "password2": PASSWORD},
    )
    html = response.text
    input_tag = re.search(r"<input[^>]*name=\"email\"[^>]*>", html)
    assert input_tag is not None
    field = input_tag.group(0)
    assert 'aria-invalid="true"' in field
    described = re.search(r'aria-describedby="([^"]+)"', field)
    assert described is not None
    described_by = described.group(1)
    error_id = next(i for i in described_by.split() if i.endswith("_error"))
    assert re.search(rf'<div id="{error_id}" class="invalid-feedback">', html)


def test_changing_the_email_address_takes_effect_once_the_new_one_is_confirmed(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    user = make_account(email="ana@sme.example.eu", password=PASSWORD)
    sign_in(client, "ana@sme.example.eu")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_email"),
            {"action_add": "", "email": "ana@newmail.example.eu"},
            follow=True,
        )
    assertContains(response, "Changing to")
    assert mailoutbox[-1].to == ["ana@newmail.example.eu"]
    user.refresh_from_db()
    assert user.email == "ana@sme.example.eu"

    client.post(link_in(mailoutbox[-1]))

    user.refresh_from_db()
    assert user.email == "ana@newmail.example.eu"
    assert list(user.emailaddress_set.values_list("email", flat=True)) == [
        "ana@newmail.example.eu"
    ]


def test_sign_out_needs_a_post(client):
    client.force_login(make_account())
    response = client.get(reverse("account_logout"))
    assertContains(response, "Are you sure you want to sign out?")
    assert "_auth_user_id" in client.session

    response = client.post(reverse("account_logout"))
    assertRedirects(response, reverse("home"))
    assert "_auth_user_id" not in client.session


def test_account_pages_need_a_signed_in_user(client):
    for name in ("account_email", "account_change_password", "mfa_index"):
        response = client.get(reverse(name))
        assertRedirects(response, f"{reverse('account_login')}?next={reverse(name)}")


def test_anonymous_visitors_of_the_admin_are_sent_to_the_portal_sign_in(client):
    response = client.get(reverse("admin:index"), follow=True)
    next_admin = urlencode({"next": reverse("admin:index")})
    assert response.redirect_chain[-1][0] == f"{reverse('account_login')}?{next_admin}"
    assertContains(response, "Sign In")


def test_signed_in_users_who_are_not_staff_cannot_open_the_admin(client):
    client.force_login(make_account())
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403


def test_staff_without_an_authenticator_app_are_sent_to_set_one_up(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.PORTAL_REQUIRE_ADMIN_MFA = True
    make_account(email="partner@region.example.eu", password=PASSWORD, is_staff=True)
    sign_in(client, "partner@region.example.eu")

    response = client.get(reverse("admin:index"), follow=True)

    assert response.redirect_chain[0] == (reverse("mfa_activate_totp"), 302)
    assertContains(response, "Set up two-factor authentication")
    # First a code emailed to the account's address, then the password once more.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:mfa_enrolment_code_send"))
    code = re.search(r"\b\d{6}\b", str(mailoutbox[-1].body))
    assert code is not None
    response = client.post(
        reverse("accounts:mfa_enrolment_confirm"), {"code": code.group(0)}, follow=True
    )
    # Adding a second factor asks for the password once more.
    assertContains(response, "Enter your password")
    response = client.post(
        response.redirect_chain[-1][0], {"password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    secret = re.search(r'id="authenticator_secret"\s+value="(\w+)"', response.text)
    assert secret is not None
    response = client.post(
        reverse("mfa_activate_totp"), {"code": totp_code(secret.group(1))}
    )
    assertRedirects(response, reverse("mfa_view_recovery_codes"))

    response = client.get(reverse("admin:index"))
    assertContains(response, "RII portal administration")


def test_staff_with_an_authenticator_app_reach_the_admin(client, settings):
    settings.PORTAL_REQUIRE_ADMIN_MFA = True
    admin = make_partner_admin()
    make_totp(user=admin)
    client.force_login(admin)
    assertContains(client.get(reverse("admin:index")), "RII portal administration")


def test_staff_reach_the_admin_directly_when_two_factors_are_not_required(
    client, settings
):
    settings.PORTAL_REQUIRE_ADMIN_MFA = False
    client.force_login(make_partner_admin())
    assertContains(client.get(reverse("admin:index")), "RII portal administration")


def test_admin_sign_in_asks_for_the_authenticator_code(client, settings):
    settings.PORTAL_REQUIRE_ADMIN_MFA = True
    admin = make_account(email="root@rii.example.eu", password=PASSWORD, is_staff=True)
    secret = make_totp(user=admin)

    response = client.post(
        f"{reverse('account_login')}?next={reverse('admin:index')}",
        {"login": "root@rii.example.eu", "password": PASSWORD},
    )
    assertRedirects(response, reverse("mfa_authenticate"))
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assertContains(response, "Incorrect code.")

    response = client.post(
        reverse("mfa_authenticate"), {"code": totp_code(secret)}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assertContains(response, "RII portal administration")


@pytest.mark.django_db
def test_no_demo_users_exist_without_the_demo_command():
    assert not User.objects.exists()
