"""Where each person lands after signing in: where their work is."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from accounts.models import InfrastructureMembership, RegionAdministration
from tests.factories import make_access_request, make_account, make_infrastructure

pytestmark = pytest.mark.django_db

PASSWORD = "Kalibrier-Labor-2026"
MODERATION = "admin:catalogue_infrastructure_moderation"


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.PORTAL_REQUIRE_ADMIN_MFA = False
    settings.PORTAL_REQUIRE_STAFF_MFA = False


def sign_in(client, user, next_url: str = ""):
    url = reverse("account_login")
    if next_url:
        url += f"?next={next_url}"
    return client.post(url, {"login": user.email, "password": PASSWORD})


def account(**fields):
    return make_account(password=PASSWORD, **fields)


def test_rii_staff_land_on_their_workspace(client):
    user = account()
    InfrastructureMembership.objects.create(
        user=user, infrastructure=make_infrastructure(), role="editor"
    )
    response = sign_in(client, user)
    assertRedirects(response, reverse("workspace:dashboard"))


def test_partner_admins_land_on_the_moderation_queue(client):
    user = account(is_staff=True)
    RegionAdministration.objects.create(user=user, region_id="ITH5")
    response = sign_in(client, user)
    assertRedirects(response, reverse(MODERATION), fetch_redirect_response=False)


def test_partner_admins_who_also_staff_a_listing_land_on_the_moderation_queue(
    client,
):
    user = account(is_staff=True)
    RegionAdministration.objects.create(user=user, region_id="ITH5")
    InfrastructureMembership.objects.create(
        user=user, infrastructure=make_infrastructure(), role="manager"
    )
    response = sign_in(client, user)
    assertRedirects(response, reverse(MODERATION), fetch_redirect_response=False)


def test_superusers_land_on_the_moderation_queue(client):
    user = account(is_staff=True, is_superuser=True)
    response = sign_in(client, user)
    assertRedirects(response, reverse(MODERATION), fetch_redirect_response=False)


def test_smes_with_an_open_request_land_on_my_requests(client):
    user = account()
    make_access_request(requester=user, state="in_review")
    response = sign_in(client, user)
    assertRedirects(response, reverse("access:my_requests"))


def test_smes_whose_requests_are_all_closed_land_where_everyone_does(client):
    user = account()
    make_access_request(requester=user, state="completed")
    response = sign_in(client, user)
    assertRedirects(response, reverse("home"))


def test_everyone_else_lands_on_the_home_page(client):
    response = sign_in(client, account())
    assertRedirects(response, reverse("home"))


@pytest.mark.parametrize("role", ["staff", "partner admin", "requester"])
def test_an_explicit_next_always_wins(client, role):
    user = account(is_staff=role == "partner admin")
    if role == "staff":
        InfrastructureMembership.objects.create(
            user=user, infrastructure=make_infrastructure(), role="editor"
        )
    elif role == "partner admin":
        RegionAdministration.objects.create(user=user, region_id="ITH5")
    else:
        make_access_request(requester=user)
    target = reverse("access:shortlist_detail")
    response = sign_in(client, user, next_url=target)
    assertRedirects(response, target, fetch_redirect_response=False)
