"""The regions and technologies index pages in a browser: accessible, and leading
on to the region and technology pages."""

import pytest
from django.urls import reverse

from tests.factories import make_infrastructure

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def listing():
    return make_infrastructure(
        name="Laboratorio MIST E-R", region="ITH55", kets=["AMN", "NANO"]
    )


def test_regions_index_is_accessible(page, listing, assert_accessible):
    page.goto(page.live_server_url + reverse("catalogue:region_list"))
    assert page.get_by_role("heading", level=1).inner_text() == "Regions"
    page.get_by_role("link", name="Emilia-Romagna").first.click()
    page.wait_for_url("**" + reverse("catalogue:region_detail", args=["ITH5"]))
    page.goto(page.live_server_url + reverse("catalogue:region_list"))
    assert_accessible(page)
    assert page.js_errors == []


def test_technologies_index_is_accessible(page, listing, assert_accessible):
    page.goto(page.live_server_url + reverse("catalogue:technology_list"))
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Key Enabling Technologies"
    )
    assert page.get_by_role("link", name="Nanotechnology", exact=True).is_visible()
    assert_accessible(page)
    assert page.js_errors == []
