"""A listing's page: its services as a visitor reads them, and a number of
queries that grows neither with its services nor with its region's priorities."""

import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from catalogue.models import Concept
from tests.factories import make_infrastructure, make_ris3_priority, make_service

pytestmark = pytest.mark.django_db


def test_each_service_shows_its_terms_and_how_to_ask_for_it(client):
    rii = make_infrastructure(region="ITH55")
    service = make_service(
        infrastructure=rii,
        name="Fatigue <testing>",
        description="Cyclic loads & more.",
        trl_from=5,
        trl_to=5,
        price_band="1k_5k",
        sme_rate_available=True,
        lead_time_days=1,
        nda_available=False,
        booking_url="https://book.example.org/?a=1&b=2",
    )
    service.languages.set(
        Concept.objects.filter(scheme="language", code__in=["en", "it"])
    )
    make_service(infrastructure=rii, name="Open lab day", lead_time_days=None)

    response = client.get(rii.get_absolute_url())

    html = response.content.decode()
    article = re.search(
        rf'<article class="service" id="{service.anchor}".*?</article>', html, re.S
    )
    assert article, "the service has its own article, its anchor as id"
    text = " ".join(re.sub(r"<[^>]+>", " ", article.group()).split())
    for shown in (
        "Fatigue &lt;testing&gt;",
        "Cyclic loads &amp; more.",
        "Technology readiness TRL 5",
        "SME rate Available",
        "Typical lead time 1 day",
        "NDA Not offered",
        "Languages English, Italian",
        "Request this service",
        "Book online",
    ):
        assert shown in text
    request = reverse("access:request_create", args=[rii.slug])
    assert f'href="{request}?service={service.slug}"' in article.group()
    assert 'href="https://book.example.org/?a=1&amp;b=2" rel="noopener"' in html
    page_text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Typical lead time On request" in page_text
    assertNotContains(response, "<testing>")


@pytest.mark.parametrize("priorities", [1, 4])
def test_detail_page_queries_do_not_grow_with_the_regions_priorities(
    client, django_assert_num_queries, priorities
):
    rii = make_infrastructure(region="ITH55")
    make_service(infrastructure=rii)
    for n in range(priorities):
        rii.ris3_priorities.add(make_ris3_priority(region="ITH5", name=f"P{n}"))

    with django_assert_num_queries(13):
        response = client.get(rii.get_absolute_url())

    assertContains(response, '<li class="fw-semibold">', count=priorities)
