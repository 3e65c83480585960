"""The sitemap: an index (``/sitemap.xml``) of sections of at most
``SECTION_SIZE`` URLs each (``/sitemap-<section>.xml?p=<n>``), with ``lastmod``."""

from datetime import datetime
from functools import cached_property

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.urls import reverse

from .models import Concept, Infrastructure, Region, SearchFacetCount

SECTION_SIZE = 5_000


class CatalogueSitemap(Sitemap):
    """A section whose pages change when a published listing does: its
    ``lastmod`` is that of the most recently updated published listing."""

    limit = SECTION_SIZE

    @cached_property
    def _latest_update(self) -> datetime | None:
        return Infrastructure.objects.published().aggregate(latest=Max("updated_at"))[
            "latest"
        ]

    def lastmod(self, item: object) -> datetime | None:
        return self._latest_update

    def get_latest_lastmod(self) -> datetime | None:
        return self._latest_update


class StaticViewSitemap(CatalogueSitemap):
    def items(self) -> list[str]:
        return ["home", "catalogue:infrastructure_list"]

    def location(self, item: str) -> str:
        return reverse(item)


class InfrastructureSitemap(CatalogueSitemap):
    def items(self) -> QuerySet[Infrastructure]:
        return (
            Infrastructure.objects.published()
            .only("slug", "updated_at")
            .order_by("slug")
        )

    def lastmod(self, item: Infrastructure) -> datetime:  # type: ignore[override]
        return item.updated_at


class RegionSitemap(CatalogueSitemap):
    """Partner regions, and every region with published infrastructures in it.

    The search's facet counts know how many published listings each region (at
    every NUTS level) holds: one index lookup per region instead of a scan."""

    def items(self) -> QuerySet[Region]:
        published_within = SearchFacetCount.objects.filter(
            tag=Concat(Value("region:"), OuterRef("code")), count__gt=0
        )
        return (
            Region.objects.filter(Q(is_partner=True) | Q(Exists(published_within)))
            .only("code")
            .order_by("code")
        )


class TechnologySitemap(CatalogueSitemap):
    def items(self) -> QuerySet[Concept]:
        return Concept.objects.in_scheme("ket").only("scheme", "code").order_by("order")


sitemaps = {
    "pages": StaticViewSitemap,
    "infrastructures": InfrastructureSitemap,
    "regions": RegionSitemap,
    "technologies": TechnologySitemap,
}
