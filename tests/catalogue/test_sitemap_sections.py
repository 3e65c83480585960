"""Sitemap sections written without Django's template: the same XML, headers and
errors as Django's ``sitemap`` view gives for the same sections."""

from typing import Any

import pytest
from django.contrib.sitemaps import views as sitemap_views
from django.test import RequestFactory
from django.urls import reverse

from catalogue import search
from catalogue.models import Infrastructure
from catalogue.sitemaps import sitemaps
from tests.factories import make_infrastructure

pytestmark = pytest.mark.django_db


def populate() -> None:
    for n in range(3):
        rii = make_infrastructure(region="ITH55" if n else "SE224", kets=["AI"])
        Infrastructure.objects.filter(pk=rii.pk).update(
            updated_at=f"2025-03-0{n + 1}T23:30:00Z"
        )
    make_infrastructure(region="FR101", status="draft")
    search.refresh()


@pytest.mark.parametrize("section", list(sitemaps))
def test_section_is_the_xml_django_writes(client, section):
    populate()
    url = reverse("sitemap_section", args=[section])

    response = client.get(url)
    django_view: Any = sitemap_views.sitemap
    expected = django_view(
        RequestFactory().get(url), sitemaps=sitemaps, section=section
    )
    expected.render()

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response.content == expected.content
    assert response["Last-Modified"] == expected["Last-Modified"]
    assert response["X-Robots-Tag"] == "noindex, noodp, noarchive"


def test_section_dates_are_those_of_brussels(client):
    populate()

    response = client.get(reverse("sitemap_section", args=["infrastructures"]))

    # 23:30 UTC is already the next day in Brussels, as Django's template writes it.
    assert b"<lastmod>2025-03-02</lastmod>" in response.content
    assert response["Last-Modified"] == "Mon, 03 Mar 2025 23:30:00 GMT"


@pytest.mark.parametrize(
    ("section", "page"), [("infrastructures", "2"), ("regions", "x"), ("nope", "1")]
)
def test_missing_section_or_page_is_a_404(client, section, page):
    populate()
    url = reverse("sitemap_section", args=[section])

    assert client.get(url, {"p": page}).status_code == 404
