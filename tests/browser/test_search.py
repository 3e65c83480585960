"""The search page in a real browser: keyboard use, htmx filtering, no-JS fallback,
accessibility and phone layout."""

import re
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from catalogue import search
from tests.factories import make_equipment, make_infrastructure, make_service

if TYPE_CHECKING:
    from tests.browser.conftest import LivePage

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def catalogue():
    """Three microscopy listings (two tagged AMN) and one unrelated foundry."""
    bologna = make_infrastructure(name="Bologna Microscopy Centre", kets=["AMN"])
    make_service(
        infrastructure=bologna,
        name="Microscopy of thin films",
        sme_rate_available=True,
        lead_time_days=10,
    )
    make_equipment(
        infrastructure=bologna,
        name="Scanning electron microscope",
        technique="SEM",
        manufacturer="Zeiss",
    )
    make_infrastructure(name="Milan Microscopy Hub", kets=["AMN"])
    make_infrastructure(name="Turin Microscopy Lab", kets=["MNEP"])
    make_infrastructure(name="Unrelated Foundry", kets=["AM"], summary="Casting.")
    search.refresh()
    return bologna


def search_url(page: "LivePage", query: str = "") -> str:
    return page.live_server_url + reverse("catalogue:infrastructure_list") + query


def tab_to(page: Page, element_id: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    pytest.fail(f"#{element_id} was not reached with {limit} presses of Tab")


def card_names(page: Page) -> list[str]:
    return page.locator("li.rii-card h3").all_inner_texts()


def has_horizontal_scroll(page: Page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def failed_requests(page: Page) -> list[str]:
    """Record responses with an error status, to name them when console errors
    ("Failed to load resource") are reported."""
    failures: list[str] = []
    page.on(
        "response",
        lambda response: (
            failures.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    return failures


def test_search_page_loads_without_errors_and_has_a_favicon(page):
    # Chromium fetches the site icon once per session, for the first page it shows;
    # a missing one logs "Failed to load resource: ... 404" to the console.
    page.goto(search_url(page))
    expect(page.locator("#results-count")).to_have_text("0 infrastructures")
    icon = page.locator("link[rel~=icon]")
    expect(icon).to_have_count(1)
    response = page.request.get(urljoin(page.url, icon.get_attribute("href")))
    assert response.ok, f"The site icon {response.url} answers {response.status}"
    assert page.js_errors == []


def test_keyboard_search_then_filter_without_reload_and_back(page, catalogue):
    failures = failed_requests(page)
    page.goto(page.live_server_url + reverse("home"))
    tab_to(page, "home-q")
    page.keyboard.type("microscopy")
    page.keyboard.press("Enter")
    page.wait_for_url("**/infrastructures/?q=microscopy")
    expect(page.locator("#results-count")).to_have_text("3 infrastructures")
    assert card_names(page) == [
        "Bologna Microscopy Centre",
        "Milan Microscopy Hub",
        "Turin Microscopy Lab",
    ]

    page.evaluate("window.__marker = 1")
    tab_to(page, "f-ket-amn")
    page.keyboard.press("Space")
    expect(page.locator("#results-count")).to_have_text("2 infrastructures")
    assert card_names(page) == ["Bologna Microscopy Centre", "Milan Microscopy Hub"]
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    assert "ket=AMN" in page.url
    assert "q=microscopy" in page.url
    expect(page.locator("#search-status")).to_have_text("2 infrastructures found")
    assert page.evaluate("document.activeElement.id") == "f-ket-amn"
    expect(page.locator("#f-ket-amn")).to_be_checked()

    page.go_back()
    page.wait_for_url("**/infrastructures/?q=microscopy")
    expect(page.locator("#results-count")).to_have_text("3 infrastructures")
    expect(page.locator("#f-ket-amn")).not_to_be_checked()
    assert len(card_names(page)) == 3
    assert page.js_errors == [], failures


def test_next_page_of_results_by_keyboard(page):
    for number in range(1, 26):
        make_infrastructure(name=f"Microscopy Lab {number:02}")
    search.refresh()
    failures = failed_requests(page)
    page.goto(search_url(page, "?q=microscopy"))
    expect(page.locator("#results-count")).to_have_text("25 infrastructures")
    assert len(card_names(page)) == 20

    pages = page.get_by_role("navigation", name="Result pages")
    pages.get_by_role("link", name="Next").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"[?&]page=2"))
    assert card_names(page) == [f"Microscopy Lab {n}" for n in range(21, 26)]
    expect(pages.get_by_role("link", name="Previous")).to_be_visible()
    assert page.js_errors == [], failures


def test_open_a_result_by_keyboard(page, catalogue):
    failures = failed_requests(page)
    page.goto(search_url(page, "?q=microscopy"))
    page.locator("li.rii-card h3 a").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{catalogue.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bologna Microscopy Centre"
    )
    assert page.js_errors == [], failures


def test_filters_work_without_javascript(browser, live_server, catalogue):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto(
            live_server.url + reverse("catalogue:infrastructure_list") + "?q=microscopy"
        )
        expect(page.locator("#results-count")).to_have_text("3 infrastructures")
        page.get_by_label("Advanced materials and nanotechnology").check()
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url(re.compile(r"ket=AMN"))
        assert "q=microscopy" in page.url
        expect(page.locator("#results-count")).to_have_text("2 infrastructures")
        assert card_names(page) == [
            "Bologna Microscopy Centre",
            "Milan Microscopy Hub",
        ]
        expect(page.get_by_role("link", name="Clear all")).to_be_visible()
    finally:
        context.close()


def test_search_with_results_is_accessible(page, catalogue, assert_accessible):
    failures = failed_requests(page)
    page.goto(search_url(page, "?q=microscopy"))
    expect(page.locator("#results-count")).to_have_text("3 infrastructures")
    assert_accessible(page)
    assert page.js_errors == [], failures


def test_search_with_active_filters_is_accessible(page, catalogue, assert_accessible):
    failures = failed_requests(page)
    page.goto(search_url(page, "?q=microscopy&ket=AMN&sme_rate=true&trl_min=2"))
    expect(page.locator("#results-count")).to_have_text("1 infrastructure")
    expect(page.get_by_role("list", name="Active filters")).to_be_visible()
    expect(page.locator("#f-ket-amn")).to_be_visible()
    assert_accessible(page)
    assert page.js_errors == [], failures


def test_open_filter_panel_on_a_phone_is_accessible(
    phone_page, catalogue, assert_accessible
):
    phone_page.goto(search_url(phone_page, "?q=microscopy&ket=AMN"))
    expect(phone_page.locator("#f-ket-amn")).to_be_hidden()
    phone_page.locator("summary.filters-summary").click()
    expect(phone_page.locator("#f-ket-amn")).to_be_visible()
    expect(phone_page.locator("#f-ket-amn")).to_be_checked()
    assert_accessible(phone_page)


def test_search_without_results_is_accessible(page, catalogue, assert_accessible):
    failures = failed_requests(page)
    page.goto(search_url(page, "?q=zzzzqqq"))
    expect(page.locator("#results-count")).to_have_text("0 infrastructures")
    expect(page.get_by_role("heading", level=3)).to_have_text(
        "No infrastructure matches all of this yet"
    )
    assert_accessible(page)
    assert page.js_errors == [], failures


def test_misspelt_search_shows_suggested_results_accessibly(
    page, catalogue, assert_accessible
):
    failures = failed_requests(page)
    page.goto(search_url(page, "?q=mikroscopy"))
    expect(page.get_by_text("Showing results for")).to_be_visible()
    expect(page.locator("#results-count")).to_have_text("3 infrastructures")
    assert "Bologna Microscopy Centre" in card_names(page)
    assert_accessible(page)
    assert page.js_errors == [], failures


def test_bad_parameters_show_a_warning_accessibly(page, catalogue, assert_accessible):
    failures = failed_requests(page)
    response = page.goto(search_url(page, "?page=abc&ket=XYZ"))
    assert response.status == 200
    warnings = page.locator(".alert-warning")
    expect(warnings).to_have_count(2)
    expect(warnings.filter(has_text="There is no page “abc”")).to_be_visible()
    expect(
        warnings.filter(has_text="Key Enabling Technology: Select a valid choice.")
    ).to_contain_text("This filter was ignored.")
    expect(page.locator("#results-count")).to_have_text("4 infrastructures")
    assert_accessible(page)
    assert page.js_errors == [], failures


def test_search_page_fits_a_phone_screen(phone_page, catalogue):
    phone_page.goto(search_url(phone_page, "?q=microscopy&ket=AMN&sme_rate=true"))
    expect(phone_page.locator("#results-count")).to_have_text("1 infrastructure")
    assert not has_horizontal_scroll(phone_page)
    phone_page.locator("summary.filters-summary").click()
    expect(phone_page.locator("#f-ket-amn")).to_be_visible()
    assert not has_horizontal_scroll(phone_page)
