"""Two to four published listings side by side: what an SME weighs before asking
for access (place, host, technologies, services' terms, response time)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Concept, Infrastructure, Region, Service

MIN_COMPARED = 2
MAX_COMPARED = 4
# A slug longer than the field's limit names no listing.
SLUG_MAX_LENGTH = 220


@dataclass
class Column:
    """One compared listing and the terms its services offer, summed up."""

    infrastructure: Infrastructure
    country: Region
    access_modes: list[str]
    price_bands: list[str]
    has_services: bool
    sme_rate: bool
    shortest_lead_time_days: int | None
    trl_min: int | None
    trl_max: int | None
    ip_defaults: list[str]
    nda_available: bool
    median_response: timedelta | None


@dataclass
class Comparison:
    columns: list[Column] = field(default_factory=list)
    # The slugs asked for that name no published listing.
    unknown: list[str] = field(default_factory=list)
    # Why nothing is compared (too few or too many listings), else empty.
    problem: str = ""


def requested_slugs(values: list[str]) -> list[str]:
    """The slugs asked for, each once, in the order given."""
    slugs = [value.strip() for value in values if value.strip()]
    return list(dict.fromkeys(slugs))


def compare(values: list[str], now: datetime | None = None) -> Comparison:
    """The comparison of the published listings named by ``values`` (slugs)."""
    slugs = requested_slugs(values)
    if len(slugs) > MAX_COMPARED:
        return Comparison(problem=_too_many(len(slugs)))
    if len(slugs) < MIN_COMPARED:
        return Comparison(problem=_too_few(len(slugs)))
    found = {
        listing.slug: listing
        for listing in _listings(
            [slug for slug in slugs if len(slug) <= SLUG_MAX_LENGTH]
        )
    }
    listings = [found[slug] for slug in slugs if slug in found]
    unknown = [slug for slug in slugs if slug not in found]
    if len(listings) < MIN_COMPARED:
        return Comparison(unknown=unknown, problem=_too_few(len(listings)))
    medians = _median_responses(listings, now)
    return Comparison(
        columns=[_column(listing, medians.get(listing.pk)) for listing in listings],
        unknown=unknown,
    )


def _too_few(count: int) -> str:
    return ngettext(
        "Choose at least %(min)d infrastructures to compare; %(count)d is selected.",
        "Choose at least %(min)d infrastructures to compare; %(count)d are selected.",
        count,
    ) % {"min": MIN_COMPARED, "count": count}


def _too_many(count: int) -> str:
    return _(
        "Choose at most %(max)d infrastructures to compare; %(count)d are selected."
    ) % {"max": MAX_COMPARED, "count": count}


def _listings(slugs: list[str]) -> list[Infrastructure]:
    """The published listings of ``slugs``, with all that the table shows, in five
    statements whatever their number."""
    ordered = Concept.objects.order_by("order")
    return list(
        Infrastructure.objects.published()
        .filter(slug__in=slugs)
        .select_related("host", "region__parent__parent__parent")
        .prefetch_related(
            Prefetch("kets", queryset=ordered),
            Prefetch("types", queryset=ordered),
            Prefetch("languages", queryset=ordered),
            Prefetch(
                "services",
                queryset=Service.objects.select_related("access_mode").order_by(
                    "access_mode__order", "pk"
                ),
            ),
        )
    )


def _median_responses(
    listings: list[Infrastructure], now: datetime | None
) -> dict[int, timedelta]:
    """Each listing's median time to a first response, as its page shows it, in one
    statement for all of them."""
    requests = listings[0].access_requests.model.objects
    return requests.filter(
        infrastructure__in=listings
    ).median_first_response_by_infrastructure(now)


def _country(region: Region) -> Region:
    while region.parent is not None:
        region = region.parent
    return region


def _column(listing: Infrastructure, median: timedelta | None) -> Column:
    services = list(listing.services.all())
    bands = {service.price_band for service in services}
    ip_defaults = {service.ip_default for service in services}
    lead_times = [s.lead_time_days for s in services if s.lead_time_days is not None]
    return Column(
        infrastructure=listing,
        country=_country(listing.region),
        access_modes=list(
            dict.fromkeys(service.access_mode.label for service in services)
        ),
        price_bands=[
            str(label) for value, label in Service.PriceBand.choices if value in bands
        ],
        has_services=bool(services),
        sme_rate=any(service.sme_rate_available for service in services),
        shortest_lead_time_days=min(lead_times, default=None),
        trl_min=min((service.trl_from for service in services), default=None),
        trl_max=max((service.trl_to for service in services), default=None),
        ip_defaults=[
            str(label)
            for value, label in Service.IPDefault.choices
            if value in ip_defaults
        ],
        nda_available=any(service.nda_available for service in services),
        median_response=median,
    )
