"""The staff workspace as RII staff use it."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.models import InfrastructureMembership
from catalogue.models import Infrastructure, SearchRecord, Service
from tests.factories import (
    concept,
    make_equipment,
    make_infrastructure,
    make_organisation,
    make_service,
    make_staff,
    make_user,
)
from tests.workspace.conftest import form_data

pytestmark = pytest.mark.django_db


def overview(listing: Infrastructure) -> str:
    return reverse("workspace:infrastructure_detail", args=[listing.slug])


# --- Dashboard -----------------------------------------------------------------


def test_dashboard_shows_status_completeness_and_what_is_missing(client, listing):
    listing.verified_at = None
    listing.save()
    client.force_login(make_staff(infrastructure=listing, role="editor"))
    response = client.get(reverse("workspace:dashboard"))
    assertContains(response, "Imaging Centre")
    assertContains(response, "Published")
    # Only the KETs of the ten recommended parts are there.
    assertContains(response, "10% complete")
    assertContains(response, "description, website, coordinates, languages spoken")
    assertContains(response, "at least 3 services, at least 5 equipment items")
    assertContains(response, "Not verified yet.")
    assertContains(
        response, reverse("workspace:infrastructure_edit", args=[listing.slug])
    )
    assertContains(response, f'href="{listing.get_absolute_url()}"')
    assertContains(response, "Editor")


def test_complete_listing_scores_100_and_misses_nothing(client, manager, listing):
    Infrastructure.objects.filter(pk=listing.pk).update(
        description="Imaging.",
        website="https://imaging.example.org",
        latitude=44.5,
        longitude=11.3,
        sme_offer="Half price.",
        access_policy="Open.",
    )
    listing.languages.set([concept("language", "en")])
    listing.types.set([concept("rii_type", "core_facility")])
    for _ in range(2):
        make_service(infrastructure=listing)
    for _ in range(4):
        make_equipment(infrastructure=listing)
    client.force_login(manager)
    response = client.get(reverse("workspace:dashboard"))
    assertContains(response, "100% complete")
    assertNotContains(response, "still missing")


def test_draft_has_no_link_to_a_public_page(client):
    draft = make_infrastructure(status="draft")
    client.force_login(make_staff(infrastructure=draft))
    response = client.get(reverse("workspace:dashboard"))
    assertContains(response, "Draft")
    assertNotContains(response, f'href="{draft.get_absolute_url()}"')


def test_dashboard_invites_a_user_without_listings_to_add_one(client):
    client.force_login(make_user())
    response = client.get(reverse("workspace:dashboard"))
    assertContains(response, "You do not keep any listing yet.")
    assertContains(response, reverse("workspace:infrastructure_create"))


@pytest.mark.parametrize("n", [1, 30])
def test_dashboard_uses_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    user = make_user()
    for _ in range(n):
        rii = make_infrastructure()
        make_service(infrastructure=rii)
        InfrastructureMembership.objects.create(user=user, infrastructure=rii)
    client.force_login(user)
    # session, user, the navigation's membership check, count, page of listings
    with django_assert_num_queries(5):
        response = client.get(reverse("workspace:dashboard"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(n, 25)


# --- Navigation ----------------------------------------------------------------


def test_navigation_links_members_and_superusers_to_their_listings(client, editor):
    client.force_login(editor)
    assertContains(client.get(reverse("home")), reverse("workspace:dashboard"))
    client.force_login(make_user(is_superuser=True))
    assertContains(client.get(reverse("home")), reverse("workspace:dashboard"))


def test_navigation_has_no_workspace_link_for_other_users(client):
    assertNotContains(client.get(reverse("home")), "My infrastructures")
    client.force_login(make_user())
    assertNotContains(client.get(reverse("home")), "My infrastructures")


# --- Creating a listing ----------------------------------------------------------


def new_listing_data(**changes) -> dict:
    data = {
        "name": "Pilot Line for Printed Electronics",
        "host": make_organisation(kind="rto").pk,
        "summary": "Printing electronics on foils.",
        "region": "ITH55",
        "city": "Bologna",
        "contact_email": "access@pilot.example.org",
        "kets": [concept("ket", "MNEP").pk],
    }
    return {**data, **changes}


def test_created_listing_is_a_draft_with_its_creator_as_manager(client):
    user = make_user()
    client.force_login(user)
    response = client.post(
        reverse("workspace:infrastructure_create"), new_listing_data()
    )
    listing = Infrastructure.objects.get(name="Pilot Line for Printed Electronics")
    assertRedirects(response, overview(listing), fetch_redirect_response=False)
    assert listing.slug == "pilot-line-for-printed-electronics"
    assert listing.status == Infrastructure.Status.DRAFT
    assert [k.code for k in listing.kets.all()] == ["MNEP"]
    assert listing.memberships.get().user == user
    assert listing.memberships.get().role == "manager"
    assertContains(client.get(overview(listing)), "was saved as a draft")


def test_created_listings_get_unique_slugs(client):
    client.force_login(make_user())
    url = reverse("workspace:infrastructure_create")
    for name in ["Test Bed", "Test Bed", "New", "Тест"]:
        client.post(url, new_listing_data(name=name))
    assert sorted(Infrastructure.objects.values_list("slug", flat=True)) == [
        "infrastructure",
        "new-2",
        "test-bed",
        "test-bed-2",
    ]


def test_host_must_be_an_organisation_that_hosts(client):
    client.force_login(make_user())
    response = client.post(
        reverse("workspace:infrastructure_create"),
        new_listing_data(host=9_999_999),
    )
    assertContains(response, "Select a valid choice")
    assert not Infrastructure.objects.exists()


def test_create_form_shows_what_is_required(client):
    client.force_login(make_user())
    response = client.post(reverse("workspace:infrastructure_create"), {"name": "Lab"})
    assertContains(response, "This field is required.", count=5)
    assert not Infrastructure.objects.exists()


def test_status_and_slug_in_the_request_are_ignored(client):
    client.force_login(make_user())
    client.post(
        reverse("workspace:infrastructure_create"),
        new_listing_data(status="published", slug="chosen", changed_since_review="on"),
    )
    listing = Infrastructure.objects.get()
    assert (listing.status, listing.slug) == (
        "draft",
        "pilot-line-for-printed-electronics",
    )


# --- Editing details -------------------------------------------------------------


def edit_url(listing: Infrastructure) -> str:
    return reverse("workspace:infrastructure_edit", args=[listing.slug])


def test_edit_of_a_published_listing_shows_at_once_and_is_flagged_for_review(
    client, editor, listing, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    data = form_data(
        client.get(edit_url(listing)),
        name="Bologna Imaging Centre",
        languages=[str(concept("language", "it").pk)],
        kets=[str(concept("ket", "LST").pk)],
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit_url(listing), data)
    assertRedirects(response, overview(listing), fetch_redirect_response=False)
    listing.refresh_from_db()
    assert listing.name == "Bologna Imaging Centre"
    assert listing.changed_since_review
    assert listing.status == "published"
    assert [k.code for k in listing.kets.all()] == ["LST"]
    assert [k.code for k in listing.languages.all()] == ["it"]
    assert SearchRecord.objects.get(pk=listing.pk).sort_name == "bologna imaging centre"
    assertContains(client.get(overview(listing)), "flagged for review")


def test_edit_of_a_draft_is_not_flagged(client):
    draft = make_infrastructure(status="draft")
    client.force_login(make_staff(infrastructure=draft, role="editor"))
    client.post(edit_url(draft), form_data(client.get(edit_url(draft)), city="Parma"))
    draft.refresh_from_db()
    assert (draft.city, draft.changed_since_review) == ("Parma", False)


def test_edit_keeps_a_2012_ket_the_listing_carries(client, editor, listing):
    listing.kets.add(concept("ket", "PHOT"))
    client.force_login(editor)
    response = client.get(edit_url(listing))
    assertContains(response, "Photonics (2012 list)")
    assertNotContains(response, "Nanotechnology (2012 list)")
    client.post(edit_url(listing), form_data(response))
    assert {k.code for k in listing.kets.all()} == {"AMN", "PHOT"}


def test_coordinates_come_in_pairs(client, editor, listing):
    client.force_login(editor)
    data = form_data(client.get(edit_url(listing)), latitude="44.5")
    response = client.post(edit_url(listing), data)
    assertContains(response, "Give both latitude (-90 to 90) and longitude")
    listing.refresh_from_db()
    assert listing.latitude is None


def test_choices_are_limited_to_their_vocabulary(client, editor, listing):
    client.force_login(editor)
    data = form_data(
        client.get(edit_url(listing)),
        kets=[str(concept("language", "en").pk)],
        types=[str(concept("ket", "AMN").pk)],
    )
    response = client.post(edit_url(listing), data)
    assert set(response.context["form"].errors) == {"kets", "types"}


# --- Conflicts -------------------------------------------------------------------


def test_second_editor_sees_a_conflict_and_can_apply_their_version(
    client, editor, listing
):
    client.force_login(editor)
    mine = form_data(client.get(edit_url(listing)), description="My description.")

    # Meanwhile a colleague saves another description and a website.
    colleague = make_staff(infrastructure=listing, role="editor")
    other = client_for(colleague)
    theirs = form_data(
        other.get(edit_url(listing)),
        description="Their description.",
        website="https://their.example.org",
    )
    assert other.post(edit_url(listing), theirs).status_code == 302

    response = client.post(edit_url(listing), mine)
    assert response.status_code == 200
    assertContains(response, "Someone else saved this page after you opened it.")
    form = response.context["form"]
    assert dict(form.conflicts) == {
        "Description": "Their description.",
        "Website": "https://their.example.org",
    }
    assert form["description"].value() == "My description."
    listing.refresh_from_db()
    assert listing.description == "Their description."

    # Saving again applies the user's version, knowingly.
    again = form_data(response, website="https://their.example.org")
    assert client.post(edit_url(listing), again).status_code == 302
    listing.refresh_from_db()
    assert listing.description == "My description."
    assert listing.website == "https://their.example.org"


def test_changes_outside_the_form_are_no_conflict(client, editor, listing):
    client.force_login(editor)
    mine = form_data(client.get(edit_url(listing)), city="Imola")
    client.post(reverse("workspace:infrastructure_confirm", args=[listing.slug]))
    response = client.post(edit_url(listing), mine)
    assertRedirects(response, overview(listing))
    listing.refresh_from_db()
    assert listing.city == "Imola"
    assert listing.verified_at is not None


def test_a_forged_or_missing_token_counts_as_a_conflict(client, editor, listing):
    client.force_login(editor)
    data = form_data(client.get(edit_url(listing)), city="Imola", edit_token="forged")
    response = client.post(edit_url(listing), data)
    assert dict(response.context["form"].conflicts) == {"City": "Bologna"}
    listing.refresh_from_db()
    assert listing.city == "Bologna"


def test_service_edit_conflict_names_the_field_and_keeps_the_users_values(
    client, editor, listing
):
    service = listing.services.get()
    url = reverse("workspace:service_edit", args=[listing.slug, service.slug])
    client.force_login(editor)
    mine = form_data(client.get(url), trl_to="7")
    Service.objects.filter(pk=service.pk).update(trl_to=9)
    service.refresh_from_db()
    service.save()  # a colleague's save moves updated_at
    response = client.post(url, mine)
    assert dict(response.context["form"].conflicts) == {"TRL to": "9"}
    assert response.context["form"]["trl_to"].value() == "7"


def client_for(user):
    from django.test import Client

    other = Client()
    other.force_login(user)
    return other


# --- Status: submit for review, confirm still accurate ---------------------------


@pytest.mark.parametrize("status", ["draft", "changes_requested"])
def test_draft_or_changed_listing_can_be_submitted_for_review(client, status):
    listing = make_infrastructure(status=status)
    client.force_login(make_staff(infrastructure=listing, role="editor"))
    response = client.post(
        reverse("workspace:infrastructure_submit", args=[listing.slug]), follow=True
    )
    assertContains(response, "Submitted for review.")
    listing.refresh_from_db()
    assert listing.status == "pending"


@pytest.mark.parametrize("status", ["pending", "published", "archived"])
def test_other_listings_cannot_be_submitted(client, status):
    listing = make_infrastructure(status=status)
    client.force_login(make_staff(infrastructure=listing))
    response = client.post(
        reverse("workspace:infrastructure_submit", args=[listing.slug]), follow=True
    )
    assertContains(response, "This cannot be done while the listing is")
    listing.refresh_from_db()
    assert listing.status == status


def test_published_listing_can_be_confirmed_accurate(client, editor, listing):
    client.force_login(editor)
    page = client.get(overview(listing))
    assertContains(page, "Confirm still accurate")
    assertNotContains(page, "Submit for review")
    response = client.post(
        reverse("workspace:infrastructure_confirm", args=[listing.slug]), follow=True
    )
    assertContains(response, "marked as verified today")
    listing.refresh_from_db()
    assert listing.verified_at is not None
    assert listing.status == "published"


def test_draft_cannot_be_confirmed_accurate(client):
    draft = make_infrastructure(status="draft")
    client.force_login(make_staff(infrastructure=draft))
    assertNotContains(client.get(overview(draft)), "Confirm still accurate")
    client.post(reverse("workspace:infrastructure_confirm", args=[draft.slug]))
    draft.refresh_from_db()
    assert draft.verified_at is None


# --- Services and equipment ------------------------------------------------------


def service_data(**changes) -> dict:
    data = {
        "name": "Failure analysis",
        "service_type": concept("service_type", "testing").pk,
        "access_mode": concept("access_mode", "staff_operated").pk,
        "trl_from": 4,
        "trl_to": 7,
        "price_band": "1k_5k",
        "ip_default": "client_owns",
        "sme_rate_available": "on",
    }
    return {**data, **changes}


def test_service_is_added_last_with_its_own_slug(client, editor, listing):
    client.force_login(editor)
    url = reverse("workspace:service_create", args=[listing.slug])
    client.post(url, service_data())
    response = client.post(url, service_data())
    service = listing.services.get(slug="failure-analysis-2")
    assertRedirects(response, overview(listing) + "#service-failure-analysis-2")
    assert service.order == 2
    assert service.sme_rate_available
    listing.refresh_from_db()
    assert listing.changed_since_review


def test_service_ignores_an_infrastructure_in_the_request(client, editor, listing):
    other = make_infrastructure()
    client.force_login(editor)
    client.post(
        reverse("workspace:service_create", args=[listing.slug]),
        service_data(infrastructure=other.pk),
    )
    assert not other.services.exists()
    assert listing.services.filter(name="Failure analysis").exists()


def test_trl_range_must_start_at_or_below_its_end(client, editor, listing):
    client.force_login(editor)
    response = client.post(
        reverse("workspace:service_create", args=[listing.slug]),
        service_data(trl_from=7, trl_to=3),
    )
    assertContains(response, "The TRL range must lie between 1 and 9")
    assert not listing.services.filter(name="Failure analysis").exists()


def test_trl_must_lie_between_1_and_9(client, editor, listing):
    client.force_login(editor)
    response = client.post(
        reverse("workspace:service_create", args=[listing.slug]),
        service_data(trl_to=10),
    )
    assert "trl_to" in response.context["form"].errors


def test_service_edit_saves_and_refreshes_search(
    client, editor, listing, django_capture_on_commit_callbacks
):
    service = listing.services.get()
    url = reverse("workspace:service_edit", args=[listing.slug, service.slug])
    client.force_login(editor)
    data = form_data(client.get(url), price_band="under_1k")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, data)
    service.refresh_from_db()
    assert service.price_band == "under_1k"
    assert SearchRecord.objects.get(pk=listing.pk).price_bands == ["under_1k"]


def test_service_is_removed_after_confirmation(client, editor, listing):
    service = listing.services.get()
    url = reverse("workspace:service_delete", args=[listing.slug, service.slug])
    client.force_login(editor)
    assertContains(client.get(url), "Remove “Electron microscopy”?")
    assert listing.services.exists()
    assertRedirects(client.post(url), overview(listing) + "#services")
    assert not listing.services.exists()


def test_equipment_is_added_with_services_of_its_listing(client, editor, listing):
    client.force_login(editor)
    response = client.post(
        reverse("workspace:equipment_create", args=[listing.slug]),
        {
            "name": "Cryo TEM",
            "category": concept("equipment_category", "electron_microscopy").pk,
            "quantity": 1,
            "access": "staff",
            "services": [listing.services.get().pk],
        },
    )
    equipment = listing.equipment.get(name="Cryo TEM")
    assertRedirects(response, overview(listing) + "#equipment-cryo-tem")
    assert list(equipment.services.all()) == [listing.services.get()]


def test_equipment_cannot_be_linked_to_another_listings_service(
    client, editor, listing
):
    foreign = make_service(infrastructure=make_infrastructure())
    equipment = listing.equipment.get()
    url = reverse("workspace:equipment_edit", args=[listing.slug, equipment.slug])
    client.force_login(editor)
    response = client.post(url, form_data(client.get(url), services=[str(foreign.pk)]))
    assertContains(response, "Select a valid choice")
    assert not equipment.services.exists()


def test_equipment_validation_messages(client, editor, listing):
    make_equipment(infrastructure=make_infrastructure(), uniquip_id="UQ-1")
    equipment = listing.equipment.get()
    url = reverse("workspace:equipment_edit", args=[listing.slug, equipment.slug])
    client.force_login(editor)
    data = form_data(client.get(url), uniquip_id="UQ-1", year_commissioned="1850")
    response = client.post(url, data)
    assertContains(response, "An equipment item with this UNIQUIP ID already exists.")
    assertContains(response, "The year must lie between 1900 and 2100.")


def test_equipment_is_removed_after_confirmation(client, editor, listing):
    equipment = listing.equipment.get()
    url = reverse("workspace:equipment_delete", args=[listing.slug, equipment.slug])
    client.force_login(editor)
    assertContains(client.get(url), "Remove “Scanning electron microscope”?")
    assertRedirects(client.post(url), overview(listing) + "#equipment")
    assert not listing.equipment.exists()


@pytest.mark.parametrize("kind", ["service", "equipment"])
def test_items_move_up_and_down(client, editor, listing, kind):
    make = make_service if kind == "service" else make_equipment
    items = getattr(listing, "services" if kind == "service" else "equipment")
    first = items.get()
    second = make(infrastructure=listing, name="B item", order=1)
    third = make(infrastructure=listing, name="C item", order=2)
    client.force_login(editor)

    def move(item, direction):
        url = reverse(f"workspace:{kind}_move", args=[listing.slug, item.slug])
        return client.post(url, {"direction": direction})

    assertRedirects(move(third, "up"), overview(listing) + f"#{third.anchor}")
    assert list(items.order_by("order")) == [first, third, second]
    move(first, "up")  # already first
    move(third, "up")
    assert list(items.order_by("order")) == [third, first, second]
    move(third, "down")
    move(third, "down")
    move(third, "down")  # already last
    assert list(items.order_by("order")) == [first, second, third]
    assert move(first, "sideways").status_code == 400


def test_overview_lists_services_and_equipment_with_their_actions(
    client, editor, listing
):
    service = listing.services.get()
    client.force_login(editor)
    response = client.get(overview(listing))
    assertContains(response, "Electron microscopy")
    assertContains(response, "Scanning electron microscope")
    assertContains(
        response, reverse("workspace:service_edit", args=[listing.slug, service.slug])
    )
    assertContains(response, reverse("workspace:service_create", args=[listing.slug]))
    assertContains(response, reverse("workspace:equipment_create", args=[listing.slug]))
    assertNotContains(response, reverse("workspace:member_list", args=[listing.slug]))


# --- Members -----------------------------------------------------------------------


def test_manager_sees_the_members_with_their_roles(client, manager, editor, listing):
    client.force_login(manager)
    assertContains(
        client.get(overview(listing)),
        reverse("workspace:member_list", args=[listing.slug]),
    )
    response = client.get(reverse("workspace:member_list", args=[listing.slug]))
    assertContains(response, manager.email)
    assertContains(response, editor.email)
    assert [m.user for m in response.context["members"]] == [manager, editor]


@pytest.mark.parametrize("n", [1, 12])
def test_overview_uses_a_fixed_number_of_queries(
    client, django_assert_num_queries, editor, listing, n
):
    for _ in range(n):
        make_service(infrastructure=listing)
        make_equipment(infrastructure=listing)
    client.force_login(editor)
    # session, user, navigation, listing, services, equipment
    with django_assert_num_queries(6):
        response = client.get(overview(listing))
    assert len(response.context["services"]) == n + 1


def test_service_edit_keeps_a_2012_ket_the_service_carries(client, editor, listing):
    service = listing.services.get()
    service.kets.set([concept("ket", "NANO"), concept("ket", "AMN")])
    url = reverse("workspace:service_edit", args=[listing.slug, service.slug])
    client.force_login(editor)
    response = client.get(url)
    assertContains(response, "Nanotechnology (2012 list)")
    client.post(url, form_data(response))
    assert {k.code for k in service.kets.all()} == {"AMN", "NANO"}
