"""Who may open what in the staff workspace: every URL, every method, every role."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode
from pytest_django.asserts import assertRedirects

from accounts.models import User
from catalogue.models import Equipment, Infrastructure, Service
from tests.factories import (
    make_infrastructure,
    make_partner_admin,
    make_staff,
    make_user,
)
from workspace import urls as workspace_urls

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "sme",
    "editor",
    "manager",
    "staff_of_other_rii",
    "partner_admin_of_region",
    "partner_admin_of_other_region",
    "superuser",
]
MEMBERS = {"editor", "manager", "superuser"}

# (URL name, method, status for someone allowed). POST bodies carry a direction for
# the move buttons and nothing else, so the edit forms answer 200 with errors.
LISTING_ENDPOINTS = [
    ("infrastructure_detail", "get", 200),
    ("infrastructure_edit", "get", 200),
    ("infrastructure_edit", "post", 200),
    ("infrastructure_submit", "post", 302),
    ("infrastructure_confirm", "post", 302),
    ("infrastructure_media", "get", 200),
    # A POST without a known action is refused as a bad request.
    ("infrastructure_media", "post", 400),
    ("service_create", "get", 200),
    ("service_create", "post", 200),
    ("service_edit", "get", 200),
    ("service_edit", "post", 200),
    ("service_delete", "get", 200),
    ("service_delete", "post", 302),
    ("service_move", "post", 302),
    ("equipment_create", "get", 200),
    ("equipment_create", "post", 200),
    ("equipment_edit", "get", 200),
    ("equipment_edit", "post", 200),
    ("equipment_delete", "get", 200),
    ("equipment_delete", "post", 302),
    ("equipment_move", "post", 302),
]
MANAGER_ENDPOINTS = [("member_list", "get", 200)]
PERSONAL_ENDPOINTS = [
    ("dashboard", "get", 200),
    ("infrastructure_create", "get", 200),
    ("infrastructure_create", "post", 200),
]


@pytest.fixture
def setting(listing) -> dict:
    """The listing (region ITH55), a second one elsewhere with its own staff."""
    other = make_infrastructure(name="Other lab", region="NL411")
    return {"listing": listing, "other": other}


def user_for(role: str, setting: dict) -> User | None:
    listing, other = setting["listing"], setting["other"]
    return {
        "anonymous": lambda: None,
        "sme": lambda: make_user(),
        "editor": lambda: make_staff(infrastructure=listing, role="editor"),
        "manager": lambda: make_staff(infrastructure=listing, role="manager"),
        "staff_of_other_rii": lambda: make_staff(infrastructure=other),
        "partner_admin_of_region": lambda: make_partner_admin(region="ITH5"),
        "partner_admin_of_other_region": lambda: make_partner_admin(region="NL41"),
        "superuser": lambda: make_user(is_staff=True, is_superuser=True),
    }[role]()


def url_of(name: str, listing: Infrastructure) -> str:
    kwargs = {"slug": listing.slug}
    if name.startswith("service_") and name != "service_create":
        kwargs["service_slug"] = listing.services.get().slug
    if name.startswith("equipment_") and name != "equipment_create":
        kwargs["equipment_slug"] = listing.equipment.get().slug
    return reverse(f"workspace:{name}", kwargs=kwargs)


def request(client, user: User | None, method: str, url: str):
    if user:
        client.force_login(user)
    return getattr(client, method)(
        url, {"direction": "down"} if method == "post" else {}
    )


def assert_sent_to_sign_in(response, url: str) -> None:
    login = reverse(settings.LOGIN_URL)
    assertRedirects(
        response, f"{login}?{urlencode({'next': url})}", fetch_redirect_response=False
    )


def test_the_matrix_covers_every_workspace_url():
    covered = {
        name
        for name, _, _ in LISTING_ENDPOINTS + MANAGER_ENDPOINTS + PERSONAL_ENDPOINTS
    }
    assert covered == {pattern.name for pattern in workspace_urls.urlpatterns}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "allowed_status"), LISTING_ENDPOINTS)
def test_only_members_and_superusers_reach_a_listings_pages(
    client, setting, role, name, method, allowed_status
):
    listing = setting["listing"]
    url = url_of(name, listing)
    services, equipment = Service.objects.count(), Equipment.objects.count()

    response = request(client, user_for(role, setting), method, url)

    if role == "anonymous":
        assert_sent_to_sign_in(response, url)
    elif role in MEMBERS:
        assert response.status_code == allowed_status
    else:
        assert response.status_code == 404
    if role not in MEMBERS:
        listing.refresh_from_db()
        assert (Service.objects.count(), Equipment.objects.count()) == (
            services,
            equipment,
        )
        assert listing.verified_at is None
        assert not listing.changed_since_review


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "allowed_status"), MANAGER_ENDPOINTS)
def test_only_managers_and_superusers_see_the_members(
    client, setting, role, name, method, allowed_status
):
    url = url_of(name, setting["listing"])
    response = request(client, user_for(role, setting), method, url)
    if role == "anonymous":
        assert_sent_to_sign_in(response, url)
    elif role == "editor":
        assert response.status_code == 403
    elif role in MEMBERS:
        assert response.status_code == allowed_status
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "allowed_status"), PERSONAL_ENDPOINTS)
def test_every_signed_in_user_has_a_dashboard_and_may_add_a_listing(
    client, setting, role, name, method, allowed_status
):
    url = reverse(f"workspace:{name}")
    response = request(client, user_for(role, setting), method, url)
    if role == "anonymous":
        assert_sent_to_sign_in(response, url)
    else:
        assert response.status_code == allowed_status


PAGES = {name for name, method, _ in LISTING_ENDPOINTS if method == "get"}
ACTIONS = {name for name, _, _ in LISTING_ENDPOINTS} - PAGES


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_actions_refuse_get(client, listing, editor, name):
    client.force_login(editor)
    assert client.get(url_of(name, listing)).status_code == 405


@pytest.mark.parametrize("name", sorted(PAGES))
def test_pages_refuse_other_methods(client, listing, editor, name):
    client.force_login(editor)
    assert client.put(url_of(name, listing)).status_code == 405


def test_dashboard_lists_only_the_users_own_listings(client, setting, editor):
    client.force_login(editor)
    response = client.get(reverse("workspace:dashboard"))
    assert [row[0] for row in response.context["rows"]] == [setting["listing"]]


def test_superuser_dashboard_lists_every_listing(client, setting):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    response = client.get(reverse("workspace:dashboard"))
    assert {row[0] for row in response.context["rows"]} == {
        setting["listing"],
        setting["other"],
    }


# --- Object ids in URLs and POST bodies --------------------------------------


def test_services_and_equipment_of_another_listing_are_not_found_through_mine(
    client, setting, editor
):
    listing, other = setting["listing"], setting["other"]
    foreign_service = Service.objects.create(
        infrastructure=other,
        name="Foreign",
        slug="foreign",
        service_type=listing.services.get().service_type,
        access_mode=listing.services.get().access_mode,
        trl_from=1,
        trl_to=2,
    )
    foreign_equipment = Equipment.objects.create(
        infrastructure=other,
        name="Foreign",
        slug="foreign",
        category=listing.equipment.get().category,
    )
    client.force_login(editor)
    for name, kwargs in [
        ("service_edit", {"service_slug": foreign_service.slug}),
        ("service_delete", {"service_slug": foreign_service.slug}),
        ("service_move", {"service_slug": foreign_service.slug}),
        ("equipment_edit", {"equipment_slug": foreign_equipment.slug}),
        ("equipment_delete", {"equipment_slug": foreign_equipment.slug}),
        ("equipment_move", {"equipment_slug": foreign_equipment.slug}),
    ]:
        url = reverse(f"workspace:{name}", kwargs={"slug": listing.slug, **kwargs})
        assert client.post(url, {"direction": "up"}).status_code == 404
    assert Service.objects.filter(pk=foreign_service.pk).exists()
    assert Equipment.objects.filter(pk=foreign_equipment.pk).exists()
