from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from . import compare as comparison
from .models import Concept, GoodPractice, Infrastructure, Region, RIS3Priority
from .querysets import (
    InfrastructureQuerySet,
    once_per_change,
    total_of,
    with_counts,
)
from .schema_org import infrastructure_json_ld
from .search import SORTS, search_catalogue
from .search.forms import TRL_LEVELS


@require_GET
@vary_on_headers("HX-Request")
def infrastructure_list(request: HttpRequest) -> HttpResponse:
    results = search_catalogue(request.GET)
    template = "catalogue/infrastructure_list.html"
    if request.headers.get("HX-Request") and not request.headers.get(
        "HX-History-Restore-Request"
    ):
        template += "#search-body"
    context = {"search": results, "sorts": SORTS, "trl_levels": TRL_LEVELS}
    return render(request, template, context)


@require_GET
def infrastructure_detail(request: HttpRequest, slug: str) -> HttpResponse:
    infrastructure = get_object_or_404(
        Infrastructure.objects.published().with_detail_relations(), slug=slug
    )
    # With their regions: a priority's link names its region's page.
    priorities = RIS3Priority.objects.for_region(infrastructure.region).select_related(
        "region"
    )
    return render(
        request,
        "catalogue/infrastructure_detail.html",
        {
            "infrastructure": infrastructure,
            "ris3_priorities": priorities,
            "json_ld_data": infrastructure_json_ld(request, infrastructure),
            "median_response": (infrastructure.access_requests.median_first_response()),
        },
    )


BROWSE_LIST_LIMIT = 30


def _browse_list(
    infrastructures: InfrastructureQuerySet, count: int
) -> InfrastructureQuerySet:
    """All the listings by name or, past the limit, the most recently updated."""
    order = "-updated_at" if count > BROWSE_LIST_LIMIT else Lower("name")
    listed = infrastructures.select_related("host", "region").order_by(order)
    return listed[:BROWSE_LIST_LIMIT]


@require_GET
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region, code=code.upper())
    published = Infrastructure.objects.published().in_region(region.code)
    # Every count of the page from two grouped statements: by region, by term.
    by_region = published.counts_by_region()
    count = by_region[region.code]
    by_ket = published.counts_by_concept("kets")
    by_type = published.counts_by_concept("types")
    areas = with_counts(region.children.order_by("name"), by_region, key="code")
    types = with_counts(Concept.objects.in_scheme("rii_type"), by_type, key="pk")
    context = {
        "region": region,
        "ancestors": Region.objects.filter(code__in=region.ancestor_codes()[:-1]),
        "areas": [area for area in areas if area.infrastructure_count],
        "ris3_priorities": RIS3Priority.objects.for_region(region).with_tag_relations(),
        "kets": with_counts(Concept.objects.kets_current(), by_ket, key="pk"),
        "types": [term for term in types if by_type[term.pk]],
        "infrastructure_count": count,
        "infrastructures": _browse_list(published, count),
        "list_limit": BROWSE_LIST_LIMIT,
        "good_practices": GoodPractice.objects.filter(
            region__code__startswith=region.code
        ).select_related("infrastructure"),
    }
    return render(request, "catalogue/region_detail.html", context)


@require_GET
def technology_detail(request: HttpRequest, code: str) -> HttpResponse:
    ket = get_object_or_404(
        Concept.objects.in_scheme("ket").prefetch_related("maps_to", "mapped_from"),
        code=code.upper(),
    )
    published = Infrastructure.objects.published().tagged_with(ket)
    by_region = published.counts_by_region()
    count = total_of(by_region)
    partners = Region.objects.partners().order_by("name_en")
    # Partner regions do not nest, so what they leave out is elsewhere.
    regions = with_counts(partners, by_region, key="code")
    context = {
        "ket": ket,
        "partner_regions": regions,
        "elsewhere_count": count - sum(r.infrastructure_count for r in regions),
        "infrastructure_count": count,
        "infrastructures": _browse_list(published, count),
        "list_limit": BROWSE_LIST_LIMIT,
    }
    return render(request, "catalogue/technology_detail.html", context)


@dataclass
class RegionEntry:
    """A region of the regions index, its published listings and its areas."""

    region: Region
    infrastructure_count: int
    areas: list["RegionEntry"] = field(default_factory=list)


@require_GET
def region_list(request: HttpRequest) -> HttpResponse:
    """Every country, with its NUTS-1 and NUTS-2 regions, and the published
    listings of each (two statements: the regions, the listings by region)."""
    by_region = Infrastructure.objects.published().counts_by_region()
    regions = sorted(
        Region.objects.filter(level__lte=2),
        key=lambda region: region.display_name.casefold(),
    )
    entries = [RegionEntry(region, by_region[region.code]) for region in regions]
    areas: defaultdict[str | None, list[RegionEntry]] = defaultdict(list)
    for entry in entries:
        areas[entry.region.parent_id].append(entry)
    for entry in entries:
        entry.areas = areas[entry.region.code]
    countries = [entry for entry in entries if entry.region.level == 0]
    context = {
        "countries": countries,
        "infrastructure_count": total_of(by_region),
    }
    return render(request, "catalogue/region_list.html", context)


@require_GET
def technology_list(request: HttpRequest) -> HttpResponse:
    """The KETs of the 2018 list, those of 2012 they replace, and the published
    listings of each (a 2012 KET's count for its 2018 successors too)."""
    kets = Concept.objects.in_scheme("ket").prefetch_related("maps_to")
    published = Infrastructure.objects.published()
    current, own = once_per_change(
        "technologies:counts",
        lambda: (
            published.counts_by_concept("kets"),
            published.counts_by_concept("kets", mapped=False),
        ),
    )
    kets_2018: list[Concept] = []
    kets_2012: list[Concept] = []
    for ket in kets.order_by("order"):
        (kets_2018 if ket.collection == "2018" else kets_2012).append(ket)
    context = {
        "kets": with_counts(kets_2018, current, key="pk"),
        "earlier_kets": with_counts(kets_2012, own, key="pk"),
    }
    return render(request, "catalogue/technology_list.html", context)


@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    """Two to four published listings side by side, named by ``?rii=<slug>``."""
    context = {
        "comparison": comparison.compare(request.GET.getlist("rii")),
        "min_compared": comparison.MIN_COMPARED,
        "max_compared": comparison.MAX_COMPARED,
    }
    return render(request, "catalogue/compare.html", context)
