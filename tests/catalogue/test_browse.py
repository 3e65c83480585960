import re

import pytest
from django.http import HttpResponse
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from catalogue import search
from catalogue.models import GoodPractice, Region
from tests.factories import (
    concept,
    make_equipment,
    make_infrastructure,
    make_ris3_priority,
    make_service,
)

pytestmark = pytest.mark.django_db


def region_url(code: str) -> str:
    return reverse("catalogue:region_detail", kwargs={"code": code})


def technology_url(code: str) -> str:
    return reverse("catalogue:technology_detail", kwargs={"code": code})


def table_rows(response: HttpResponse, labelled_by: str) -> list[str]:
    """The rows of the table labelled by ``labelled_by``, as the text a sighted user
    reads in them."""
    html = response.content.decode()
    table = re.search(
        rf'<table[^>]*aria-labelledby="{labelled_by}".*?</table>', html, re.DOTALL
    )
    assert table, f"no table labelled by {labelled_by}"
    visible = re.sub(r'<span class="visually-hidden">.*?</span>', "", table.group())
    rows = re.findall(r"<tr.*?</tr>", visible, re.DOTALL)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def make_good_practice(*, region: str = "ITH5", **fields) -> GoodPractice:
    fields.setdefault("title", "MIST E-R, a public-private lab")
    fields.setdefault("slug", "mist-e-r")
    fields.setdefault("summary", "A joint lab of universities and companies.")
    fields.setdefault("what_worked", "Shared governance and a single front desk.")
    return GoodPractice.objects.create(region_id=region, **fields)


def populate(n: int, *, region: str = "ITH55") -> None:
    """``n`` published RIIs with services and equipment, and the region's context."""
    for _ in range(n):
        rii = make_infrastructure(region=region, kets=["AMN", "NANO", "AI"])
        rii.types.set([concept("rii_type", "pilot_line")])
        make_service(infrastructure=rii)
        make_equipment(infrastructure=rii)
    priority = make_ris3_priority(region="ITH5")
    priority.nabs_chapters.set([concept("nabs", "06")])
    priority.nace_sections.set([concept("nace", "C")])
    priority.kets.set([concept("ket", "AMN")])
    make_ris3_priority(region="IT")
    make_good_practice(infrastructure=rii)


# Region pages


def test_region_page_shows_profile_priorities_and_good_practices(client):
    Region.objects.filter(code="ITH5").update(profile="A dense fabric of SMEs.")
    priority = make_ris3_priority(region="ITH5", name="Mechatronics and motoring")
    priority.description = "Machines, vehicles and their electronics."
    priority.save()
    priority.nabs_chapters.set([concept("nabs", "06")])
    priority.nace_sections.set([concept("nace", "C")])
    priority.kets.set([concept("ket", "AM")])
    make_ris3_priority(region="IT", name="A national priority")
    make_ris3_priority(region="SE224", name="Life science in Skåne")
    rii = make_infrastructure(name="Laboratorio MIST E-R", region="ITH55")
    make_good_practice(infrastructure=rii)

    response = client.get(region_url("ITH5"))

    assertContains(response, "<h1", count=1)
    for text in (
        "Emilia-Romagna",
        "A dense fabric of SMEs.",
        "Mechatronics and motoring",
        "Machines, vehicles and their electronics.",
        "Industrial production and technology",
        "Manufacturing",
        "Advanced manufacturing technologies",
        "A national priority",
        "MIST E-R, a public-private lab",
        "Shared governance and a single front desk.",
    ):
        assertContains(response, text)
    assertNotContains(response, "Life science in Skåne")
    assertContains(response, f'id="ris3-{priority.pk}"')
    assertContains(response, 'id="practice-mist-e-r"')
    assertContains(response, f'href="{rii.get_absolute_url()}"', count=2)


def test_region_page_counts_infrastructures_by_ket_type_and_area(client):
    bologna = make_infrastructure(region="ITH55", kets=["NANO"])  # 2012, counts as AMN
    bologna.types.set([concept("rii_type", "core_facility")])
    make_infrastructure(region="ITH56", kets=["AMN", "AMAT"])
    make_infrastructure(region="ITH55", kets=["AMN"], status="draft")
    make_infrastructure(region="SE224", kets=["AMN"])

    response = client.get(region_url("ITH5"))

    kets = table_rows(response, "by-ket-title")
    assert "Advanced materials and nanotechnology 2" in kets
    assert "Artificial intelligence 0" in kets
    assert table_rows(response, "by-type-title")[1:] == ["Core facility 1"]
    assert table_rows(response, "by-area-title")[1:] == ["Bologna 1", "Ferrara 1"]
    search = reverse("catalogue:infrastructure_list")
    assertContains(response, f'href="{search}?region=ITH5"')
    assertContains(response, f'href="{search}?region=ITH5&amp;ket=AMN"')


def test_region_page_lists_published_infrastructures_below_it_and_no_drafts(client):
    make_infrastructure(name="Tecnopolo di Bologna", region="ITH55")
    make_infrastructure(name="Draft lab", region="ITH55", status="draft")
    make_infrastructure(name="Pending lab", region="ITH55", status="pending")
    make_infrastructure(name="Lund nanolab", region="SE224")

    response = client.get(region_url("ITH5"))

    assertContains(response, "Tecnopolo di Bologna")
    for name in ("Draft lab", "Pending lab", "Lund nanolab"):
        assertNotContains(response, name)


def test_region_page_shows_the_latest_30_and_links_to_all_of_many(client):
    oldest = make_infrastructure(name="The oldest listing", region="ITH55")
    for _ in range(30):
        make_infrastructure(region="ITH55")

    response = client.get(region_url("ITH5"))

    assertContains(response, "Recently updated infrastructures")
    assertNotContains(response, oldest.get_absolute_url())
    assertContains(response, "Search all 31 infrastructures in Emilia-Romagna")


def test_region_page_places_the_region_among_its_ancestors(client):
    response = client.get(region_url("ITH55"))

    for code in ("IT", "ITH", "ITH5"):
        assertContains(response, f'href="{region_url(code)}"')
    assertContains(response, '<li class="breadcrumb-item active" aria-current="page">')
    assertContains(response, "No infrastructures from this region are published yet.")


def test_good_practice_of_an_unpublished_infrastructure_does_not_link_to_it(client):
    draft = make_infrastructure(region="ITH55", status="draft")
    make_good_practice(infrastructure=draft)

    response = client.get(region_url("ITH5"))

    assertContains(response, "MIST E-R, a public-private lab")
    assertNotContains(response, draft.get_absolute_url())


def test_region_code_is_case_insensitive(client):
    assertContains(client.get(region_url("ith5")), "Emilia-Romagna")


def test_unknown_region_is_a_404(client):
    assert client.get(region_url("XX9")).status_code == 404


@pytest.mark.parametrize("n", [1, 20])
def test_region_page_uses_a_fixed_number_of_queries(
    client, django_assert_num_queries, n
):
    populate(n)
    with django_assert_num_queries(14):
        response = client.get(region_url("ITH5"))
    assert response.status_code == 200


# Technology pages


def test_technology_page_counts_2012_tags_and_groups_by_partner_region(client):
    make_infrastructure(name="Nano lab", region="ITH55", kets=["NANO"])
    make_infrastructure(name="Materials lab", region="ITH56", kets=["AMN", "AMAT"])
    make_infrastructure(name="Lund lab", region="SE224", kets=["AMN"])
    make_infrastructure(name="Paris lab", region="FR101", kets=["AMN"])
    make_infrastructure(name="Draft lab", region="ITH55", kets=["AMN"], status="draft")
    make_infrastructure(name="AI lab", region="ITH55", kets=["AI"])

    response = client.get(technology_url("AMN"))

    assertContains(response, "<h1", count=1)
    assertContains(response, "Advanced materials and nanotechnology")
    assertContains(response, "Materials and nano-scale technologies")
    assertContains(response, f'href="{technology_url("NANO")}"')
    assertContains(response, f'href="{technology_url("AMAT")}"')
    for name in ("Nano lab", "Materials lab", "Lund lab", "Paris lab"):
        assertContains(response, name)
    for name in ("Draft lab", "AI lab"):
        assertNotContains(response, name)
    rows = table_rows(response, "by-region-title")
    assert "Emilia-Romagna 2" in rows
    assert "Skåne 1" in rows
    assert "Flanders 0" in rows
    assert "Other regions 1" in rows
    assert rows[-1] == "Total 4"
    search = reverse("catalogue:infrastructure_list")
    assertContains(response, f'href="{search}?ket=AMN"')


def test_2012_technology_page_points_to_its_2018_successor(client):
    make_infrastructure(name="Nano lab", region="ITH55", kets=["NANO"])
    make_infrastructure(name="Materials lab", region="ITH55", kets=["AMN"])

    response = client.get(technology_url("nano"))

    assertContains(response, "Nanotechnology")
    assertContains(response, "In the 2018 list, this technology is part of")
    assertContains(response, f'href="{technology_url("AMN")}"')
    assertContains(response, "Nano lab")
    assertNotContains(response, "Materials lab")


@pytest.mark.parametrize("code", ["XX", "testing"])
def test_unknown_technology_is_a_404(client, code):
    assert client.get(technology_url(code)).status_code == 404


@pytest.mark.parametrize("n", [1, 20])
def test_technology_page_uses_a_fixed_number_of_queries(
    client, django_assert_num_queries, n
):
    populate(n)
    with django_assert_num_queries(6):
        response = client.get(technology_url("AMN"))
    assert response.status_code == 200


# Sitemap and robots.txt


def test_sitemap_lists_published_pages_and_not_drafts(client):
    published = make_infrastructure(region="ITH55", kets=["AI"])
    draft = make_infrastructure(region="FR101", status="draft")
    # The region section reads the search's facet counts, as the search page does.
    search.refresh()

    content = "".join(
        client.get(reverse("sitemap_section", args=[section])).content.decode()
        for section in ("pages", "infrastructures", "regions", "technologies")
    )

    for url in (
        reverse("home"),
        reverse("catalogue:infrastructure_list"),
        published.get_absolute_url(),
        region_url("ITH55"),
        region_url("ITH5"),
        region_url("SE224"),
        technology_url("AI"),
        technology_url("NANO"),
    ):
        assert f"<loc>http://testserver{url}</loc>" in content
    assert "<lastmod>" in content
    assert draft.get_absolute_url() not in content
    assert region_url("FR101") not in content


def test_robots_txt_disallows_admin_and_points_to_the_sitemap(client):
    response = client.get(reverse("robots_txt"))

    assert response["Content-Type"].startswith("text/plain")
    content = response.content.decode()
    assert "Disallow: /admin/" in content
    assert "Sitemap: http://testserver/sitemap.xml" in content
