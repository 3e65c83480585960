"""Labels of the reference data, read once and cached: facets and cards need them on
every search page, and they change only when an administrator edits a vocabulary."""

import time
from dataclasses import dataclass

from django_stubs_ext import StrOrPromise

from .models import Concept, PriceBand, Region, place_region_code

# Kept in each process for a few minutes: every search page reads it many times, and
# a shared cache would unpickle it on each read.
CACHE_SECONDS = 300
_cached: tuple[float, "Vocabulary"] | None = None


@dataclass(frozen=True)
class Term:
    code: str
    label: StrOrPromise  # lazy for the price bands: read in the page's language
    order: int
    collection: str = ""
    parent: str = ""
    successors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    schemes: dict[str, dict[str, Term]]
    regions: dict[str, tuple[str, int, bool]]  # code -> (name, level, is_partner)
    countries: dict[str, str]  # ISO code -> English name

    def terms(self, scheme: str) -> dict[str, Term]:
        return self.schemes.get(scheme, {})

    def label(self, scheme: str, code: str) -> StrOrPromise:
        term = self.terms(scheme).get(code)
        return term.label if term else code

    def region_name(self, code: str) -> str:
        return self.regions[code][0] if code in self.regions else code

    def place_name(self, code: str) -> str:
        """``Region.place_name`` of the region ``code``."""
        if code not in self.regions:
            return code
        _name, level, is_partner = self.regions[code]
        return self.region_name(place_region_code(code, level, is_partner))


def _build() -> Vocabulary:
    schemes: dict[str, dict[str, Term]] = {}
    successors: dict[int, list[str]] = {}
    for from_id, to_code in Concept.maps_to.through.objects.values_list(
        "from_concept_id", "to_concept__code"
    ):
        successors.setdefault(from_id, []).append(to_code)
    for concept in Concept.objects.select_related("parent").order_by(
        "scheme", "order", "label"
    ):
        schemes.setdefault(concept.scheme, {})[concept.code] = Term(
            code=concept.code,
            label=concept.label,
            order=concept.order,
            collection=concept.collection,
            parent=concept.parent.code if concept.parent else "",
            successors=tuple(successors.get(concept.pk, ())),
        )
    schemes["price_band"] = {
        value: Term(code=value, label=label, order=n)
        for n, (value, label) in enumerate(PriceBand.choices)
    }
    regions = {}
    countries = {}
    for code, name, name_en, level, is_partner, country in Region.objects.values_list(
        "code", "name", "name_en", "level", "is_partner", "country_code"
    ):
        regions[code] = (name_en or name, level, is_partner)
        if level == 0:
            countries[country] = name_en or name
    return Vocabulary(schemes=schemes, regions=regions, countries=countries)


def vocabulary() -> Vocabulary:
    global _cached
    now = time.monotonic()
    if _cached is None or now - _cached[0] > CACHE_SECONDS:
        _cached = (now, _build())
    return _cached[1]


def forget() -> None:
    """Drop the cached labels after reference data changed."""
    global _cached
    _cached = None
