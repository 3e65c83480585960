import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from catalogue import search
from catalogue.models import Region
from catalogue.vocabulary import vocabulary
from tests.factories import make_equipment, make_infrastructure, make_service

pytestmark = pytest.mark.django_db
URL = reverse("catalogue:infrastructure_list")


def populate(n: int) -> None:
    for i in range(n):
        rii = make_infrastructure(
            name=f"Microscopy centre {i}", region="ITH55", kets=["AMN", "NANO"]
        )
        make_service(infrastructure=rii, name="Electron microscopy")
        make_equipment(infrastructure=rii, name="Scanning electron microscope")
    search.refresh()
    vocabulary()  # labels are cached across requests


@pytest.mark.parametrize("n", [1, 25])
@pytest.mark.parametrize(
    ("params", "queries"),
    [
        # the counts and the page's ids, its listings (and matches for a text)
        ("", 2),
        ("?q=microscopy", 3),
        ("?q=microscopy&ket=AMN&country=IT&partner=true", 3),
        ("?q=mikroscopy", 5),  # no match: suggestion and a recount first
        ("?q=microscopy&page=2&sort=name", 3),
    ],
)
def test_search_page_uses_a_fixed_number_of_queries(
    client, django_assert_num_queries, n, params, queries
):
    populate(n)
    with django_assert_num_queries(queries):
        response = client.get(URL + params)
    assert response.status_code == 200


def test_search_page_shows_results_with_terms_and_highlighted_matches(client):
    rii = make_infrastructure(name="Imaging Centre", region="ITH55", kets=["NANO"])
    make_service(
        infrastructure=rii,
        name="Electron microscopy",
        slug="em",
        sme_rate_available=True,
        lead_time_days=12,
    )
    search.refresh()
    response = client.get(URL, {"q": "microscopy"})
    assertContains(response, "1 infrastructure")
    assertContains(response, "Imaging Centre")
    assertContains(response, "Electron <mark>microscopy</mark>", html=False)
    assertContains(response, f'href="{rii.get_absolute_url()}#service-em"')
    assertContains(response, "Advanced materials and nanotechnology")
    assertContains(response, "from 12 days")
    assertContains(response, "Text: microscopy")


def test_htmx_requests_get_only_the_results_fragment(client):
    populate(1)
    response = client.get(URL, {"q": "microscopy"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="search-body"')
    assert "<html" not in response.text
    assert "HX-Request" in response["Vary"]
    restore = client.get(
        URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.text


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "99999"},
        {"q": "x" * 10_000},
        {"ket": ["XYZ", "AMN"], "region": "ZZ99"},
        {"trl_min": "nine"},
        {"sort": "random"},
    ],
)
def test_bad_input_renders_a_page_with_a_clear_message(client, params):
    populate(1)
    response = client.get(URL, params)
    assert response.status_code == 200
    assertContains(response, 'class="alert alert-warning')


def test_no_results_offers_ways_forward(client):
    populate(1)
    response = client.get(URL, {"q": "zzzzqqq", "country": "IT"})
    assertContains(response, "No infrastructure matches all of this yet")
    assertContains(response, "Remove a filter above")
    assertContains(response, "Partner regions")


def test_search_page_only_answers_get(client):
    assert client.post(URL).status_code == 405


def test_pagination_links_keep_the_search(client):
    populate(25)
    response = client.get(URL, {"q": "microscopy", "ket": "AMN"})
    assertContains(response, "25 infrastructures")
    assertContains(response, "?q=microscopy&amp;ket=AMN&amp;page=2")
    second = client.get(URL, {"q": "microscopy", "ket": "AMN", "page": 2})
    assert len(second.context["search"].infrastructures) == 5
    assertNotContains(second, 'rel="next"')


def test_result_cards_show_what_an_sme_looks_at_first(client):
    terms = vocabulary()
    small = make_infrastructure(
        name="Imaging Centre",
        acronym="IMC",
        region="DE212",
        city="Munich",
        kets=["AMN"],
    )
    make_service(
        infrastructure=small,
        name="Electron microscopy",
        sme_rate_available=True,
        lead_time_days=5,
    )
    partner = make_infrastructure(name="Foundry <Lab>", region="SE224", city="Lund")
    search.refresh()

    page = client.get(URL, {"q": "microscopy"}).content.decode()
    # A NUTS 3 region is named by the one above it, unless it is a partner region.
    assert f"Munich, {terms.region_name('DE21')}</p>" in page
    assert f'href="{small.get_absolute_url()}">Imaging Centre (IMC)</a>' in page
    assert "Service:</span> <a" in page
    assert "Electron <mark>microscopy</mark></a>" in page
    assert 'class="badge badge-ket">' in page
    assert "from 5 days" in page
    assert ">available</dd>" in page

    page = client.get(URL, {"q": "foundry"}).content.decode()
    assert Region.objects.get(code="SE224").is_partner
    assert f"Lund, {terms.region_name('SE224')}</p>" in page
    assert "Foundry &lt;Lab&gt;" in page
    assert "on request" in page and "not offered" in page
    assert partner.get_absolute_url() in page
