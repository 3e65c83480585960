"""The partner admins' listing pages in a browser: the change page in sections, and
the change and history pages within the Content Security Policy and axe-core."""

import pytest
from django.urls import reverse

from catalogue import services
from catalogue.models import Infrastructure
from tests.browser.test_moderation import assert_form_accessible  # noqa: F401
from tests.browser.test_workspace import sign_in
from tests.factories import (
    make_equipment,
    make_infrastructure,
    make_moderator,
    make_service,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _admin_without_second_factor(settings):
    settings.PORTAL_REQUIRE_ADMIN_MFA = False


@pytest.fixture
def moderator():
    return make_moderator(region="ITH5")


@pytest.fixture
def approved(moderator) -> Infrastructure:
    """An approved listing its staff then renamed, with a service and equipment."""
    listing = make_infrastructure(
        name="Bologna Imaging Lab", region="ITH55", status="pending"
    )
    make_service(infrastructure=listing, name="Electron microscopy")
    make_equipment(infrastructure=listing, name="Scanning electron microscope")
    services.infrastructure_transition(
        infrastructure=listing, action="approve", user=moderator
    )
    services.infrastructure_update(
        infrastructure=Infrastructure.objects.get(pk=listing.pk),
        data={"name": "Bologna Imaging Hub"},
    )
    return Infrastructure.objects.get(pk=listing.pk)


def test_the_change_page_opens_with_the_main_sections_only(page, moderator, approved):
    sign_in(page, moderator)
    page.goto(
        page.live_server_url
        + reverse("admin:catalogue_infrastructure_change", args=[approved.pk])
    )

    assert page.locator("#id_name").is_visible()
    assert page.locator("#id_lifecycle").is_visible()
    assert page.get_by_role("heading", name="Review").is_visible()
    for section in ("Location", "Description", "Classification", "Contact", "Media"):
        details = page.locator("details", has=page.get_by_role("heading", name=section))
        assert details.get_attribute("open") is None, section
    assert not page.locator("#id_contact_email").is_visible()
    # The inlines stay below, open.
    assert page.get_by_role("heading", name="Services").is_visible()

    page.get_by_role("heading", name="Contact").click()
    assert page.locator("#id_contact_email").is_visible()


def test_a_closed_section_with_an_error_opens_after_saving(page, moderator, approved):
    sign_in(page, moderator)
    page.goto(
        page.live_server_url
        + reverse("admin:catalogue_infrastructure_change", args=[approved.pk])
    )
    page.get_by_role("heading", name="Contact").click()
    page.locator("#id_contact_email").fill("not an address")
    page.get_by_role("button", name="Save", exact=True).click()

    page.get_by_text("Please correct the error below.").wait_for()
    assert page.locator("#id_contact_email").is_visible()
    assert not page.locator("#id_city").is_visible()


def test_the_history_and_change_pages_keep_to_the_security_policy(
    page,
    moderator,
    approved,
    assert_accessible,
    assert_form_accessible,  # noqa: F811
):
    sign_in(page, moderator)
    history = reverse("admin:catalogue_infrastructure_history", args=[approved.pk])
    record = approved.history.first()
    assert record is not None
    pages = [
        (history, assert_accessible),
        (
            reverse(
                "admin:catalogue_infrastructure_simple_history",
                args=[approved.pk, record.history_id],
            ),
            assert_form_accessible,
        ),
        (
            reverse("admin:catalogue_infrastructure_change", args=[approved.pk]),
            assert_form_accessible,
        ),
    ]
    for url, check in pages:
        page.js_errors.clear()
        page.goto(page.live_server_url + url)
        page.wait_for_load_state("networkidle")
        # Nothing blocked by the policy, no missing file (such as /favicon.ico).
        assert page.js_errors == [], url
        icon = page.locator("link[rel=icon]").get_attribute("href")
        assert icon is not None
        assert page.request.get(page.live_server_url + icon).ok
        check(page)
