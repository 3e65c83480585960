"""The search itself, testable without HTTP: plain typed arguments in, plain data
out. ``find()`` matches, filters, counts and pages in one statement over the bit
strings of ``SearchFacetCount``; ``search()`` adds the "did you mean" fallback."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from django.db import connection
from psycopg import sql

from .facets import FACETS, FilterValue
from .offered import offered
from .statements import statement, text

MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 12
PAGE_SIZE = 20
MATCHES_PER_LISTING = 3
# A page sorted by name or date walks the sort's index, testing each listing's bit,
# while that reads fewer than this many listings; otherwise it sorts the results.
WALK_LIMIT = 5000
_WORD = re.compile(r"[^\W_]+")
_MARK_START, _MARK_STOP = "\u2063[[", "]]\u2063"
_MARKERS = re.compile(f"({re.escape(_MARK_START)}|{re.escape(_MARK_STOP)})")

Sort = Literal["relevance", "name", "updated"]
Filters = Mapping[str, Sequence[FilterValue]]


@dataclass(frozen=True)
class TextQuery:
    """A visitor's words turned into a PostgreSQL tsquery (last word as a prefix)."""

    words: tuple[str, ...]
    truncated: bool = False

    @classmethod
    def parse(cls, text: str) -> "TextQuery":
        truncated = len(text) > MAX_QUERY_LENGTH
        words = _WORD.findall(text[:MAX_QUERY_LENGTH])
        truncated = truncated or len(words) > MAX_QUERY_WORDS
        return cls(words=tuple(words[:MAX_QUERY_WORDS]), truncated=truncated)

    def __bool__(self) -> bool:
        return bool(self.words)

    @property
    def text(self) -> str:
        return " ".join(self.words)

    @property
    def tsquery(self) -> str:
        *head, last = self.words
        return " & ".join([*head, f"{last}:*"])


@dataclass(frozen=True)
class Found:
    """What one search statement returns: the total, the facet counts and one page."""

    total: int
    counts: dict[str, dict[str, int]]
    page_number: int
    ids: list[int]


_ORDERINGS: dict[str, str] = {
    "relevance": "rank DESC, sort_name, id",
    "name": "sort_name, id",
    "updated": "updated_at DESC, id",
}


def _in_results(column: str) -> sql.Composed:
    return statement("in_results").format(id=sql.SQL(column))


@cache
def _unfiltered(sort: str) -> str:
    ordering = sql.SQL(_ORDERINGS[sort])
    rows = statement("page_published").format(
        ordering=ordering, limit=statement("limit")
    )
    return text(
        statement("find_unfiltered").format(
            page_number=statement("page_number"),
            sizes=statement("sizes"),
            page=statement("page").format(ordering=ordering, rows=rows),
        )
    )


def _page(sort: str, *, matched: bool) -> sql.Composed:
    ordering = sql.SQL(_ORDERINGS[sort])
    if matched and sort == "relevance":
        rows = statement("page_ranked").format(
            in_results_id=_in_results("id"),
            ordering=ordering,
            limit=statement("limit"),
        )
    else:
        listed = (
            sql.SQL("SELECT id FROM matched, results WHERE {}").format(
                _in_results("id")
            )
            if matched
            else statement("listed_ids")
        )
        rows = statement("page_sorted").format(
            in_results_base=_in_results("base.infrastructure_id"),
            listed=listed,
            ordering=ordering,
            limit=statement("limit"),
        )
    return statement("page").format(ordering=ordering, rows=rows)


def find(
    active: Filters, query: TextQuery, *, sort: Sort | str = "name", page: int = 1
) -> Found:
    """The total, every facet's counts and the ids of page ``page``, in one statement.

    Each facet is counted with every other active filter applied but not its own
    (disjunctive faceting), so a visitor sees what choosing another value would give.
    Everything is done on bit strings of listing ids (``SearchFacetCount.bits``): a
    filter is the OR of its values' bit strings, the text the bit string of the
    listings it matches (through the GIN index), the results the AND of all of them,
    and a facet value's count the number of bits its bit string shares with the
    results, or, for an active facet, with the AND of every condition but its own.

    ``page`` is clamped to the last page.
    """
    params: dict[str, Any] = {
        "page": page,
        "size": PAGE_SIZE,
        "walk_limit": WALK_LIMIT,
        "counted": offered().literal,
    }
    if not query and not active:
        return _found(_unfiltered(sort), params)
    parts: list[sql.Composable] = [sql.SQL("published.bits AS published")]
    every = [sql.Identifier("published")]
    matched: sql.Composable = sql.SQL("")
    if query:
        matched = statement("matched")
        params.update(query=query.tsquery, ranked=sort == "relevance")
        parts.append(
            sql.SQL(
                "catalogue_search_bits((SELECT array_agg(id) FROM matched), "
                "length(published.bits)) AS text"
            )
        )
        every.append(sql.Identifier("text"))
    filters: dict[str, sql.Identifier] = {}
    for n, (name, values) in enumerate(active.items()):
        params[f"f{n}"] = FACETS[name].tags(values)
        alias = sql.Identifier(f"f{n}")
        # No listing carries any of the values: no bits, so none match.
        parts.append(
            sql.SQL(
                "coalesce((SELECT bit_or(bits) FROM catalogue_searchfacetcount "
                "WHERE tag = ANY({})), published.bits # published.bits) AS {}"
            ).format(sql.Placeholder(f"f{n}"), alias)
        )
        filters[name] = alias
    sets = [
        sql.SQL("SELECT '', {} FROM parts").format(
            sql.SQL(" & ").join([*every, *filters.values()])
        )
    ]
    for name in filters:
        if FACETS[name].counted:
            others = [part for other, part in filters.items() if other != name]
            sets.append(
                sql.SQL("SELECT {}, {} FROM parts").format(
                    sql.Literal(name), sql.SQL(" & ").join([*every, *others])
                )
            )
    composed = statement("find").format(
        matched=matched,
        parts=sql.SQL(", ").join(parts),
        sets=sql.SQL(" UNION ALL ").join(sets),
        page_number=statement("page_number"),
        sizes=statement("sizes"),
        page=_page(sort, matched=bool(query)),
    )
    return _found(text(composed), params)


def _found(statement_text: str, params: dict[str, Any]) -> Found:
    total, page_number, positions = 0, 1, {}
    counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    with connection.cursor() as cursor:
        cursor.execute(statement_text, params)
        for kind, key, number in cursor.fetchall():
            if kind == "tag":
                name, _, value = key.partition(":")
                found = counts.setdefault(name, {})
                found[value] = found.get(value, 0) + number
            elif kind == "page":
                positions[int(key)] = number
            elif kind == "total":
                total = number
            else:
                page_number = number
    return Found(
        total=total,
        counts=counts,
        page_number=page_number,
        ids=sorted(positions, key=positions.__getitem__),
    )


def suggest(query: TextQuery) -> TextQuery | None:
    """The query with each unknown word replaced by the most similar catalogue word."""
    with connection.cursor() as cursor:
        cursor.execute(text(statement("suggest")), [list(query.words)])
        words = tuple(row[0] for row in cursor.fetchall())
    if [w.lower() for w in words] == [w.lower() for w in query.words]:
        return None
    return TextQuery(words=words)


@dataclass(frozen=True)
class Outcome:
    """A search's results for the text it was run with: the visitor's, or the
    suggested one when the visitor's found nothing."""

    found: Found
    effective_query: TextQuery
    suggestion: TextQuery | None
    sort: str


def search(active: Filters, query: TextQuery, *, sort: str, page: int) -> Outcome:
    """Find the results of ``query`` with the filters ``active``; with no result,
    those of the closest catalogue words, if they find any."""

    def run(text_query: TextQuery) -> Found:
        order = "name" if sort == "relevance" and not text_query else sort
        return find(active, text_query, sort=order, page=max(page, 1))

    found, effective, suggestion = run(query), query, None
    if found.total == 0 and query:
        suggestion = suggest(query)
        if suggestion:
            suggested = run(suggestion)
            if suggested.total:
                found, effective = suggested, suggestion
    if sort == "relevance" and not effective:
        sort = "name"
    return Outcome(found, effective, suggestion, sort)


Highlighted = tuple[tuple[str, bool], ...]  # pieces of text, whether each matched


@dataclass(frozen=True)
class ItemMatch:
    """A service or equipment item of a listing that matches the search text."""

    kind: Literal["service", "equipment"]
    slug: str
    name: Highlighted


def matching_items(
    infrastructure_ids: list[int], query: TextQuery
) -> dict[int, list[ItemMatch]]:
    """Up to three services or equipment items per infrastructure that match, best
    first, with the matched words marked."""
    if not query or not infrastructure_ids:
        return {}
    options = f"StartSel={_MARK_START}, StopSel={_MARK_STOP}, HighlightAll=true"
    with connection.cursor() as cursor:
        cursor.execute(
            text(statement("matching_items")),
            {
                "options": options,
                "query": query.tsquery,
                "ids": infrastructure_ids,
                "per_listing": MATCHES_PER_LISTING,
            },
        )
        rows = cursor.fetchall()
    matches: dict[int, list[ItemMatch]] = {}
    for kind, infrastructure_id, slug, name in rows:
        matches.setdefault(infrastructure_id, []).append(
            ItemMatch(kind=kind, slug=slug, name=_highlighted(name))
        )
    return matches


def _highlighted(headline: str) -> Highlighted:
    pieces: list[tuple[str, bool]] = []
    marked = False
    for part in _MARKERS.split(headline):
        if part in (_MARK_START, _MARK_STOP):
            marked = part == _MARK_START
        elif part:
            pieces.append((part, marked))
    return tuple(pieces)
