"""The search page's filters in a real browser, at phone and desktop widths: chips
that read as labels, each partner region once, and the message of an inverted TRL
range next to its fields."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from catalogue import search
from catalogue.models import Concept
from tests.factories import make_infrastructure, make_service

FILTERS = "?ket=AM&region=CZ064&language=cs&trl_min=7&trl_max=3"


@pytest.fixture
def catalogue():
    brno = make_infrastructure(name="Brno Additive Lab", region="CZ064", kets=["AM"])
    brno.languages.set(Concept.objects.filter(scheme="language", code__in=["cs", "en"]))
    make_service(infrastructure=brno, trl_from=4, trl_to=6)
    make_infrastructure(name="Lund Foundry", region="SE224", kets=["AM"])
    search.refresh()


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_filtered_search_reads_as_labels_and_explains_an_inverted_trl_range(
    request, viewport, catalogue, assert_accessible
):
    page = request.getfixturevalue(viewport)
    url = page.live_server_url + reverse("catalogue:infrastructure_list")
    page.goto(url + FILTERS)

    chips = page.locator("ul.chips a.chip > span:first-child").all_inner_texts()
    assert chips == [
        "Key Enabling Technology: Advanced manufacturing technologies",
        "Region: South Moravia",
        "Language spoken: Czech",
    ]
    # The filters open by themselves to show the message by the TRL fields.
    error = page.locator("#f-trl-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("“TRL to” (3) is lower than “TRL from” (7)")
    expect(page.locator("#f-trl-max")).to_have_value("3")
    card = page.locator("li.rii-card", has_text="Brno Additive Lab")
    expect(card).to_contain_text("Czech, English")
    regions = page.locator("input[name=region] + label > span:first-child")
    assert regions.all_inner_texts() == ["South Moravia"]
    assert not page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
    page.screenshot(path=f"/tmp/facets-{viewport}.png", full_page=True)
    assert_accessible(page)
