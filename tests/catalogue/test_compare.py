"""The comparison page: two to four published listings side by side."""

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalogue import search
from catalogue.models import Concept
from tests.factories import (
    concept,
    make_access_request,
    make_infrastructure,
    make_organisation,
    make_service,
)

pytestmark = pytest.mark.django_db


def compare_url(*slugs: str) -> str:
    return reverse("catalogue:compare") + "?" + urlencode([("rii", s) for s in slugs])


def cells(html: str, criterion: str) -> list[str]:
    """The text of the cells of the row headed ``criterion``."""
    row = re.search(
        rf'<th scope="row"[^>]*>{re.escape(criterion)}</th>(.*?)</tr>', html, re.S
    )
    assert row, f"no row {criterion!r}"
    return [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<td>(.*?)</td>", row.group(1), re.S)
    ]


def listing_with_services(**fields):
    rii = make_infrastructure(**fields)
    rii.types.set([concept("rii_type", "pilot_line")])
    rii.languages.set(Concept.objects.filter(scheme="language", code__in=["en", "it"]))
    make_service(
        infrastructure=rii,
        trl_from=3,
        trl_to=5,
        price_band="under_1k",
        lead_time_days=20,
        sme_rate_available=False,
        ip_default="client_owns",
        nda_available=False,
    )
    make_service(
        infrastructure=rii,
        access_mode="remote",
        trl_from=4,
        trl_to=7,
        price_band="5k_20k",
        lead_time_days=10,
        sme_rate_available=True,
        ip_default="shared",
        nda_available=True,
    )
    return rii


def test_compares_the_listings_side_by_side_in_the_order_asked(client):
    host = make_organisation(name="Università di Udine")
    first = listing_with_services(
        name="Additive lab",
        host=host,
        city="Udine",
        kets=["AMN"],
        verified_at=timezone.now().replace(year=2026, month=3, day=14),
    )
    second = make_infrastructure(name="Bare lab", city="Stockholm", region="SE110")

    response = client.get(compare_url(second.slug, first.slug))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption" in html
    headers = re.findall(r'<th scope="col"><a href="([^"]+)">([^<]+)</a>', html)
    assert headers == [
        (second.get_absolute_url(), "Bare lab"),
        (first.get_absolute_url(), "Additive lab"),
    ]
    assert cells(html, "Location")[1] == "Udine, Emilia-Romagna, Italy"
    assert cells(html, "Host")[1] == "Università di Udine"
    assert cells(html, "Key Enabling Technologies")[1] == concept("ket", "AMN").label
    assert cells(html, "Types")[1] == concept("rii_type", "pilot_line").label
    modes = cells(html, "Access modes offered")[1]
    assert concept("access_mode", "staff_operated").label in modes
    assert concept("access_mode", "remote").label in modes
    assert cells(html, "Price bands")[1] == "Under EUR 1,000, EUR 5,000-20,000"
    assert cells(html, "SME rate available") == ["No services listed", "Yes"]
    assert cells(html, "Shortest lead time") == ["On request", "10 days"]
    assert cells(html, "TRL range") == ["–", "TRL 3–7"]
    assert cells(html, "Intellectual property by default")[1] == (
        "Client owns the results; Shared ownership"
    )
    assert cells(html, "NDA available") == ["No services listed", "Yes"]
    assert "English" in cells(html, "Languages")[1]
    assert cells(html, "Last verified") == ["Not verified yet", "14 March 2026"]
    assert reverse("access:request_create", args=[first.slug]) in html
    assert reverse("access:request_create", args=[second.slug]) in html


def test_median_response_needs_enough_requests(client):
    answered = make_infrastructure()
    quiet = make_infrastructure()
    submitted = timezone.now() - timedelta(days=10)
    for hours in (2, 5, 30):
        make_access_request(
            infrastructure=answered,
            submitted_at=submitted,
            first_response_at=submitted + timedelta(hours=hours),
        )
    make_access_request(
        infrastructure=quiet,
        submitted_at=submitted,
        first_response_at=submitted + timedelta(hours=1),
    )

    html = client.get(compare_url(answered.slug, quiet.slug)).content.decode()

    assert cells(html, "Median response to access requests") == [
        "5 hours",
        "Not enough requests yet",
    ]


def test_drafts_and_unknown_slugs_are_left_out_with_a_note(client):
    shown = [make_infrastructure(name=f"Shown {n}") for n in range(2)]
    draft = make_infrastructure(name="Secret draft", status="draft")

    response = client.get(
        compare_url(shown[0].slug, draft.slug, "no-such", shown[1].slug)
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Secret draft" not in html
    assert len(re.findall(r'<th scope="col">', html)) == 2
    assert "left out" in html
    assert "“no-such”" in html
    assert f"“{draft.slug}”" in html


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?rii=",
        "?rii=one-only",
        "?rii=a&rii=b&rii=c&rii=d&rii=e",
        "?rii=" + "x" * 5000 + "&rii=%FF",
        "?rii=a&rii=a",
    ],
)
def test_bad_input_gives_guidance_not_an_error(client, query):
    make_infrastructure(slug="a")

    response = client.get(reverse("catalogue:compare") + query)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose at" in html
    assert '<th scope="col">' not in html
    assert reverse("catalogue:infrastructure_list") in html


def test_one_known_listing_is_too_few(client):
    rii = make_infrastructure(name="Lonely lab")

    html = client.get(compare_url(rii.slug, "gone")).content.decode()

    assert "Choose at least 2 infrastructures to compare; 1 is selected." in html


def test_more_than_four_asks_for_fewer(client):
    slugs = [make_infrastructure().slug for _ in range(5)]

    html = client.get(compare_url(*slugs)).content.decode()

    assert "Choose at most 4 infrastructures to compare; 5 are selected." in html


def queries_to_compare(client, count: int) -> int:
    listings = [listing_with_services(kets=["AMN", "AI"]) for _ in range(count)]
    for rii in listings:
        for _ in range(3):
            make_access_request(infrastructure=rii, first_response_at=timezone.now())
    with CaptureQueriesContext(connection) as captured:
        response = client.get(compare_url(*(rii.slug for rii in listings)))
    assert response.status_code == 200
    assert len(re.findall(r'<th scope="col">', response.content.decode())) == count
    return len(captured)


def test_query_count_is_the_same_for_two_and_four_listings(client):
    assert queries_to_compare(client, 2) == queries_to_compare(client, 4)


def test_query_count_is_fixed(client, django_assert_num_queries):
    slugs = [listing_with_services().slug for _ in range(4)]
    # The listings with host and regions; their KETs, types, languages and
    # services; the median response times.
    with django_assert_num_queries(6):
        client.get(compare_url(*slugs))


def test_search_results_offer_a_compare_checkbox_of_the_compare_form(client):
    rii = make_infrastructure(name="Tickable lab")
    search.refresh()

    html = client.get(reverse("catalogue:infrastructure_list")).content.decode()

    box = re.search(r'<input[^>]*name="rii"[^>]*>', html)
    assert box, "no compare checkbox"
    assert f'value="{rii.slug}"' in box.group(0)
    assert 'form="compare-form"' in box.group(0)
    form = re.search(r'<form id="compare-form"[^>]*>', html)
    assert form and f'action="{reverse("catalogue:compare")}"' in form.group(0)
    assert 'method="get"' in form.group(0)
    assert re.search(
        r'<button type="submit" form="compare-form"[^>]*>Compare selected', html
    )


def test_shortlist_links_to_compare_its_listings(client):
    listed = [make_infrastructure(name=f"Listed {n}") for n in range(3)]
    for rii in listed:
        client.post(reverse("access:shortlist_add", args=[rii.slug]))

    html = client.get(reverse("access:shortlist_detail")).content.decode()

    link = re.search(r'href="([^"]+)">Compare these</a>', html)
    assert link, "no compare link"
    target = link.group(1).replace("&amp;", "&")
    compared = client.get(target).content.decode()
    assert len(re.findall(r'<th scope="col">', compared)) == 3


def test_shortlist_of_one_has_no_compare_link(client):
    rii = make_infrastructure()
    client.post(reverse("access:shortlist_add", args=[rii.slug]))

    html = client.get(reverse("access:shortlist_detail")).content.decode()

    assert rii.name in html
    assert "Compare these" not in html
