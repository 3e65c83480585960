"""What the search page offers of each counted facet, worked out once per
vocabulary: the values with their labels and DOM ids, and their tags."""

import re
from dataclasses import dataclass

from django_stubs_ext import StrOrPromise

from ..vocabulary import Vocabulary, vocabulary
from .facets import FACETS

_DOM_ID_UNSAFE = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class OfferedValue:
    code: str
    label: StrOrPromise
    dom_id: str


@dataclass(frozen=True)
class Offered:
    terms: Vocabulary
    # Per counted facet, its offered values in the vocabulary's order.
    values: dict[str, list[OfferedValue]]
    tags: list[str]
    # The tags as a PostgreSQL array literal: passed on every search, a list of some
    # hundreds of strings takes longer to send than one string.
    literal: str


_cache: Offered | None = None


def offered() -> Offered:
    global _cache
    terms = vocabulary()
    if _cache is None or _cache.terms is not terms:
        values = {
            name: [
                OfferedValue(
                    code, label, f"f-{name}-{_DOM_ID_UNSAFE.sub('-', code.lower())}"
                )
                for code, label in facet.offered(terms).items()
            ]
            for name, facet in FACETS.items()
            if facet.counted
        }
        tags = [
            f"{FACETS[name].tag_prefix}{value.code}"
            for name, offered_values in values.items()
            for value in offered_values
        ]
        quoted = (tag.replace("\\", "\\\\").replace('"', '\\"') for tag in tags)
        literal = "{" + ",".join(f'"{tag}"' for tag in quoted) + "}"
        _cache = Offered(terms, values, tags, literal)
    return _cache


def counted_tags() -> list[str]:
    """The tags whose counts the search page shows."""
    return offered().tags
