"""The moderation console in a browser: a partner admin works through the queue with
the keyboard, and the admin pages they use pass axe-core."""

import pytest
from django.urls import reverse

from catalogue.models import Infrastructure
from tests.browser.conftest import WCAG_TAGS
from tests.browser.test_workspace import sign_in
from tests.factories import (
    make_account,
    make_infrastructure,
    make_moderator,
    make_service,
    make_staff,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _admin_without_second_factor(settings):
    settings.PORTAL_REQUIRE_ADMIN_MFA = False


@pytest.fixture
def moderator():
    return make_moderator(region="ITH5")


@pytest.fixture
def pending():
    listing = make_infrastructure(
        name="Bologna Imaging Lab", region="ITH55", status="pending"
    )
    make_service(infrastructure=listing, name="Electron microscopy")
    return listing


@pytest.fixture
def assert_form_accessible(axe):
    """axe-core on an admin form, without the search boxes that Django's admin
    draws with its vendored select2 for autocomplete fields: select2 builds them in
    JavaScript without labels, outside the portal's templates; the plain select
    elements they stand for are labelled and checked."""

    def check(page) -> None:
        results = axe.run(
            page,
            context={"exclude": [[".select2-container"]]},
            options={
                "runOnly": {"type": "tag", "values": WCAG_TAGS},
                "resultTypes": ["violations"],
            },
        )
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"

    return check


def press(page, name: str, role: str = "link") -> None:
    """Activate a link or button from the keyboard."""
    target = page.get_by_role(role, name=name, exact=True)
    target.focus()
    target.press("Enter")


def test_a_partner_admin_asks_for_changes_and_the_staff_read_them(
    page, moderator, pending, assert_accessible, assert_form_accessible
):
    sign_in(page, moderator)
    page.goto(page.live_server_url + reverse("admin:index"))
    assert_accessible(page)

    press(page, "Moderation queue and listings by region and status")
    page.get_by_role("heading", name="Pending review (1)").wait_for()
    assert_accessible(page)

    press(page, "Bologna Imaging Lab")
    page.get_by_role("heading", name="Changes since the last approval").wait_for()
    assert_form_accessible(page)

    press(page, "Request changes")
    message = page.get_by_label("Message to the staff")
    message.wait_for()
    assert_accessible(page)
    message.focus()
    page.keyboard.type("Please describe what you offer SMEs.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_text("Request changes: 1 listing.").wait_for()
    assert page.get_by_text("Please describe what you offer SMEs.").is_visible()
    assert Infrastructure.objects.get(pk=pending.pk).status == "changes_requested"

    press(page, "History")
    page.get_by_role("heading", name="Changes since the last approval").wait_for()
    assert_accessible(page)

    staff = make_account()
    pending.memberships.create(user=staff, role="manager")
    page.context.clear_cookies()
    sign_in(page, staff)
    page.goto(
        page.live_server_url
        + reverse("workspace:infrastructure_detail", args=[pending.slug])
    )
    assert page.get_by_text("Please describe what you offer SMEs.").is_visible()
    assert_accessible(page)


def test_a_missing_message_is_announced_on_the_decision_page(
    page, moderator, pending, assert_accessible
):
    sign_in(page, moderator)
    page.goto(
        page.live_server_url
        + reverse("admin:catalogue_infrastructure_decide", args=[pending.pk, "reject"])
    )

    press(page, "Reject", role="button")

    page.get_by_text("Write a message").wait_for()
    assert page.get_by_label("Message to the staff").get_attribute("aria-invalid")
    assert_accessible(page)


def test_the_change_list_with_the_queue_filter_is_accessible(
    page, moderator, pending, assert_accessible
):
    make_staff(infrastructure=pending)
    sign_in(page, moderator)
    page.goto(
        page.live_server_url
        + reverse("admin:catalogue_infrastructure_changelist")
        + "?queue=pending"
    )

    assert page.get_by_role("link", name="Bologna Imaging Lab").is_visible()
    assert_accessible(page)
