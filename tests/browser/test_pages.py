import pytest
from django.urls import reverse

from tests.factories import (
    make_equipment,
    make_infrastructure,
    make_ris3_priority,
    make_service,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def listing():
    rii = make_infrastructure(
        name="Laboratorio MIST E-R",
        acronym="MIST E-R",
        region="ITH55",
        latitude="44.5230",
        longitude="11.3400",
        address="Via Gobetti 101",
        description="Materials and micro-nano technologies.\n\nOpen to companies.",
        sme_offer="A free first meeting.",
        kets=["AMN", "NANO"],
    )
    make_service(infrastructure=rii, name="Thin-film analysis", lead_time_days=10)
    make_equipment(infrastructure=rii, name="Scanning electron microscope")
    make_ris3_priority(region="ITH5", name="Mechatronics and motoring")
    return rii


def test_home_page_is_accessible_and_searchable_by_keyboard(page, assert_accessible):
    page.goto(page.live_server_url + reverse("home"))
    assert_accessible(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.get_by_label("What do you need to test, measure or make?").focus()
    page.keyboard.type("microscopy")
    page.keyboard.press("Enter")
    page.wait_for_url("**/infrastructures/?q=microscopy")
    assert page.js_errors == []


def test_detail_page_is_accessible(page, listing, assert_accessible):
    page.goto(page.live_server_url + listing.get_absolute_url())
    assert page.get_by_role("heading", level=1).inner_text() == ("Laboratorio MIST E-R")
    assert page.get_by_role("link", name="Request access").is_visible()
    assert_accessible(page)
    assert page.js_errors == []


def test_detail_page_fits_a_phone_screen(phone_page, listing):
    phone_page.goto(phone_page.live_server_url + listing.get_absolute_url())
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
    assert not overflow


def test_region_page_is_accessible(page, listing, assert_accessible):
    from catalogue.models import GoodPractice

    GoodPractice.objects.create(
        title="Open lab days",
        slug="open-lab-days",
        region_id="ITH5",
        infrastructure=listing,
        summary="Companies visit the labs.",
        what_worked="Short visits with concrete demonstrations.",
    )
    page.goto(page.live_server_url + reverse("catalogue:region_detail", args=["ITH5"]))
    assert page.get_by_role("heading", level=1).inner_text() == "Emilia-Romagna"
    assert page.get_by_text("Mechatronics and motoring").first.is_visible()
    assert_accessible(page)
    assert page.js_errors == []


def test_technology_page_is_accessible(page, listing, assert_accessible):
    page.goto(
        page.live_server_url + reverse("catalogue:technology_detail", args=["AMN"])
    )
    assert (
        "Advanced materials and nanotechnology"
        in page.get_by_role("heading", level=1).inner_text()
    )
    assert page.get_by_role("link", name="Laboratorio MIST E-R").first.is_visible()
    assert_accessible(page)
    assert page.js_errors == []


def test_not_found_page_is_accessible(page, assert_accessible):
    page.goto(page.live_server_url + "/infrastructures/no-such-listing/")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "We could not find that page"
    )
    assert_accessible(page)
