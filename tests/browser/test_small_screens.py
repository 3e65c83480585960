"""The equipment table, "My requests" and the focus ring on a phone and a desktop."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.test_accounts import PASSWORD
from tests.factories import (
    make_access_request,
    make_account,
    make_equipment,
    make_infrastructure,
)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _fits_the_screen(page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - window.innerWidth"
    )
    assert overflow <= 0, f"the page is {overflow} px wider than the screen"


def _in_view(page, locator) -> None:
    """Visible and not clipped: entirely inside the screen's width."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None
    width = page.viewport_size["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (locator, box)


def _rgb(css: str) -> tuple[float, float, float]:
    r, g, b = (float(v) for v in re.findall(r"[\d.]+", css)[:3])
    return r, g, b


def _luminance(css: str) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(css))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.fixture
def lab():
    infrastructure = make_infrastructure(name="Additive Manufacturing Lab")
    make_equipment(
        infrastructure=infrastructure,
        name="Field-emission scanning electron microscope with EDS",
        technique="Imaging and elemental analysis of printed parts",
        manufacturer="Thermo Fisher Scientific",
        model="Apreo 2 SEM",
        year_commissioned=2021,
        quantity=2,
    )
    make_equipment(
        infrastructure=infrastructure,
        name="Laser powder-bed fusion printer",
        manufacturer="EOS",
        model="M 290",
    )
    return infrastructure


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_equipment_shows_make_model_and_request_link(
    page, lab, assert_accessible, viewport
):
    page.set_viewport_size(viewport)
    page.goto(page.live_server_url + lab.get_absolute_url())
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(3)  # header and two items
    microscope = table.get_by_role("row", name=re.compile("Field-emission"))
    expect(microscope.get_by_role("rowheader")).to_contain_text(
        "Field-emission scanning electron microscope"
    )
    _in_view(page, microscope.get_by_text("Thermo Fisher Scientific Apreo 2 SEM"))
    _in_view(page, microscope.get_by_text("2021"))
    _in_view(
        page,
        microscope.get_by_role(
            "link", name=re.compile(r"^Request\s*: Field-emission scanning electron")
        ),
    )
    printer = table.get_by_role("row", name=re.compile("Laser powder-bed"))
    _in_view(page, printer.get_by_text("EOS M 290"))
    _in_view(page, printer.get_by_role("link", name=re.compile("^Request")))
    # Screen readers still hear a table with its column headers.
    expect(table.get_by_role("columnheader", name="Make and model")).to_have_count(1)
    _fits_the_screen(page)
    page.locator("section", has=table).screenshot(
        path=f"/tmp/smallscreens-equipment-{viewport['width']}.png"
    )
    assert_accessible(page)


def test_my_requests_show_state_and_date_on_a_phone(phone_page, assert_accessible):
    sme = make_account(email="giulia@acme.example", password=PASSWORD)
    lab = make_infrastructure(
        name="Centre for Advanced Materials Characterisation and Testing"
    )
    make_access_request(infrastructure=lab, requester=sme, state="needs_information")
    make_access_request(infrastructure=lab, requester=sme, state="offer_sent")
    page = phone_page
    page.goto(
        page.live_server_url
        + reverse("account_login")
        + "?next="
        + reverse("access:my_requests")
    )
    page.get_by_label("Email").fill(sme.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("heading", name="My requests").wait_for()

    table = page.get_by_role("table", name="Access requests")
    expect(table.get_by_role("row")).to_have_count(3)
    for state in ("Needs information", "Offer sent"):
        row = table.get_by_role("row", name=re.compile(state))
        _in_view(page, row.get_by_text(state))
        _in_view(page, row.locator("time"))
        assert re.fullmatch(r"\d{1,2} \w{3} \d{4}", row.locator("time").inner_text())
    _fits_the_screen(page)
    page.screenshot(path="/tmp/smallscreens-my-requests-390.png", full_page=True)
    assert_accessible(page)


def _outline(page) -> dict[str, str]:
    return page.evaluate(
        """() => {
          const style = getComputedStyle(document.activeElement);
          return {
            width: style.outlineWidth, style: style.outlineStyle,
            color: style.outlineColor, text: document.activeElement.textContent.trim(),
          };
        }"""
    )


def _tab_to(page, selector: str) -> None:
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _assert_ring(page, background: str) -> None:
    outline = _outline(page)
    assert outline["style"] != "none", outline
    assert float(outline["width"].removesuffix("px")) >= 2, outline
    assert _contrast(outline["color"], background) >= 3, (outline, background)


def test_focus_ring_is_visible_on_the_dark_header_footer_and_light_page(page, lab):
    page.goto(page.live_server_url + lab.get_absolute_url())
    header = page.evaluate(
        "() => getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    )
    footer = page.evaluate(
        "() => getComputedStyle(document.querySelector('.site-footer')).backgroundColor"
    )
    white = "rgb(255, 255, 255)"

    _tab_to(page, ".site-header .nav-link")
    assert _outline(page)["text"] == "Find infrastructures"
    _assert_ring(page, header)
    _tab_to(page, ".site-header .btn")  # "Create account"
    _assert_ring(page, header)
    # On the white page: the equipment "Request" link.
    _tab_to(page, "main table a")
    _assert_ring(page, white)
    _tab_to(page, ".site-footer select")
    _assert_ring(page, footer)
    _tab_to(page, ".site-footer button")
    _assert_ring(page, footer)
    page.screenshot(path="/tmp/smallscreens-focus-footer.png")
    page.goto(page.live_server_url + lab.get_absolute_url())
    _tab_to(page, ".site-header .nav-link")
    page.screenshot(
        path="/tmp/smallscreens-focus-header.png",
        clip={"x": 0, "y": 0, "width": 1280, "height": 120},
    )
