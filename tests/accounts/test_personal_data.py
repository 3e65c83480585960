"""Personal data: a copy to download, and deleting the account (GDPR)."""

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from accounts.models import (
    CompanyMembership,
    InfrastructureMembership,
    Invitation,
    Organisation,
    RegionAdministration,
    User,
)
from accounts.services import invitation_accept, user_delete
from catalogue.models import Infrastructure
from tests.factories import (
    make_account,
    make_company,
    make_company_member,
    make_infrastructure,
    make_invitation,
    make_partner_admin,
    make_staff,
    make_totp,
)

pytestmark = pytest.mark.django_db

PASSWORD = "Kalibrier-Labor-2026"
DATA = reverse("accounts:personal_data")
DOWNLOAD = reverse("accounts:personal_data_download")
DELETE = reverse("accounts:account_delete")


@pytest.mark.parametrize(
    ("method", "url"), [("get", DATA), ("get", DOWNLOAD), ("post", DELETE)]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, method, url):
    response = getattr(client, method)(url)
    assertRedirects(
        response,
        f"{reverse('account_login')}?next={url}",
        fetch_redirect_response=False,
    )


@pytest.mark.parametrize(
    ("method", "url"),
    [("post", DATA), ("post", DOWNLOAD), ("get", DELETE), ("put", DELETE)],
)
def test_wrong_methods_are_refused(client, method, url):
    client.force_login(make_account())
    assert getattr(client, method)(url).status_code == 405


def test_data_page_is_in_the_account_menu_and_offers_both(client):
    client.force_login(make_account())
    response = client.get(DATA)
    assertContains(response, f'href="{DATA}"')
    assertContains(response, f'href="{DOWNLOAD}"')
    assertContains(response, f'action="{DELETE}"')
    assertContains(response, 'autocomplete="current-password"')


def ana_with_everything() -> User:
    ana = make_account(
        email="ana@sme.example.eu",
        first_name="Ana",
        last_name="Kovač",
        preferred_language="it",
    )
    ana.emailaddress_set.create(email="ana@home.example.eu", verified=True)
    make_company_member(
        user=ana, company=make_company(name="Micro Optics Srl"), job_title="Founder"
    )
    pilot = make_infrastructure(name="Pilot Line Alpha")
    InfrastructureMembership.objects.create(
        user=ana, infrastructure=pilot, role="manager"
    )
    make_invitation(infrastructure=pilot, email="bruno@example.eu", invited_by=ana)
    make_invitation(
        infrastructure=make_infrastructure(name="Test Bed Beta"),
        email="ana@home.example.eu",
        role="editor",
    )
    make_totp(user=ana)
    return ana


def test_download_is_a_json_attachment_with_the_users_data(client):
    ana = ana_with_everything()
    bruno = make_staff(infrastructure=make_infrastructure(name="Not Anas RII"))
    make_company_member(user=bruno, company=make_company(name="Not Anas Company"))
    client.force_login(ana)

    response = client.get(DOWNLOAD)

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="rii-portal-personal-data-'
    )
    data = json.loads(response.content)
    user = data["user"]
    assert {key: user[key] for key in ("email", "first_name", "last_name")} == {
        "email": "ana@sme.example.eu",
        "first_name": "Ana",
        "last_name": "Kovač",
    }
    assert (user["preferred_language"], user["groups"]) == ("it", [])
    assert user["date_joined"].startswith(str(ana.date_joined.year))
    assert sorted(a["email"] for a in data["email_addresses"]) == [
        "ana@home.example.eu",
        "ana@sme.example.eu",
    ]
    assert [(m["company"], m["job_title"]) for m in data["company_memberships"]] == [
        ("Micro Optics Srl", "Founder")
    ]
    assert [
        (m["infrastructure"], m["role"]) for m in data["infrastructure_memberships"]
    ] == [("Pilot Line Alpha", "manager")]
    assert [(i["email"], i["infrastructure"]) for i in data["invitations_sent"]] == [
        ("bruno@example.eu", "Pilot Line Alpha")
    ]
    assert [
        (i["email"], i["infrastructure"], i["role"])
        for i in data["invitations_received"]
    ] == [("ana@home.example.eu", "Test Bed Beta", "editor")]
    assert [a["type"] for a in data["two_factor_authentication"]] == ["totp"]
    assert "Not Anas" not in response.text
    # A copy of the data, not the secrets that protect the account.
    assert "password" not in response.text
    assert "secret" not in response.text


def test_download_lists_a_partner_admins_regions(client):
    admin = make_partner_admin(region="ITH5")
    client.force_login(admin)
    data = json.loads(client.get(DOWNLOAD).content)
    assert [r["region"] for r in data["region_administrations"]] == [
        "Emilia-Romagna (ITH5)"
    ]


def test_deleting_needs_the_password(client):
    ana = make_account(email="ana@sme.example.eu", password=PASSWORD)
    client.force_login(ana)

    response = client.post(DELETE, {"password": "not-my-password"})

    assertContains(response, "This is not your password.")
    assertContains(response, 'aria-invalid="true"')
    ana.refresh_from_db()
    assert ana.is_active
    assert ana.email == "ana@sme.example.eu"
    assert "_auth_user_id" in client.session


def test_deleting_anonymises_the_user_and_signs_them_out(client):
    ana = ana_with_everything()
    ana.set_password(PASSWORD)
    ana.save()
    ana.groups.add(Group.objects.get(name="RII staff"))
    client.force_login(ana)

    response = client.post(DELETE, {"password": PASSWORD}, follow=True)

    assertRedirects(response, reverse("home"))
    assertContains(response, "Your account and your personal data are deleted.")
    assert "_auth_user_id" not in client.session
    ana.refresh_from_db()
    assert not ana.is_active
    assert ana.email.startswith("deleted-")
    assert ana.email.endswith("@deleted.invalid")
    assert (ana.first_name, ana.last_name, ana.preferred_language) == ("", "", "")
    assert not ana.has_usable_password()
    assert not ana.groups.exists()
    assert not EmailAddress.objects.filter(user=ana).exists()
    assert not Authenticator.objects.filter(user=ana).exists()
    assert not InfrastructureMembership.objects.filter(user=ana).exists()
    assert not CompanyMembership.objects.filter(user=ana).exists()
    assert not User.objects.filter(email__icontains="ana@").exists()
    # The pending invitation to her address is gone; the one she sent stays.
    assert list(Invitation.objects.values_list("email", flat=True)) == [
        "bruno@example.eu"
    ]
    # The listings and the company stay.
    assert Infrastructure.objects.filter(name="Pilot Line Alpha").exists()
    assert Infrastructure.objects.filter(name="Test Bed Beta").exists()
    assert Organisation.objects.filter(name="Micro Optics Srl").exists()


def test_a_deleted_account_cannot_sign_in_again(client):
    ana = make_account(email="ana@sme.example.eu", password=PASSWORD)
    client.force_login(ana)
    client.post(DELETE, {"password": PASSWORD})

    response = client.post(
        reverse("account_login"), {"login": "ana@sme.example.eu", "password": PASSWORD}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_address_of_a_deleted_account_can_sign_up_again(client):
    user_delete(user=make_account(email="ana@sme.example.eu"))
    response = client.post(
        reverse("account_signup"),
        {"email": "ana@sme.example.eu", "password1": PASSWORD, "password2": PASSWORD},
    )
    assertRedirects(response, reverse("account_email_verification_sent"))
    assert User.objects.filter(email="ana@sme.example.eu", is_active=True).exists()


def test_deleted_users_get_distinct_anonymous_addresses():
    first, second = make_account(), make_account()
    user_delete(user=first)
    user_delete(user=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.email != second.email


def test_deleting_a_partner_admin_ends_their_region_role():
    admin = make_partner_admin(region="ITH5")
    user_delete(user=admin)
    admin.refresh_from_db()
    assert not admin.is_staff
    assert not RegionAdministration.objects.filter(user=admin).exists()


def test_an_invitation_accepted_before_keeps_no_trace_of_the_address():
    ana = make_account(email="ana@sme.example.eu")
    invitation = make_invitation(email="ana@sme.example.eu")
    invitation_accept(invitation=invitation, user=ana)
    user_delete(user=ana)

    invitation.refresh_from_db()
    ana.refresh_from_db()
    assert invitation.email == ana.email
    assert invitation.infrastructure_id is not None


def test_repeated_wrong_passwords_are_rate_limited(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"reauthenticate": "2/m/user"}
    client.force_login(make_account(password=PASSWORD))
    for _ in range(2):
        client.post(DELETE, {"password": "guess"})
    response = client.post(DELETE, {"password": PASSWORD})
    assert response.status_code == 429
    assert User.objects.get().is_active
