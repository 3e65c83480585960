"""Search over the catalogue, built around one facet registry (``facets.FACETS``).

Every infrastructure has a ``SearchRecord`` (whether it is published, its sort keys
and, per facet, the codes it carries and their tags) and a ``SearchText`` (every
word of the listing, its services and equipment, for matching; and a weighted vector
for ranking: names above tags above the summary). ``refresh()`` rebuilds both from
the catalogue; ``find()`` then matches, counts and pages over them in one statement,
on the bit strings ``SearchFacetCount`` keeps per tag. ``search_catalogue()`` is the
page on top.

- ``facets``: the registry, and the tags and URLs derived from it;
- ``forms``: the page's parameters parsed by a form derived from the registry;
- ``offered``: the values the page offers, per vocabulary;
- ``records``, ``query``: the statements of ``sql/``, plain arguments in, plain data
  out;
- ``page``: notices, chips, facet options, cards and highlighted matches.
"""

from .facets import FACETS, SORTS, Facet
from .offered import counted_tags
from .page import (
    Card,
    Chip,
    FacetGroup,
    FacetOption,
    Match,
    SearchResults,
    search_catalogue,
)
from .query import (
    MAX_QUERY_LENGTH,
    MAX_QUERY_WORDS,
    PAGE_SIZE,
    Found,
    ItemMatch,
    Outcome,
    TextQuery,
    find,
    matching_items,
    search,
    suggest,
)
from .records import refresh

__all__ = [
    "FACETS",
    "MAX_QUERY_LENGTH",
    "MAX_QUERY_WORDS",
    "PAGE_SIZE",
    "SORTS",
    "Card",
    "Chip",
    "Facet",
    "FacetGroup",
    "FacetOption",
    "Found",
    "ItemMatch",
    "Match",
    "Outcome",
    "SearchResults",
    "TextQuery",
    "counted_tags",
    "find",
    "matching_items",
    "refresh",
    "search",
    "search_catalogue",
    "suggest",
]
