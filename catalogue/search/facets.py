"""The facet registry: every filter of the search page declared once.

A facet's URL parameter is also the prefix of its tags (``ket:AMN``, ``region:ITH5``)
in ``SearchRecord.facet_tags`` and ``SearchFacetCount``. The search form, the tags
that ``refresh()`` and migration 0014 write, the filters of a search, the offered
values with their counts, the chips and ``Concept.get_absolute_url`` are all worked
out from the declarations in ``FACETS``.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from psycopg import sql

if TYPE_CHECKING:
    from ..vocabulary import Vocabulary

FacetKind = Literal["codes", "scalar", "flag", "levels"]
FilterValue = str | int | bool
PUBLISHED_TAG = "published:true"


def _region_offer(terms: "Vocabulary") -> dict[str, str]:
    """The partner regions at any level, and the regions at NUTS level 2 that
    neither contain a partner region nor lie within one: a partner region is
    offered once, by its own (English) name, not also as a native-named NUTS 2
    region around or inside it."""
    partners = [
        code for code, (_n, _l, is_partner) in terms.regions.items() if is_partner
    ]

    def overlaps_partner(code: str) -> bool:
        return any(code.startswith(p) or p.startswith(code) for p in partners)

    return {
        code: name
        for code, (name, level, is_partner) in terms.regions.items()
        if is_partner or (level == 2 and not overlaps_partner(code))
    }


def _region_choices(terms: "Vocabulary") -> list[tuple[str, str]]:
    return [(code, name) for code, (name, _level, _p) in terms.regions.items()]


def _country_choices(terms: "Vocabulary") -> Sequence[tuple[str, StrOrPromise]]:
    return sorted(terms.countries.items(), key=lambda item: item[1])


def _kets_2018(terms: "Vocabulary") -> Mapping[str, StrOrPromise]:
    # 2012 codes still filter (through their successors) but are not offered.
    return {
        code: term.label
        for code, term in terms.terms("ket").items()
        if term.collection == "2018"
    }


def _top_level_domains(terms: "Vocabulary") -> Mapping[str, StrOrPromise]:
    return {
        code: term.label
        for code, term in terms.terms("scientific_domain").items()
        if not term.parent
    }


def _ket_successors(terms: "Vocabulary", codes: list[str]) -> list[str]:
    # A 2012 KET stands for its 2018 successor(s), which records carry.
    kets = terms.terms("ket")
    return sorted({s for code in codes for s in kets[code].successors or [code]})


@dataclass(frozen=True)
class Facet:
    """One filter of the search page.

    ``source`` says how a listing yields its values: ``"concepts"``, the codes of
    its tag concepts (its own, its services' and equipment's) in ``scheme``; or
    ``"computed"``, a column the refresh statement works out itself (regions,
    service terms). Either way they are stored in the record's ``column``.
    """

    param: str
    label: StrOrPromise
    column: str
    kind: FacetKind = "codes"
    scheme: str = ""
    source: Literal["concepts", "computed"] = "concepts"
    # The values the page offers with their counts; None: a flag or a range.
    offer: Callable[["Vocabulary"], Mapping[str, StrOrPromise]] | None = None
    # The values the form accepts; by default every term of ``scheme``.
    choices: Callable[["Vocabulary"], Sequence[tuple[str, StrOrPromise]]] | None = None
    # How the form's values become the values records carry.
    expand: Callable[["Vocabulary", list[str]], list[str]] | None = None
    by_count: bool = False  # options by count rather than in the vocabulary's order
    max_options: int | None = None  # the most frequent, and any selected

    @property
    def tag_prefix(self) -> str:
        return f"{self.param}:"

    @property
    def counted(self) -> bool:
        """Whether the search page shows this facet's values with their counts."""
        return self.kind in ("codes", "scalar")

    def tags(self, values: Sequence[FilterValue]) -> list[str]:
        """The tags of these values: a listing passes the filter when it carries any
        of them."""
        if self.kind == "flag":
            return [f"{self.tag_prefix}true"]
        return [f"{self.tag_prefix}{value}" for value in values]

    def q(self, values: Sequence[FilterValue]) -> Q:
        """The filter on ``SearchRecord``'s column, for the ORM."""
        if self.kind == "flag":
            return Q(**{self.column: True})
        if self.kind == "scalar":
            return Q(**{f"{self.column}__in": values})
        return Q(**{f"{self.column}__overlap": values})

    def offered(self, terms: "Vocabulary") -> Mapping[str, StrOrPromise]:
        """The values the search page offers, with their labels."""
        if self.offer is not None:
            return self.offer(terms)
        return {code: term.label for code, term in terms.terms(self.scheme).items()}

    def form_choices(self, terms: "Vocabulary") -> Sequence[tuple[str, StrOrPromise]]:
        if self.choices is not None:
            return self.choices(terms)
        return [(code, term.label) for code, term in terms.terms(self.scheme).items()]

    def value_label(self, terms: "Vocabulary", code: str) -> StrOrPromise:
        """The label of one value, as its chip shows it."""
        if self.param == "region":
            return terms.region_name(code)
        if self.param == "country":
            return terms.countries.get(code, code)
        return terms.label(self.scheme, code)

    def term_params(self, code: str) -> list[tuple[str, str]]:
        """The search parameters that find the listings tagged with term ``code``."""
        if self.kind == "levels":
            level = code.rpartition("-")[2]
            return [("trl_min", level), ("trl_max", level)]
        return [(self.param, code)]

    def tag_select(self) -> sql.Composed:
        """The tags of a row's ``column``, one per row, for ``ARRAY(...)``."""
        prefix, column = sql.Literal(self.tag_prefix), sql.Identifier(self.column)
        if self.kind == "flag":
            return sql.SQL("SELECT {} WHERE {}").format(
                sql.Literal(f"{self.tag_prefix}true"), column
            )
        if self.kind == "scalar":
            return sql.SQL("SELECT {} || {}").format(prefix, column)
        return sql.SQL("SELECT {} || x FROM unnest({}) x").format(prefix, column)


FACETS: dict[str, Facet] = {
    facet.param: facet
    for facet in [
        Facet(
            "ket",
            _("Key Enabling Technology"),
            "kets",
            scheme="ket",
            offer=_kets_2018,
            expand=_ket_successors,
        ),
        Facet(
            "country",
            _("Country"),
            "country",
            kind="scalar",
            source="computed",
            offer=lambda terms: terms.countries,
            choices=_country_choices,
            by_count=True,
        ),
        Facet(
            "region",
            _("Region"),
            "regions",
            source="computed",
            offer=_region_offer,
            choices=_region_choices,
            by_count=True,
            max_options=24,  # choosing a country narrows the list
        ),
        Facet(
            "partner",
            _("Partner regions only"),
            "is_partner",
            kind="flag",
            source="computed",
        ),
        Facet("type", _("Infrastructure type"), "types", scheme="rii_type"),
        Facet(
            "service_type", _("Service type"), "service_types", scheme="service_type"
        ),
        Facet(
            "equipment",
            _("Equipment category"),
            "equipment_categories",
            scheme="equipment_category",
            by_count=True,
        ),
        Facet("access", _("Access mode"), "access_modes", scheme="access_mode"),
        Facet(
            "price",
            _("Price band"),
            "price_bands",
            scheme="price_band",
            source="computed",
        ),
        Facet(
            "sme_rate",
            _("SME rate available"),
            "has_sme_rate",
            kind="flag",
            source="computed",
        ),
        Facet(
            "trl",
            _("Technology readiness level"),
            "trl_levels",
            kind="levels",
            scheme="trl",
            source="computed",
        ),
        Facet(
            "language",
            _("Language spoken"),
            "languages",
            scheme="language",
            by_count=True,
        ),
        Facet(
            "domain",
            _("Scientific domain"),
            "scientific_domains",
            scheme="scientific_domain",
            offer=_top_level_domains,
            by_count=True,
        ),
        Facet("nabs", _("Research field (NABS)"), "nabs", scheme="nabs"),
        Facet("nace", _("Economic sector (NACE)"), "nace", scheme="nace"),
    ]
}

SORTS = {
    "relevance": _("Relevance"),
    "name": _("Name"),
    "updated": _("Recently updated"),
}


def facet_of_scheme(scheme: str) -> Facet | None:
    """The facet that filters on the terms of a vocabulary scheme, if any."""
    return next((f for f in FACETS.values() if f.scheme and f.scheme == scheme), None)


def tag_array() -> sql.Composed:
    """``ARRAY(...)`` of every tag of a row with the columns of ``SearchRecord``:
    what ``refresh()`` stores in ``facet_tags`` and migration 0014 rewrote it to."""
    selects = [
        sql.SQL("SELECT {} WHERE is_published").format(sql.Literal(PUBLISHED_TAG)),
        *(facet.tag_select() for facet in FACETS.values()),
    ]
    return sql.SQL("ARRAY(\n    {}\n)").format(
        sql.SQL("\n    UNION ALL ").join(selects)
    )


def tags_update() -> str:
    """The statement that rewrites every record's tags from its other columns."""
    statement = sql.SQL("UPDATE catalogue_searchrecord SET facet_tags = {};")
    return statement.format(tag_array()).as_string(None)


def term_search_url(scheme: str, code: str, label: str) -> str:
    """The search page of the listings tagged with one vocabulary term: filtered by
    the term's facet, or searching its label when no facet filters on its scheme."""
    facet = facet_of_scheme(scheme)
    params = facet.term_params(code) if facet else [("q", label)]
    return f"{reverse('catalogue:infrastructure_list')}?{urlencode(params)}"
