"""Moving a listing to another region is a moderated change: the new region's
partner admins review it before it shows there."""

from collections.abc import Callable

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from accounts.models import User
from catalogue.models import Infrastructure
from moderation import queue
from tests.factories import (
    make_infrastructure,
    make_partner_admin,
    make_staff,
    make_user,
)

from .conftest import form_data

pytestmark = pytest.mark.django_db


def edit_url(listing: Infrastructure) -> str:
    return reverse("workspace:infrastructure_edit", args=[listing.slug])


@pytest.fixture
def admins() -> dict:
    """Partner admins of Emilia-Romagna (the listing's region) and of Saxony."""
    return {
        "ITH5": make_partner_admin(region="ITH5"),
        "DED": make_partner_admin(region="DED"),
    }


def move(client, user, listing: Infrastructure, region: str):
    client.force_login(user)
    response = client.get(edit_url(listing))
    return client.post(edit_url(listing), form_data(response, region=region))


def test_a_published_listing_moved_to_other_partner_admins_waits_for_their_review(
    client, editor, listing, admins
):
    response = move(client, editor, listing, "DED41")

    listing.refresh_from_db()
    assert (listing.region_id, listing.status) == ("DED41", "pending")
    assert listing in queue.queue_sections(admins["DED"])["pending"]
    assert listing not in Infrastructure.objects.moderated_by(admins["ITH5"])
    assertContains(client.get(response.url), "offline until they approve it")
    search = client.get(reverse("catalogue:infrastructure_list"))
    assert listing.name not in search.text


def test_a_move_within_the_same_partner_admins_regions_stays_published(
    client, editor, listing, admins
):
    move(client, editor, listing, "ITH56")

    listing.refresh_from_db()
    assert (listing.region_id, listing.status) == ("ITH56", "published")
    assert listing.changed_since_review


def test_staff_cannot_move_a_published_listing_where_no_partner_admin_reviews(
    client, editor, listing, admins
):
    response = move(client, editor, listing, "FR101")

    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    listing.refresh_from_db()
    assert (listing.region_id, listing.status) == ("ITH55", "published")


def test_a_draft_may_move_anywhere_and_stays_a_draft(client, admins):
    draft = make_infrastructure(status="draft", region="ITH55")
    editor = make_staff(infrastructure=draft, role="editor")

    move(client, editor, draft, "FR101")

    draft.refresh_from_db()
    assert (draft.region_id, draft.status) == ("FR101", "draft")


@pytest.mark.parametrize(
    ("role", "moves"),
    [
        ("anonymous", False),
        ("sme", False),
        ("editor", True),
        ("manager", True),
        ("staff_of_other_rii", False),
        ("partner_admin_of_region", False),
        ("partner_admin_of_other_region", False),
        ("superuser", True),
    ],
)
def test_only_the_listings_staff_and_superusers_may_move_it(
    client, listing, admins, role, moves
):
    other = make_infrastructure(region="NL411")
    users: dict[str, Callable[[], User | None]] = {
        "anonymous": lambda: None,
        "sme": make_user,
        "editor": lambda: make_staff(infrastructure=listing, role="editor"),
        "manager": lambda: make_staff(infrastructure=listing, role="manager"),
        "staff_of_other_rii": lambda: make_staff(infrastructure=other),
        "partner_admin_of_region": lambda: admins["ITH5"],
        "partner_admin_of_other_region": lambda: admins["DED"],
        "superuser": lambda: make_user(is_staff=True, is_superuser=True),
    }
    user = users[role]()
    editor = make_staff(infrastructure=listing, role="editor")
    client.force_login(editor)
    data = form_data(client.get(edit_url(listing)), region="DED41")
    client.logout()
    if user is not None:
        client.force_login(user)

    response = client.post(edit_url(listing), data)

    listing.refresh_from_db()
    assert listing.region_id == ("DED41" if moves else "ITH55")
    assert response.status_code == (302 if user is None or moves else 404)
