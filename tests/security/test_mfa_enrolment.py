"""A privileged account enrols its first authenticator only after confirming a
code emailed to its verified address (a stolen password is not enough)."""

import re
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from accounts import mfa
from accounts.models import InfrastructureMembership, RegionAdministration, User
from catalogue.models import Infrastructure
from tests.factories import (
    make_account,
    make_infrastructure,
    totp_code,
)

pytestmark = pytest.mark.django_db


def make_signed_in_partner_admin(client) -> User:
    admin = make_account(email="partner@region.example.eu", is_staff=True)
    RegionAdministration.objects.create(user=admin, region_id="ITH5")
    client.force_login(admin)
    return admin


def request_code(client, mailoutbox, capture) -> str:
    with capture(execute=True):
        response = client.post(reverse("accounts:mfa_enrolment_code_send"))
    assertRedirects(response, reverse("accounts:mfa_enrolment_confirm"))
    code = re.search(r"\b(\d{6})\b", str(mailoutbox[-1].body))
    assert code is not None, "no code in the email"
    return code.group(1)


def activate_totp(client) -> None:
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    if "password" in response.text and "authenticator_secret" not in response.text:
        response = client.post(
            response.redirect_chain[-1][0], {"password": "pw"}, follow=True
        )
    secret = re.search(r'id="authenticator_secret"\s+value="(\w+)"', response.text)
    assert secret is not None, "the activation page did not open"
    response = client.post(
        reverse("mfa_activate_totp"), {"code": totp_code(secret.group(1))}
    )
    assertRedirects(response, reverse("mfa_view_recovery_codes"))


def test_partner_admin_with_only_the_password_cannot_open_the_activation_page(client):
    admin = make_signed_in_partner_admin(client)

    response = client.get(reverse("mfa_activate_totp"))
    assertRedirects(response, reverse("accounts:mfa_enrolment_confirm"))
    # Nor post an authenticator directly.
    response = client.post(
        reverse("mfa_activate_totp"), {"code": "123456", "password": "pw"}
    )
    assertRedirects(response, reverse("accounts:mfa_enrolment_confirm"))
    assert not Authenticator.objects.filter(user=admin).exists()


def test_the_admin_sends_a_partner_admin_to_the_email_proof(client, settings):
    settings.PORTAL_REQUIRE_ADMIN_MFA = True
    make_signed_in_partner_admin(client)

    response = client.get(reverse("admin:index"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("accounts:mfa_enrolment_confirm")
    assertContains(response, "Confirm it is you")
    assertContains(response, 'for="id_code"')


def test_the_code_is_emailed_before_anything_is_enrolled(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    admin = make_signed_in_partner_admin(client)

    request_code(client, mailoutbox, django_capture_on_commit_callbacks)

    email = mailoutbox[-1]
    assert email.to == ["partner@region.example.eu"]
    assert "two-factor authentication" in email.subject
    assert "If it was not you" in str(email.body)
    assert reverse("account_change_password") in str(email.body)
    assert not Authenticator.objects.filter(user=admin).exists()


def test_after_the_code_the_activation_page_opens_and_enrolment_works(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    admin = make_signed_in_partner_admin(client)
    code = request_code(client, mailoutbox, django_capture_on_commit_callbacks)

    response = client.post(reverse("accounts:mfa_enrolment_confirm"), {"code": code})

    assertRedirects(
        response, reverse("mfa_activate_totp"), fetch_redirect_response=False
    )
    activate_totp(client)
    assert Authenticator.objects.filter(
        user=admin, type=Authenticator.Type.TOTP
    ).exists()


def test_a_wrong_code_is_refused_with_a_message(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    make_signed_in_partner_admin(client)
    code = request_code(client, mailoutbox, django_capture_on_commit_callbacks)
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    response = client.post(reverse("accounts:mfa_enrolment_confirm"), {"code": wrong})

    assertContains(response, "This code is incorrect.", status_code=400)
    assertRedirects(
        client.get(reverse("mfa_activate_totp")),
        reverse("accounts:mfa_enrolment_confirm"),
    )


def test_an_expired_code_is_refused_with_a_message(
    client, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    make_signed_in_partner_admin(client)
    monkeypatch.setattr(mfa, "CODE_VALIDITY", timedelta(seconds=-1))
    code = request_code(client, mailoutbox, django_capture_on_commit_callbacks)

    response = client.post(reverse("accounts:mfa_enrolment_confirm"), {"code": code})

    assertContains(response, "This code has expired.", status_code=400)


def test_a_code_works_once(client, mailoutbox, django_capture_on_commit_callbacks):
    admin = make_signed_in_partner_admin(client)
    code = request_code(client, mailoutbox, django_capture_on_commit_callbacks)
    client.post(reverse("accounts:mfa_enrolment_confirm"), {"code": code})

    # Another session (the attacker's, say) cannot use it again.
    client.logout()
    client.force_login(admin)
    response = client.post(reverse("accounts:mfa_enrolment_confirm"), {"code": code})

    assertContains(response, "This code is not valid any more.", status_code=400)


def test_too_many_wrong_codes_drop_the_code(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    make_signed_in_partner_admin(client)
    code = request_code(client, mailoutbox, django_capture_on_commit_callbacks)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _attempt in range(mfa.MAX_ATTEMPTS):
        response = client.post(
            reverse("accounts:mfa_enrolment_confirm"), {"code": wrong}
        )
    assertContains(response, "Too many incorrect codes.", status_code=400)

    response = client.post(reverse("accounts:mfa_enrolment_confirm"), {"code": code})

    assert response.status_code == 400


def test_sending_codes_is_rate_limited(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    make_signed_in_partner_admin(client)
    for _attempt in range(mfa.SENDS_PER_WINDOW):
        request_code(client, mailoutbox, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:mfa_enrolment_code_send"))

    assertContains(response, "too many codes", status_code=429)
    assert len(mailoutbox) == mfa.SENDS_PER_WINDOW


def test_accounts_without_privileges_enrol_without_the_email_proof(client):
    client.force_login(make_account())

    response = client.get(reverse("mfa_activate_totp"))

    assert response.get("Location") != reverse("accounts:mfa_enrolment_confirm")


def make_signed_in_rii_staff(client) -> User:
    staff = make_account(email="staff@rii.example.eu")
    infrastructure: Infrastructure = make_infrastructure()
    InfrastructureMembership.objects.create(
        user=staff, infrastructure=infrastructure, role="manager"
    )
    client.force_login(staff)
    return staff


def test_rii_staff_must_enrol_before_the_workspace_when_required(client, settings):
    settings.PORTAL_REQUIRE_STAFF_MFA = True
    make_signed_in_rii_staff(client)

    for name in ("workspace:dashboard", "access:inbox"):
        response = client.get(reverse(name))
        assertRedirects(
            response, reverse("mfa_activate_totp"), fetch_redirect_response=False
        )
    # And they too confirm the emailed code first.
    assertRedirects(
        client.get(reverse("mfa_activate_totp")),
        reverse("accounts:mfa_enrolment_confirm"),
    )


def test_rii_staff_use_the_workspace_without_mfa_when_not_required(client, settings):
    settings.PORTAL_REQUIRE_STAFF_MFA = False
    make_signed_in_rii_staff(client)

    assert client.get(reverse("workspace:dashboard")).status_code == 200
    assert client.get(reverse("access:inbox")).status_code == 200


def test_rii_staff_with_an_authenticator_use_the_workspace(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.PORTAL_REQUIRE_STAFF_MFA = True
    make_signed_in_rii_staff(client)
    code = request_code(client, mailoutbox, django_capture_on_commit_callbacks)
    client.post(reverse("accounts:mfa_enrolment_confirm"), {"code": code})
    activate_totp(client)

    assert client.get(reverse("workspace:dashboard")).status_code == 200


def test_a_privileged_account_without_an_authenticator_cannot_add_an_address(client):
    # Else the thief of a password would add and verify their own address, and
    # receive the code that lets them enrol their authenticator.
    admin = make_signed_in_partner_admin(client)

    response = client.post(
        reverse("account_email"),
        {"action_add": "", "email": "thief@evil.example"},
        follow=True,
    )

    assert not admin.emailaddress_set.filter(email="thief@evil.example").exists()
    assertContains(response, "before you change the email addresses")


def test_an_account_without_privileges_may_add_an_address(client):
    user = make_account(email="ana@sme.example.eu")
    client.force_login(user)

    client.post(
        reverse("account_email"), {"action_add": "", "email": "ana@new.example.eu"}
    )

    assert user.emailaddress_set.filter(email="ana@new.example.eu").exists()
