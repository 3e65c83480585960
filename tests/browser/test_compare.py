"""The comparison in a real browser: chosen from the search results, readable and
accessible on a phone and on a desktop."""

from typing import TYPE_CHECKING

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from catalogue import search
from tests.factories import make_infrastructure, make_service

if TYPE_CHECKING:
    from tests.browser.conftest import LivePage

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def listings():
    found = []
    for name in ("Bologna Microscopy Centre", "Milan Microscopy Hub", "Turin Lab"):
        rii = make_infrastructure(name=name, kets=["AMN"])
        make_service(infrastructure=rii, sme_rate_available=True, lead_time_days=10)
        found.append(rii)
    search.refresh()
    return found


def has_horizontal_scroll(page: Page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def compare_from_search(page: "LivePage") -> None:
    page.goto(page.live_server_url + reverse("catalogue:infrastructure_list"))
    page.get_by_label("Compare: Bologna Microscopy Centre").check()
    page.get_by_label("Compare: Turin Lab").check()
    # With htmx on the search form, ticking is no search: the ticks stay.
    page.wait_for_timeout(300)
    expect(page.get_by_label("Compare: Bologna Microscopy Centre")).to_be_checked()
    page.get_by_role("button", name="Compare selected").click()
    page.wait_for_url("**/infrastructures/compare/?rii=*")


def test_compare_at_desktop_width(page, listings, assert_accessible):
    compare_from_search(page)

    headers = page.locator('th[scope="col"]').all_inner_texts()
    assert headers == ["Bologna Microscopy Centre", "Turin Lab"]
    expect(
        page.get_by_role("region", name="2 infrastructures side by side")
    ).to_be_visible()
    assert not has_horizontal_scroll(page)
    assert_accessible(page)
    assert page.js_errors == []


def test_compare_on_a_phone(phone_page, listings, assert_accessible):
    page = phone_page
    slugs = "&".join(f"rii={rii.slug}" for rii in listings)
    page.goto(page.live_server_url + reverse("catalogue:compare") + "?" + slugs)

    region = page.get_by_role("region", name="3 infrastructures side by side")
    expect(region).to_be_visible()
    assert not has_horizontal_scroll(page)
    # The table scrolls inside its region, the criteria staying in view.
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    criterion = page.get_by_role("rowheader", name="Location")
    left = criterion.bounding_box()["x"]
    region.evaluate("el => { el.scrollLeft = 300; }")
    assert abs(criterion.bounding_box()["x"] - left) < 1
    assert_accessible(page)


def test_the_search_fields_still_search_when_changed(page, listings):
    page.goto(page.live_server_url + reverse("catalogue:infrastructure_list"))
    page.get_by_label("Compare: Turin Lab").check()

    page.locator("#search-sort").select_option("name")
    page.wait_for_url("**sort=name*")
    page.locator("#f-trl-min").select_option("2")
    page.wait_for_url("**trl_min=2*")
    page.get_by_label("SME rate available").check()
    page.wait_for_url("**sme_rate=true*")
    assert "rii=" not in page.url
