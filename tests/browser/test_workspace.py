"""The staff workspace in a browser: keyboard only, and accessible on every page."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import InfrastructureMembership
from tests.factories import (
    make_account,
    make_equipment,
    make_infrastructure,
    make_service,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff():
    user = make_account(email="staff@imaging.example.eu")
    listing = make_infrastructure(name="Imaging Centre", region="ITH55", kets=["AMN"])
    make_service(infrastructure=listing, name="Electron microscopy", slug="em")
    make_equipment(
        infrastructure=listing, name="Scanning electron microscope", slug="sem"
    )
    InfrastructureMembership.objects.create(
        user=user, infrastructure=listing, role="manager"
    )
    return user


def sign_in(page, user) -> None:
    """Start the browser with a session, as if the user had signed in."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": cookie.value,
                "url": page.live_server_url,
            }
        ]
    )


def test_staff_edit_their_listing_and_add_a_service_with_the_keyboard(
    page, staff, assert_accessible
):
    sign_in(page, staff)
    page.goto(page.live_server_url + reverse("home"))
    page.get_by_role("link", name="My infrastructures").click()
    page.get_by_role("heading", name="My infrastructures", level=1).wait_for()
    assert page.get_by_text("10% complete").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Imaging Centre", exact=True).click()
    page.get_by_role("heading", name="Imaging Centre", level=1).wait_for()
    assert_accessible(page)

    # Edit the details: type a description, then press Enter in the city field.
    page.get_by_role("link", name="Edit details", exact=True).focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Edit details").wait_for()
    assert_accessible(page)
    page.get_by_label("Description", exact=True).focus()
    page.keyboard.type("Electron and optical microscopy for materials.")
    page.get_by_label("City").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Your changes are online.").wait_for()
    assert page.get_by_text("20% complete").is_visible()

    # Add a service: every field reached and filled from the keyboard.
    page.get_by_role("link", name="Add a service").focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Add a service").wait_for()
    assert_accessible(page)
    page.get_by_label("Name").focus()
    page.keyboard.type("Failure analysis")
    page.keyboard.press("Tab")  # service type
    page.keyboard.type("Testing")
    page.keyboard.press("Tab")  # description
    page.keyboard.type("Why a part broke, and how to prevent it.")
    page.keyboard.press("Tab")  # TRL from
    page.keyboard.type("7")
    page.keyboard.press("Tab")  # TRL to
    page.keyboard.type("3")
    page.keyboard.press("Tab")  # access mode
    page.keyboard.type("Staff")
    page.get_by_label("TRL to").focus()
    page.keyboard.press("Enter")
    # TRL 7 to 3 is refused with a message; correct it and save.
    page.get_by_text("The TRL range must lie between 1 and 9").wait_for()
    assert_accessible(page)
    page.get_by_label("TRL to").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("8")
    page.keyboard.press("Enter")
    page.get_by_text("The service “Failure analysis” was added.").wait_for()
    row = page.locator("#service-failure-analysis")
    assert "TRL 7–8" in row.inner_text()
    assert "Staff-operated" not in row.inner_text()  # the list shows the type
    assert "Testing and measurement" in row.inner_text()

    # Move it up, from the keyboard.
    row.get_by_role("button", name="Up").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    names = page.locator("#services tbody th").all_inner_texts()
    assert names == ["Failure analysis", "Electron microscopy"]
    assert page.js_errors == []


def test_every_workspace_page_is_accessible(page, staff, assert_accessible):
    listing = staff.infrastructure_memberships.get().infrastructure
    sign_in(page, staff)
    for name, kwargs in [
        ("dashboard", {}),
        ("infrastructure_create", {}),
        ("infrastructure_detail", {"slug": listing.slug}),
        ("infrastructure_edit", {"slug": listing.slug}),
        ("member_list", {"slug": listing.slug}),
        ("infrastructure_media", {"slug": listing.slug}),
        ("service_create", {"slug": listing.slug}),
        ("service_edit", {"slug": listing.slug, "service_slug": "em"}),
        ("service_delete", {"slug": listing.slug, "service_slug": "em"}),
        ("equipment_create", {"slug": listing.slug}),
        ("equipment_edit", {"slug": listing.slug, "equipment_slug": "sem"}),
        ("equipment_delete", {"slug": listing.slug, "equipment_slug": "sem"}),
    ]:
        response = page.goto(
            page.live_server_url + reverse(f"workspace:{name}", kwargs=kwargs)
        )
        assert response.status == 200, name
        assert_accessible(page)
    # A form with errors, too.
    page.goto(
        page.live_server_url
        + reverse("workspace:equipment_create", kwargs={"slug": listing.slug})
    )
    page.get_by_label("Name").fill("Old microscope")
    page.get_by_label("Category").select_option(label="Electron microscopy")
    page.get_by_label("Year commissioned").fill("1850")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("The year must lie between 1900 and 2100.").wait_for()
    assert_accessible(page)
    # An upload that is not an image.
    page.goto(
        page.live_server_url
        + reverse("workspace:infrastructure_media", kwargs={"slug": listing.slug})
    )
    page.locator("#id_logo-logo").set_input_files(
        files=[{"name": "logo.jpg", "mimeType": "image/jpeg", "buffer": b"text"}]
    )
    page.get_by_role("button", name="Upload the logo").click()
    page.get_by_text("Upload a JPEG, PNG or WebP image.").wait_for()
    assert_accessible(page)
    # And a form whose object someone else saved meanwhile.
    page.goto(
        page.live_server_url
        + reverse(
            "workspace:service_edit",
            kwargs={"slug": listing.slug, "service_slug": "em"},
        )
    )
    service = listing.services.get()
    service.name = "Electron microscopy and EDX"
    service.save()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Someone else changed this while you were editing").wait_for()
    assert page.get_by_text("Electron microscopy and EDX").first.is_visible()
    assert_accessible(page)
    assert page.js_errors == []
