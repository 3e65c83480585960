"""The sitemap: an index (``/sitemap.xml``) of sections of at most
``SECTION_SIZE`` URLs each (``/sitemap-<section>.xml?p=<n>``), with ``lastmod``.

The index is Django's view; a section is written by ``section`` below, which
reads each page as plain rows (no model instances, no ``reverse()`` per URL) and
writes the same XML as Django's ``sitemap.xml`` template without a template loop:
through the template, a section of 5,000 listings took close to a second."""

from collections.abc import Iterable
from datetime import datetime
from functools import cached_property
from html import escape
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import x_robots_tag
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from .models import Concept, Infrastructure, Region, SearchFacetCount

SECTION_SIZE = 5_000

_URLSET_START = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    ' xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)
_URLSET_END = "\n</urlset>\n"


def _path_prefix(url_name: str) -> str:
    """The path of ``url_name`` up to its one argument (which ends the path)."""
    return reverse(url_name, args=["0"]).removesuffix("0/")


class CatalogueSitemap(Sitemap):
    """A section whose pages change when a published listing does: its
    ``lastmod`` is that of the most recently updated published listing."""

    limit = SECTION_SIZE

    @cached_property
    def _latest_update(self) -> datetime | None:
        return Infrastructure.objects.published().aggregate(latest=Max("updated_at"))[
            "latest"
        ]

    def lastmod(self, item: Any) -> datetime | None:
        return self._latest_update

    def get_latest_lastmod(self) -> datetime | None:
        return self._latest_update

    def entries(self, page: int | str) -> Iterable[tuple[str, datetime | None]]:
        """The path and ``lastmod`` of each URL of ``page`` (EmptyPage or
        PageNotAnInteger for a page that is not one)."""
        for item in self.paginator.page(page).object_list:
            yield self.location(item), self.lastmod(item)


class StaticViewSitemap(CatalogueSitemap):
    def items(self) -> list[str]:
        return ["home", "catalogue:infrastructure_list"]

    def location(self, item: str) -> str:
        return reverse(item)


class InfrastructureSitemap(CatalogueSitemap):
    def items(self) -> QuerySet[Infrastructure, tuple[str, datetime]]:
        return (
            Infrastructure.objects.published()
            .order_by("slug")
            .values_list("slug", "updated_at")
        )

    @cached_property
    def _prefix(self) -> str:
        return _path_prefix("catalogue:infrastructure_detail")

    def location(self, item: tuple[str, datetime]) -> str:
        return f"{self._prefix}{item[0]}/"

    def lastmod(self, item: tuple[str, datetime]) -> datetime:
        return item[1]


class RegionSitemap(CatalogueSitemap):
    """Partner regions, and every region with published infrastructures in it.

    The search's facet counts know how many published listings each region (at
    every NUTS level) holds: one index lookup per region instead of a scan."""

    def items(self) -> QuerySet[Region, str]:
        published_within = SearchFacetCount.objects.filter(
            tag=Concat(Value("region:"), OuterRef("code")), count__gt=0
        )
        return (
            Region.objects.filter(Q(is_partner=True) | Q(Exists(published_within)))
            .order_by("code")
            .values_list("code", flat=True)
        )

    @cached_property
    def _prefix(self) -> str:
        return _path_prefix("catalogue:region_detail")

    def location(self, item: str) -> str:
        return f"{self._prefix}{item}/"


class TechnologySitemap(CatalogueSitemap):
    def items(self) -> QuerySet[Concept, str]:
        return (
            Concept.objects.in_scheme("ket")
            .order_by("order")
            .values_list("code", flat=True)
        )

    @cached_property
    def _prefix(self) -> str:
        return _path_prefix("catalogue:technology_detail")

    def location(self, item: str) -> str:
        return f"{self._prefix}{item}/"


sitemaps: dict[str, type[CatalogueSitemap]] = {
    "pages": StaticViewSitemap,
    "infrastructures": InfrastructureSitemap,
    "regions": RegionSitemap,
    "technologies": TechnologySitemap,
}


@require_GET
@x_robots_tag
def section(request: HttpRequest, section: str) -> HttpResponse:
    """One page (``?p=``, from 1) of a section, as Django's ``sitemap`` view
    answers it: the same URLs, ``lastmod`` dates and ``Last-Modified`` header."""
    if section not in sitemaps:
        raise Http404(f"No sitemap available for section: {section!r}")
    site = sitemaps[section]()
    base = f"{site.get_protocol(request.scheme)}://{site.get_domain(get_current_site(request))}"
    page = request.GET.get("p", 1)
    rows = []
    latest: datetime | None = None
    try:
        for path, lastmod in site.entries(page):
            if lastmod is None:
                rows.append(f"<url><loc>{escape(base + path)}</loc></url>")
                continue
            if latest is None or lastmod > latest:
                latest = lastmod
            day = timezone.localtime(lastmod).date().isoformat()
            rows.append(
                f"<url><loc>{escape(base + path)}</loc><lastmod>{day}</lastmod></url>"
            )
    except EmptyPage as empty:
        raise Http404(f"Page {page} empty") from empty
    except PageNotAnInteger as not_integer:
        raise Http404(f"No page {page!r}") from not_integer
    headers = {"Last-Modified": http_date(latest.timestamp())} if latest else None
    return HttpResponse(
        _URLSET_START + "".join(rows) + _URLSET_END,
        content_type="application/xml",
        headers=headers,
    )
