from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from .models import Concept, Infrastructure, Region


class StaticViewSitemap(Sitemap):
    def items(self) -> list[str]:
        return ["home", "catalogue:infrastructure_list"]

    def location(self, item: str) -> str:
        return reverse(item)


class InfrastructureSitemap(Sitemap):
    def items(self) -> QuerySet[Infrastructure]:
        return (
            Infrastructure.objects.published()
            .only("slug", "updated_at")
            .order_by("slug")
        )

    def lastmod(self, item: Infrastructure) -> datetime:
        return item.updated_at


class RegionSitemap(Sitemap):
    """Partner regions, and every region with published infrastructures in it."""

    def items(self) -> QuerySet[Region]:
        published_within = Infrastructure.objects.published().filter(
            region__code__startswith=OuterRef("code")
        )
        return Region.objects.filter(
            Q(is_partner=True) | Q(Exists(published_within))
        ).only("code")


class TechnologySitemap(Sitemap):
    def items(self) -> QuerySet[Concept]:
        return Concept.objects.in_scheme("ket").only("scheme", "code").order_by("order")


sitemaps = {
    "pages": StaticViewSitemap,
    "infrastructures": InfrastructureSitemap,
    "regions": RegionSitemap,
    "technologies": TechnologySitemap,
}
