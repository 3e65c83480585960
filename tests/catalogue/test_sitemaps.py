import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue import sitemaps
from catalogue.models import Infrastructure
from tests.factories import make_infrastructure

pytestmark = pytest.mark.django_db

SECTIONS = ("pages", "infrastructures", "regions", "technologies")


def _locs(content: bytes) -> list[str]:
    return re.findall(r"<loc>([^<]+)</loc>", content.decode())


def test_sitemap_index_lists_every_section_with_lastmod(client):
    make_infrastructure(region="ITH55")

    response = client.get(reverse("sitemap"))

    assert response.status_code == 200
    assert b"<sitemapindex" in response.content
    locs = _locs(response.content)
    for section in SECTIONS:
        url = reverse("sitemap_section", args=[section])
        assert f"http://testserver{url}" in locs
    assert response.content.count(b"<lastmod>") == len(locs)


def test_sitemap_index_pages_a_section_of_more_than_the_limit(client, monkeypatch):
    monkeypatch.setattr(sitemaps.InfrastructureSitemap, "limit", 2)
    for _ in range(5):
        make_infrastructure()

    index = _locs(client.get(reverse("sitemap")).content)
    section = reverse("sitemap_section", args=["infrastructures"])
    pages = [loc for loc in index if section in loc]

    assert len(pages) == 3
    assert pages[1].endswith("?p=2")
    sizes = [len(_locs(client.get(section, {"p": n}).content)) for n in (1, 2, 3)]
    assert sizes == [2, 2, 1]
    assert client.get(section, {"p": 4}).status_code == 404


def test_sitemap_sections_hold_at_most_5000_urls():
    for sitemap in sitemaps.sitemaps.values():
        assert sitemap.limit == 5_000


def test_sitemap_section_gives_each_listing_its_own_lastmod(client):
    listing = make_infrastructure()
    Infrastructure.objects.filter(pk=listing.pk).update(
        updated_at="2025-03-04T05:06:07Z"
    )

    response = client.get(reverse("sitemap_section", args=["infrastructures"]))

    assert b"<lastmod>2025-03-04</lastmod>" in response.content


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_sitemap_index_and_section_take_a_fixed_number_of_queries(client):
    index = reverse("sitemap")
    section = reverse("sitemap_section", args=["infrastructures"])
    make_infrastructure()
    few = (_queries(client, index), _queries(client, section))
    for _ in range(10):
        make_infrastructure()

    many = (_queries(client, index), _queries(client, section))

    assert few == many
    # A count and the latest update per section; the section's rows and its lastmod.
    assert many[0] <= 2 * len(SECTIONS)
    assert many[1] <= 3
