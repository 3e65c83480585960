"""The regions and technologies index pages, and the catalogue-wide counts that
the home and index pages keep until the catalogue changes."""

import re

import pytest
from django.http import HttpResponse
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from core.pagecache import pages_changed
from tests.factories import make_infrastructure, make_service

pytestmark = pytest.mark.django_db

REGIONS = reverse("catalogue:region_list")
TECHNOLOGIES = reverse("catalogue:technology_list")


def region_url(code: str) -> str:
    return reverse("catalogue:region_detail", args=[code])


def technology_url(code: str) -> str:
    return reverse("catalogue:technology_detail", args=[code])


def visible_text(html: str) -> str:
    html = re.sub(r'<span class="visually-hidden">.*?</span>', "", html)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def table_rows(response: HttpResponse, labelled_by: str) -> list[str]:
    html = response.content.decode()
    table = re.search(
        rf'<table[^>]*aria-labelledby="{labelled_by}".*?</table>', html, re.DOTALL
    )
    assert table, f"no table labelled by {labelled_by}"
    return [
        visible_text(row)
        for row in re.findall(r"<tr.*?</tr>", table.group(), re.DOTALL)
    ]


def populate(n: int) -> None:
    for i in range(n):
        make_infrastructure(
            region=("ITH55", "ITH56", "SE224", "FR101")[i % 4], kets=["AMN", "NANO"]
        )


# The regions index


def test_regions_index_counts_published_listings_per_country_and_region(client):
    make_infrastructure(region="ITH55")
    make_infrastructure(region="ITH56")
    make_infrastructure(region="SE224")
    make_infrastructure(region="ITH55", status="draft")

    response = client.get(REGIONS)

    assertContains(response, "<title>Regions", count=1)
    assertContains(response, "<h1", count=1)
    rows = table_rows(response, "countries-title")
    assert rows[0] == "Country Regions Infrastructures"
    assert any(re.fullmatch(r"Italy \d+ NUTS-1 regions 2", row) for row in rows)
    assert any(re.fullmatch(r"Sweden \d+ NUTS-1 regions 1", row) for row in rows)
    assert any(re.fullmatch(r"France \d+ NUTS-1 regions 0", row) for row in rows)
    assert rows[-1] == "Total 3"
    # Each country's NUTS-1 and NUTS-2 regions are linked, with their counts.
    html = response.content.decode()
    italy = re.search(r'<section id="country-IT".*?</section>', html, re.DOTALL)
    assert italy
    text = visible_text(italy.group())
    assert "Italy 2 infrastructures" in text
    assert "Nord-Est ITH · 2" in text
    assert "Emilia-Romagna ITH5 · 2" in text
    for code in ("IT", "ITH", "ITH5"):
        assert f'href="{region_url(code)}"' in italy.group()
    assertContains(response, 'href="#country-SE"')


@pytest.mark.parametrize("n", [1, 12])
def test_regions_index_uses_a_fixed_number_of_queries(
    client, django_assert_num_queries, n
):
    populate(n)
    # The regions, and the published listings counted by region.
    with django_assert_num_queries(2):
        response = client.get(REGIONS)
    assert table_rows(response, "countries-title")[-1] == f"Total {n}"


# The technologies index


def test_technologies_index_lists_the_kets_with_descriptions_and_counts(client):
    make_infrastructure(kets=["NANO"])  # 2012: counts for its successor AMN
    make_infrastructure(kets=["AMN", "NANO"])  # counted once
    make_infrastructure(kets=["AI"])
    make_infrastructure(kets=["AI"], status="draft")

    response = client.get(TECHNOLOGIES)

    assertContains(response, "<title>Key Enabling Technologies", count=1)
    assertContains(response, "<h1", count=1)
    rows = table_rows(response, "kets-2018-title")
    assert rows[0] == "Technology Description Infrastructures"
    assert (
        "Advanced materials and nanotechnology Materials and nano-scale technologies 2"
        in rows
    )
    assert any(
        row.startswith("Artificial intelligence ") and row.endswith(" 1")
        for row in rows
    )
    assert any(
        row.startswith("Life-science technologies ") and row.endswith(" 0")
        for row in rows
    )
    earlier = table_rows(response, "kets-2012-title")
    assert any(
        row.startswith("Nanotechnology ")
        and row.endswith("Advanced materials and nanotechnology 2")
        for row in earlier
    )
    assertContains(response, f'href="{technology_url("AMN")}"')
    assertContains(response, f'href="{technology_url("NANO")}"')
    search = reverse("catalogue:infrastructure_list")
    assertContains(response, f'href="{search}?ket=AMN"')


@pytest.mark.parametrize("n", [1, 12])
def test_technologies_index_uses_a_fixed_number_of_queries(
    client, django_assert_num_queries, n
):
    populate(n)
    # The KETs, their 2018 successors, and the two counts (kept after that).
    with django_assert_num_queries(4):
        assert client.get(TECHNOLOGIES).status_code == 200
    with django_assert_num_queries(2):
        assert client.get(TECHNOLOGIES).status_code == 200


# Counts kept until the catalogue changes


def test_kept_counts_follow_a_change_of_the_catalogue(
    client, django_capture_on_commit_callbacks
):
    rii = make_infrastructure(kets=["AI"])
    make_service(infrastructure=rii)
    client.get(reverse("home"))
    client.get(TECHNOLOGIES)

    other = make_infrastructure(kets=["AI"])
    make_service(infrastructure=other)
    with django_capture_on_commit_callbacks(execute=True):
        pages_changed()  # what publishing or changing a listing does

    home = client.get(reverse("home"))
    assert {k.code: k.infrastructure_count for k in home.context["kets"]}["AI"] == 2
    assert home.context["service_count"] == 2
    technologies = client.get(TECHNOLOGIES)
    assert any(
        row.startswith("Artificial intelligence ") and row.endswith(" 2")
        for row in table_rows(technologies, "kets-2018-title")
    )


# Reaching the index pages


def test_navigation_and_breadcrumbs_lead_to_the_index_pages(client):
    make_infrastructure(region="ITH55", kets=["AI"])

    for url in (reverse("home"), region_url("ITH5"), technology_url("AI")):
        response = client.get(url)
        assertContains(response, f'href="{REGIONS}"')
        assertContains(response, f'href="{TECHNOLOGIES}"')
    region_page = client.get(region_url("ITH5")).content.decode()
    crumbs = re.search(r'<ol class="breadcrumb.*?</ol>', region_page, re.DOTALL)
    assert crumbs and f'href="{REGIONS}"' in crumbs.group()
    technology_page = client.get(technology_url("AI")).content.decode()
    crumbs = re.search(r'<ol class="breadcrumb.*?</ol>', technology_page, re.DOTALL)
    assert crumbs and f'href="{TECHNOLOGIES}"' in crumbs.group()
    assertNotContains(client.get(REGIONS), "#regions")
