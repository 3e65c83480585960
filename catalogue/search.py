"""Search over the catalogue: the maintained search records and the queries on them.

Every infrastructure has a ``SearchRecord`` (whether it is published, its sort keys
and, per facet, the codes it carries) and a ``SearchText`` (every word of the listing,
its services and equipment, for matching; and a weighted vector for ranking: names
above tags above the summary). ``refresh()`` rebuilds both from the catalogue in one
statement; ``find()`` then matches, counts and pages over them in another.
``SearchFacetCount`` keeps, per facet value, the catalogue's total and which listings
carry it, as a bit string that a search's own bit strings are counted against.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils.html import escape
from django.utils.translation import gettext as _

from .filters import FACETS, SORTS, InfrastructureFilter
from .models import SEARCH_FACET_COLUMNS, Infrastructure, SearchRecord
from .vocabulary import Vocabulary, vocabulary

MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 12
_WORD = re.compile(r"[^\W_]+")

# The tag concepts of each infrastructure, including those of its services and
# equipment, the 2018 successors of 2012 KETs, the parents of scientific subdomains
# and the NABS/NACE codes of its RIS3 priorities.
_TAGS = """
SELECT x.infrastructure_id AS id, c.scheme, c.code, c.collection, c.parent_id,
       c.label || ' ' || array_to_string(c.alt_labels, ' ') AS words
FROM (
    SELECT infrastructure_id, concept_id FROM catalogue_infrastructure_kets
    UNION ALL SELECT infrastructure_id, concept_id FROM catalogue_infrastructure_types
    UNION ALL SELECT infrastructure_id, concept_id
        FROM catalogue_infrastructure_scientific_domains
    UNION ALL SELECT infrastructure_id, concept_id FROM catalogue_infrastructure_languages
    UNION ALL SELECT id, structure_id FROM catalogue_infrastructure
        WHERE structure_id IS NOT NULL
    UNION ALL SELECT infrastructure_id, service_type_id FROM catalogue_service
    UNION ALL SELECT infrastructure_id, access_mode_id FROM catalogue_service
    UNION ALL SELECT infrastructure_id, category_id FROM catalogue_equipment
    UNION ALL SELECT s.infrastructure_id, t.concept_id FROM catalogue_service_kets t
        JOIN catalogue_service s ON s.id = t.service_id
    UNION ALL SELECT s.infrastructure_id, t.concept_id FROM catalogue_service_languages t
        JOIN catalogue_service s ON s.id = t.service_id
    UNION ALL SELECT k.infrastructure_id, m.to_concept_id
        FROM catalogue_infrastructure_kets k
        JOIN catalogue_concept_maps_to m ON m.from_concept_id = k.concept_id
    UNION ALL SELECT s.infrastructure_id, m.to_concept_id FROM catalogue_service_kets k
        JOIN catalogue_service s ON s.id = k.service_id
        JOIN catalogue_concept_maps_to m ON m.from_concept_id = k.concept_id
    UNION ALL SELECT d.infrastructure_id, c.parent_id
        FROM catalogue_infrastructure_scientific_domains d
        JOIN catalogue_concept c ON c.id = d.concept_id WHERE c.parent_id IS NOT NULL
    UNION ALL SELECT p.infrastructure_id, n.concept_id
        FROM catalogue_infrastructure_ris3_priorities p
        JOIN catalogue_ris3priority_nabs_chapters n
            ON n.ris3priority_id = p.ris3priority_id
    UNION ALL SELECT p.infrastructure_id, n.concept_id
        FROM catalogue_infrastructure_ris3_priorities p
        JOIN catalogue_ris3priority_nace_sections n
            ON n.ris3priority_id = p.ris3priority_id
) x
JOIN catalogue_concept c ON c.id = x.concept_id
"""

_DOCUMENTS = f"""
WITH target AS (
    SELECT id FROM catalogue_infrastructure WHERE %(all)s OR id = ANY(%(ids)s)
),
tags AS (
    SELECT id,
        string_agg(DISTINCT words, ' ') AS words,
        array_agg(DISTINCT code) FILTER (WHERE scheme = 'ket') AS kets,
        array_agg(DISTINCT code) FILTER (WHERE scheme = 'scientific_domain')
            AS scientific_domains,
        array_agg(DISTINCT code) FILTER (WHERE scheme = 'nabs') AS nabs,
        array_agg(DISTINCT code) FILTER (WHERE scheme = 'nace') AS nace,
        array_agg(DISTINCT code) FILTER (WHERE scheme = 'rii_type') AS types,
        array_agg(DISTINCT code) FILTER (WHERE scheme = 'service_type')
            AS service_types,
        array_agg(DISTINCT code) FILTER (WHERE scheme = 'equipment_category')
            AS equipment_categories,
        array_agg(DISTINCT code) FILTER (WHERE scheme = 'access_mode') AS access_modes,
        array_agg(DISTINCT code) FILTER (WHERE scheme = 'language') AS languages
    FROM ({_TAGS}) tag
    WHERE id IN (SELECT id FROM target)
    GROUP BY id
),
services AS (
    SELECT infrastructure_id AS id,
        string_agg(name, ' ') AS names,
        string_agg(description, ' ') AS descriptions,
        array_agg(DISTINCT price_band) AS price_bands,
        bool_or(sme_rate_available) AS has_sme_rate,
        min(lead_time_days) AS shortest_lead_time_days,
        (SELECT array_agg(DISTINCT level ORDER BY level)
         FROM catalogue_service s2, generate_series(s2.trl_from::int, s2.trl_to::int) level
         WHERE s2.infrastructure_id = s.infrastructure_id) AS trl_levels
    FROM catalogue_service s
    WHERE infrastructure_id IN (SELECT id FROM target)
    GROUP BY infrastructure_id
),
equipment AS (
    SELECT infrastructure_id AS id,
        string_agg(name, ' ') AS names,
        string_agg(concat_ws(' ', technique, manufacturer, model), ' ') AS details,
        string_agg(description, ' ') AS descriptions
    FROM catalogue_equipment
    WHERE infrastructure_id IN (SELECT id FROM target)
    GROUP BY infrastructure_id
),
documents AS (
    SELECT i.id,
        i.status = 'published' AS is_published,
        lower(i.name) AS sort_name,
        i.updated_at,
        concat_ws(' ', i.name, i.acronym, s.names, e.names) AS text_a,
        concat_ws(' ', t.words, e.details, h.name, i.city, regions.names) AS text_b,
        concat_ws(' ', i.summary, s.descriptions) AS text_c,
        i.summary,
        coalesce(t.words, '') AS tag_words,
        concat_ws(' ', i.description, i.sme_offer, e.descriptions) AS text_d,
        region.country_code AS country,
        regions.codes AS regions,
        regions.is_partner,
        t.kets, t.scientific_domains, t.nabs, t.nace, t.types, t.service_types,
        t.equipment_categories, t.access_modes, s.price_bands, t.languages,
        s.trl_levels, s.has_sme_rate, s.shortest_lead_time_days,
        ARRAY(
            SELECT 'published:true' WHERE i.status = 'published'
            UNION ALL SELECT 'ket:' || x FROM unnest(t.kets) x
            UNION ALL SELECT 'country:' || region.country_code
            UNION ALL SELECT 'region:' || x FROM unnest(regions.codes) x
            UNION ALL SELECT 'partner:true' WHERE regions.is_partner
            UNION ALL SELECT 'type:' || x FROM unnest(t.types) x
            UNION ALL SELECT 'service_type:' || x FROM unnest(t.service_types) x
            UNION ALL SELECT 'equipment:' || x FROM unnest(t.equipment_categories) x
            UNION ALL SELECT 'access:' || x FROM unnest(t.access_modes) x
            UNION ALL SELECT 'price:' || x FROM unnest(s.price_bands) x
            UNION ALL SELECT 'sme_rate:true' WHERE s.has_sme_rate
            UNION ALL SELECT 'trl:' || x FROM unnest(s.trl_levels) x
            UNION ALL SELECT 'language:' || x FROM unnest(t.languages) x
            UNION ALL SELECT 'domain:' || x FROM unnest(t.scientific_domains) x
            UNION ALL SELECT 'nabs:' || x FROM unnest(t.nabs) x
            UNION ALL SELECT 'nace:' || x FROM unnest(t.nace) x
        ) AS facet_tags
    FROM catalogue_infrastructure i
    JOIN accounts_organisation h ON h.id = i.host_id
    JOIN catalogue_region region ON region.code = i.region_id
    CROSS JOIN LATERAL (
        SELECT array_agg(r.code ORDER BY r.level) AS codes,
               string_agg(concat_ws(' ', r.name, r.name_en), ' ') AS names,
               bool_or(r.is_partner) AS is_partner
        FROM catalogue_region r
        WHERE r.code IN (
            SELECT left(i.region_id, n) FROM generate_series(2, length(i.region_id)) n
        )
    ) regions
    LEFT JOIN tags t ON t.id = i.id
    LEFT JOIN services s ON s.id = i.id
    LEFT JOIN equipment e ON e.id = i.id
    WHERE i.id IN (SELECT id FROM target)
)
"""

_ARRAYS = SEARCH_FACET_COLUMNS

_UPSERT_RECORDS = (
    _DOCUMENTS
    + f""",
texts AS (
    INSERT INTO catalogue_searchtext (infrastructure_id, document, rank_document)
    SELECT id,
        strip(to_tsvector('rii', concat_ws(' ', text_a, text_b, text_c, text_d))),
        setweight(to_tsvector('rii', text_a), 'A')
        || setweight(to_tsvector('rii', tag_words), 'B')
        || setweight(to_tsvector('rii', summary), 'C')
    FROM documents
    ON CONFLICT (infrastructure_id) DO UPDATE SET
        document = EXCLUDED.document, rank_document = EXCLUDED.rank_document
)
INSERT INTO catalogue_searchrecord (
    infrastructure_id, is_published, sort_name, updated_at,
    country, is_partner, has_sme_rate, shortest_lead_time_days, facet_tags, {", ".join(_ARRAYS)}
)
SELECT id, is_published, sort_name, updated_at,
    country, coalesce(is_partner, false), coalesce(has_sme_rate, false),
    shortest_lead_time_days, facet_tags, {", ".join(f"coalesce({name}, '{{}}')" for name in _ARRAYS)}
FROM documents
ON CONFLICT (infrastructure_id) DO UPDATE SET
    is_published = EXCLUDED.is_published,
    sort_name = EXCLUDED.sort_name,
    updated_at = EXCLUDED.updated_at,
    country = EXCLUDED.country,
    is_partner = EXCLUDED.is_partner,
    has_sme_rate = EXCLUDED.has_sme_rate,
    shortest_lead_time_days = EXCLUDED.shortest_lead_time_days,
    facet_tags = EXCLUDED.facet_tags,
    {", ".join(f"{name} = EXCLUDED.{name}" for name in _ARRAYS)}
"""
)

# Words of names and tags of published listings feed the "did you mean" suggestions.
_UPSERT_TERMS = (
    _DOCUMENTS
    + """
INSERT INTO catalogue_searchterm (word, frequency)
SELECT word, count(DISTINCT id) FROM documents,
    regexp_split_to_table(lower(unaccent(text_a || ' ' || text_b)), '[^[:alnum:]]+') word
WHERE is_published AND length(word) BETWEEN 3 AND 100 AND word !~ '^[0-9]+$'
GROUP BY word
ON CONFLICT (word) DO UPDATE SET frequency = EXCLUDED.frequency
"""
)


def refresh(infrastructure_ids: Iterable[int] | None = None) -> None:
    """Rebuild the search records of the given infrastructures, or of all of them."""
    ids = None if infrastructure_ids is None else list(infrastructure_ids)
    params = {"all": ids is None, "ids": ids or []}
    with transaction.atomic(), connection.cursor() as cursor:
        if ids is None:
            cursor.execute("TRUNCATE catalogue_searchterm")
        cursor.execute(_UPSERT_RECORDS, params)
        cursor.execute(_UPSERT_TERMS, params)


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


def suggest(query: TextQuery) -> TextQuery | None:
    """The query with each unknown word replaced by the most similar catalogue word."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT coalesce(best.word, w.word)
            FROM unnest(%s::text[]) WITH ORDINALITY AS w(word, n)
            LEFT JOIN LATERAL (
                SELECT t.word FROM catalogue_searchterm t
                WHERE t.word %% lower(unaccent(w.word))
                ORDER BY similarity(t.word, lower(unaccent(w.word))) DESC,
                    t.frequency DESC
                LIMIT 1
            ) best ON true
            ORDER BY w.n
            """,
            [list(query.words)],
        )
        words = tuple(row[0] for row in cursor.fetchall())
    if [w.lower() for w in words] == [w.lower() for w in query.words]:
        return None
    return TextQuery(words=words)


# --- The search page -----------------------------------------------------------

PAGE_SIZE = 20
MATCHES_PER_LISTING = 3
MAX_REGION_OPTIONS = 24
_DOM_ID_UNSAFE = re.compile(r"[^a-z0-9]+")
_MARK_START, _MARK_STOP = "\u2063[[", "]]\u2063"


@dataclass
class FacetOption:
    code: str
    label: str
    count: int
    selected: bool
    dom_id: str = ""


@dataclass
class FacetGroup:
    param: str
    label: str
    options: list[FacetOption]

    @property
    def has_selection(self) -> bool:
        return any(option.selected for option in self.options)


@dataclass
class Chip:
    label: str
    remove_url: str


@dataclass
class Match:
    kind: str  # "service" or "equipment"
    name_html: str
    anchor: str


@dataclass
class SearchResults:
    query: TextQuery
    effective_query: TextQuery
    sort: str
    total: int
    page: Page
    infrastructures: list["Card"]
    facets: list[FacetGroup]
    chips: list[Chip]
    notices: list[str]
    suggestion: TextQuery | None
    matches: dict
    flags: dict[str, bool]
    trl_min: int | None
    trl_max: int | None
    filterset: InfrastructureFilter

    def ordered_ids(self) -> QuerySet:
        """Every result's id in the page's order, for exports; the page itself
        reads only its own."""
        records = self.filterset.qs  # the published search records the filters keep
        if self.effective_query:
            tsquery = SearchQuery(
                self.effective_query.tsquery, config="rii", search_type="raw"
            )
            records = records.filter(infrastructure__search_text__document=tsquery)
            if self.sort == "relevance":
                records = records.annotate(
                    rank=SearchRank(
                        F("infrastructure__search_text__rank_document"), tsquery
                    )
                )
        ordering = {
            "relevance": ["-rank", "sort_name", "pk"],
            "name": ["sort_name", "pk"],
            "updated": ["-updated_at", "pk"],
        }[self.sort]
        return records.order_by(*ordering).values_list("infrastructure_id", flat=True)


@dataclass
class Found:
    """What one search statement returns: the total, the facet counts and one page."""

    total: int
    counts: dict[str, dict[str, int]]
    page_number: int
    ids: list[int]


_ORDERINGS = {
    "relevance": "rank DESC, sort_name, id",
    "name": "sort_name, id",
    "updated": "updated_at DESC, id",
}


def find(
    active: dict[str, list], query: TextQuery, *, sort: str = "name", page: int = 1
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
    ordering = _ORDERINGS[sort]
    params: dict = {"page": page, "size": PAGE_SIZE, "counted": _offered().literal}
    if not query and not active:
        return _found(_unfiltered(ordering), params)
    matched = ""
    parts = ["published.bits AS published"]
    every = ["published"]
    if query:
        matched = (
            "matched AS MATERIALIZED (SELECT id, rank FROM catalogue_search_match("
            "to_tsquery('rii', %(query)s), %(ranked)s)), "
        )
        params.update(query=query.tsquery, ranked=sort == "relevance")
        parts.append(
            "catalogue_search_bits((SELECT array_agg(id) FROM matched), "
            "length(published.bits)) AS text"
        )
        every.append("text")
    filters = {}
    for n, (name, values) in enumerate(active.items()):
        params[f"f{n}"] = FACETS[name].tags(values)
        # No listing carries any of the values: no bits, so none match.
        parts.append(
            "coalesce((SELECT bit_or(bits) FROM catalogue_searchfacetcount "
            f"WHERE tag = ANY(%(f{n})s)), published.bits # published.bits) AS f{n}"
        )
        filters[name] = f"f{n}"
    sets = [f"SELECT '', {' & '.join([*every, *filters.values()])} FROM parts"]
    for name in filters:
        if FACETS[name].counted:
            others = [part for other, part in filters.items() if other != name]
            sets.append(f"SELECT '{name}', {' & '.join([*every, *others])} FROM parts")
    if query and sort == "relevance":
        # Ranked matches down to the page's last, with ties; then their names.
        page_sql = _RANKED_PAGE
    else:
        listed = (
            f"SELECT id FROM matched, results WHERE {_IN_RESULTS.format(id='id')}"
            if query
            else _LISTED_IDS
        )
        page_sql = _SORTED_PAGE.replace("{listed}", listed)
    statement = f"""
        WITH {matched}
        parts AS MATERIALIZED (
            SELECT {", ".join(parts)} FROM (
                SELECT coalesce(
                    (SELECT bits FROM catalogue_searchfacetcount
                     WHERE tag = 'published:true'),
                    B''
                ) AS bits
            ) published
        ),
        -- The results (key ''), and per active facet every condition but its own.
        sets (key, bits) AS MATERIALIZED ({" UNION ALL ".join(sets)}),
        results AS MATERIALIZED (SELECT bits FROM sets WHERE key = ''),
        sizes AS MATERIALIZED (
            SELECT total, page,
                page * %(size)s * published <= {_WALK_LIMIT} * total AS walk
            FROM (
                SELECT total, published, {_PAGE_NUMBER} AS page FROM (
                    SELECT bit_count(results.bits) AS total,
                        bit_count(parts.published) AS published
                    FROM results, parts
                ) counted
            ) numbered
        )
        {_SIZES}
        UNION ALL
        SELECT 'tag', facet.tag, bit_count(facet.bits & coalesce(own.bits, results.bits))
        FROM catalogue_searchfacetcount facet CROSS JOIN results
        LEFT JOIN sets own ON own.key <> '' AND own.key = split_part(facet.tag, ':', 1)
        WHERE facet.tag = ANY(%(counted)s::text[])
        UNION ALL
        {_page(page_sql.format(ordering=ordering), ordering)}
    """
    return _found(statement, params)


# The page shown: the requested one, or the last when it asks for more.
_PAGE_NUMBER = "least(%(page)s, greatest(ceil(total / %(size)s::numeric), 1))::int"
_SIZES = (
    "SELECT 'total', NULL, total FROM sizes "
    "UNION ALL SELECT 'page_number', NULL, page FROM sizes"
)
_LIMIT = "LIMIT %(size)s OFFSET (SELECT (page - 1) * %(size)s FROM sizes)"
_IN_RESULTS = (
    "CASE WHEN {id} < length(results.bits) "
    "THEN get_bit(results.bits, {id}::int) = 1 ELSE false END"
)
# A page sorted by name or date walks the sort's index, testing each listing's bit,
# while that reads fewer than this many listings; otherwise it sorts the results.
_WALK_LIMIT = 5000
_LISTED_IDS = (
    "SELECT n AS id FROM results, generate_series(0, length(results.bits) - 1) n "
    "WHERE get_bit(results.bits, n) = 1"
)
_SORTED_PAGE = f"""
    (SELECT base.infrastructure_id AS id, base.sort_name, base.updated_at
     FROM catalogue_searchrecord base CROSS JOIN results
     WHERE base.is_published AND (SELECT walk FROM sizes)
        AND {_IN_RESULTS.format(id="base.infrastructure_id")}
     ORDER BY {{ordering}} {_LIMIT})
    UNION ALL
    (SELECT base.infrastructure_id AS id, base.sort_name, base.updated_at
     FROM ({{listed}}) listed
     JOIN catalogue_searchrecord base ON base.infrastructure_id = listed.id
     WHERE NOT (SELECT walk FROM sizes) AND (SELECT total > 0 FROM sizes)
     ORDER BY {{ordering}} {_LIMIT})
"""
_RANKED_PAGE = f"""
    SELECT ranked.id, base.sort_name, base.updated_at, ranked.rank FROM (
        SELECT id, rank FROM matched CROSS JOIN results
        WHERE {_IN_RESULTS.format(id="id")}
        ORDER BY rank DESC
        FETCH FIRST (SELECT page * %(size)s FROM sizes) ROWS WITH TIES
    ) ranked
    JOIN catalogue_searchrecord base ON base.infrastructure_id = ranked.id
    ORDER BY {{ordering}} {_LIMIT}
"""


def _page(rows: str, ordering: str) -> str:
    """The ids of the page's ``rows`` (already in order and limited), with their
    positions."""
    return (
        f"SELECT 'page', id::text, row_number() OVER (ORDER BY {ordering}) "
        f"FROM ({rows}) page"
    )


def _unfiltered(ordering: str) -> str:
    """No text, no filter: the catalogue's totals, and a page read along an index."""
    return f"""
        WITH sizes AS MATERIALIZED (
            SELECT total, {_PAGE_NUMBER} AS page FROM (
                SELECT count(*) AS total FROM catalogue_searchrecord
                WHERE is_published
            ) counted
        )
        {_SIZES}
        UNION ALL SELECT 'tag', tag, count FROM catalogue_searchfacetcount
            WHERE tag = ANY(%(counted)s::text[])
        UNION ALL {_page(_PUBLISHED_PAGE.format(ordering=ordering), ordering)}
    """


_PUBLISHED_PAGE = f"""
    SELECT infrastructure_id AS id, sort_name, updated_at FROM catalogue_searchrecord
    WHERE is_published ORDER BY {{ordering}} {_LIMIT}
"""


def _found(statement: str, params: dict) -> Found:
    total, page_number, positions = 0, 1, {}
    counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
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


def matching_items(infrastructure_ids: list[int], query: TextQuery) -> dict:
    """Up to three services or equipment items per infrastructure that match, best
    first, with the matched words marked."""
    if not query or not infrastructure_ids:
        return {}
    options = f"StartSel={_MARK_START}, StopSel={_MARK_STOP}, HighlightAll=true"
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT kind, infrastructure_id, slug,
                   ts_headline('rii', name, q, %(options)s) AS name
            FROM (
                SELECT *, row_number() OVER (
                    PARTITION BY infrastructure_id ORDER BY rank DESC, name
                ) AS position
                FROM (
                    SELECT 'service' AS kind, infrastructure_id, slug, name,
                           ts_rank(document, q) AS rank, q
                    FROM catalogue_service, to_tsquery('rii', %(query)s) q
                    WHERE infrastructure_id = ANY(%(ids)s) AND document @@ q
                    UNION ALL
                    SELECT 'equipment', infrastructure_id, slug,
                           concat_ws(' · ', name, nullif(technique, '')),
                           ts_rank(document, q), q
                    FROM catalogue_equipment, to_tsquery('rii', %(query)s) q
                    WHERE infrastructure_id = ANY(%(ids)s) AND document @@ q
                ) found
            ) ranked
            WHERE position <= %(per_listing)s
            ORDER BY infrastructure_id, position
            """,
            {
                "options": options,
                "query": query.tsquery,
                "ids": infrastructure_ids,
                "per_listing": MATCHES_PER_LISTING,
            },
        )
        rows = cursor.fetchall()
    matches: dict[int, list[Match]] = {}
    for kind, infrastructure_id, slug, name in rows:
        matches.setdefault(infrastructure_id, []).append(
            Match(kind=kind, name_html=_marked(name), anchor=f"{kind}-{slug}")
        )
    return matches


def _marked(text: str) -> str:

    return (
        escape(text)
        .replace(escape(_MARK_START), "<mark>")
        .replace(escape(_MARK_STOP), "</mark>")
    )


def search_catalogue(data) -> SearchResults:
    """Run the search page's query for the GET parameters ``data`` (a QueryDict)."""

    notices: list[str] = []
    raw_q = data.get("q", "")
    if len(data.getlist("q")) > 1:
        notices.append(_("Only the first search text was used."))
    query = TextQuery.parse(raw_q)
    if query.truncated:
        notices.append(
            _("Your search text was shortened to %(n)s characters or %(w)s words.")
            % {"n": MAX_QUERY_LENGTH, "w": MAX_QUERY_WORDS}
        )
    if raw_q.strip() and not query:
        notices.append(_("Your search text had no letters or digits; it was ignored."))

    filterset = InfrastructureFilter(
        data, queryset=SearchRecord.objects.filter(is_published=True)
    )
    if not filterset.is_valid():
        for field, errors in filterset.form.errors.items():
            label = filterset.form.fields[field].label
            notices.append(
                _("%(filter)s: %(error)s This filter was ignored.")
                % {"filter": label, "error": " ".join(errors)}
            )
    active = filterset.facet_values()

    requested = data.get("page", "1")
    number = int(requested) if requested.isdigit() and len(requested) < 9 else None
    sort = data.get("sort") or ("relevance" if query else "name")
    if sort not in SORTS:
        notices.append(_("Unknown sort order; sorted by name."))
        sort = "name"

    def run(text: TextQuery) -> Found:
        order = "name" if sort == "relevance" and not text else sort
        return find(active, text, sort=order, page=max(number or 1, 1))

    found, effective, suggestion = run(query), query, None
    if found.total == 0 and query:
        suggestion = suggest(query)
        if suggestion:
            suggested = run(suggestion)
            if suggested.total:
                found, effective = suggested, suggestion
    if sort == "relevance" and not effective:
        sort = "name"
    total = found.total
    if number != found.page_number and "page" in data:
        notices.append(
            _("There is no page “%(page)s”; showing page %(shown)s of %(pages)s.")
            % {
                "page": requested[:20],
                "shown": found.page_number,
                "pages": max(-(-total // PAGE_SIZE), 1),
            }
        )

    page = Page(found.ids, found.page_number, _paginator(count=total))
    infrastructures = _listings(found.ids)
    matches = matching_items([rii.pk for rii in infrastructures], effective)
    return SearchResults(
        query=query,
        effective_query=effective,
        sort=sort,
        total=total,
        page=page,
        infrastructures=infrastructures,
        facets=_facet_groups(filterset, found.counts),
        chips=_chips(data, filterset),
        notices=notices,
        suggestion=suggestion,
        matches=matches,
        flags={
            name: bool(filterset.form.cleaned_data.get(name))
            for name in ("sme_rate", "partner")
        },
        trl_min=_level(filterset.form.cleaned_data.get("trl_min")),
        trl_max=_level(filterset.form.cleaned_data.get("trl_max")),
        filterset=filterset,
    )


def _level(value) -> int | None:
    return None if value is None else int(value)


@dataclass
class Card:
    """What a search result's card shows of one listing."""

    pk: int
    name: str
    acronym: str
    slug: str
    summary: str
    city: str
    host_name: str
    place_name: str
    kets: list[str]
    languages: list[str]
    has_sme_rate: bool
    shortest_lead_time_days: int | None

    display_name = property(Infrastructure.display_name.fget)
    get_absolute_url = Infrastructure.get_absolute_url


def _listings(ids: list[int]) -> list[Card]:
    """The cards of the listings with these ids, in this order."""
    terms = vocabulary()
    found = {
        row[0]: Card(*row[:7], terms.place_name(row[7]), *row[8:])
        for row in Infrastructure.objects.filter(pk__in=ids).values_list(
            "pk",
            *("name", "acronym", "slug", "summary", "city", "host__name", "region_id"),
            *("search__kets", "search__languages", "search__has_sme_rate"),
            "search__shortest_lead_time_days",
        )
    }
    return [found[pk] for pk in ids if pk in found]


def _paginator(*, count: int) -> Paginator:
    """Page numbers for ``count`` results, counted by the search statement."""
    paginator = Paginator([], PAGE_SIZE)
    paginator.count = count  # overrides the cached_property
    return paginator


# The vocabulary scheme of each facet offered on the search page, but country and
# region.
_SCHEMES = {
    "ket": "ket",
    "type": "rii_type",
    "service_type": "service_type",
    "equipment": "equipment_category",
    "access": "access_mode",
    "price": "price_band",
    "language": "language",
    "domain": "scientific_domain",
    "nabs": "nabs",
    "nace": "nace",
}


def _offer(terms: Vocabulary, name: str) -> dict[str, Any]:
    """The values of facet ``name`` the search page offers, with their labels."""
    if name == "region":
        # Regions at NUTS level 2 and the partner regions at any level.
        return {
            code: region_name
            for code, (region_name, level, is_partner) in terms.regions.items()
            if level == 2 or is_partner
        }
    if name == "country":
        return terms.countries
    return {
        code: term.label
        for code, term in terms.terms(_SCHEMES[name]).items()
        # The 2018 KETs (2012 codes still filter) and the top-level domains.
        if (name != "ket" or term.collection == "2018")
        and (name != "domain" or not term.parent)
    }


@dataclass(frozen=True)
class _Offered:
    """What the search page offers, worked out once per vocabulary."""

    terms: Vocabulary
    # Per facet: (code, label, DOM id) of each value, in the vocabulary's order.
    values: dict[str, list[tuple[str, Any, str]]]
    tags: list[str]
    # The tags as a PostgreSQL array literal: passed on every search, a list of some
    # hundreds of strings takes longer to send than one string.
    literal: str


_offered_cache: _Offered | None = None


def _offered() -> _Offered:
    global _offered_cache
    terms = vocabulary()
    if _offered_cache is None or _offered_cache.terms is not terms:
        values = {
            name: [
                (code, label, f"f-{name}-{_DOM_ID_UNSAFE.sub('-', code.lower())}")
                for code, label in _offer(terms, name).items()
            ]
            for name, facet in FACETS.items()
            if facet.counted
        }
        tags = [
            f"{name}:{code}" for name, offered in values.items() for code, *_ in offered
        ]
        quoted = (tag.replace("\\", "\\\\").replace('"', '\\"') for tag in tags)
        literal = "{" + ",".join(f'"{tag}"' for tag in quoted) + "}"
        _offered_cache = _Offered(terms, values, tags, literal)
    return _offered_cache


def counted_tags() -> list[str]:
    """The tags whose counts the search page shows."""
    return _offered().tags


def _facet_groups(filterset, counts: dict) -> list[FacetGroup]:

    data = filterset.form.cleaned_data
    groups = []
    for name, offered in _offered().values.items():
        facet = FACETS[name]
        selected = set(data.get(name) or [])
        found = counts[name]
        options = [
            FacetOption(
                code=code,
                label=str(label),
                count=found.get(code, 0),
                selected=code in selected,
                dom_id=dom_id,
            )
            for code, label, dom_id in offered
            if found.get(code) or code in selected
        ]
        if name in ("region", "country", "language", "domain", "equipment"):
            options.sort(key=lambda o: (-o.count, o.label))
        if name == "region":
            # The most frequent regions; choosing a country narrows the list.
            options = [
                o for n, o in enumerate(options) if n < MAX_REGION_OPTIONS or o.selected
            ]
        groups.append(FacetGroup(param=name, label=str(facet.label), options=options))
    return groups


def _chips(data, filterset) -> list[Chip]:

    terms = vocabulary()
    cleaned = filterset.form.cleaned_data
    chips = []

    def without(param: str, value: str | None = None) -> str:
        remaining = data.copy()
        remaining.pop("page", None)
        if value is None:
            remaining.pop(param, None)
        else:
            remaining.setlist(
                param, [v for v in remaining.getlist(param) if v != value]
            )
        encoded = remaining.urlencode()
        return f"?{encoded}" if encoded else "?"

    if data.get("q"):
        chips.append(Chip(_("Text: %(q)s") % {"q": data["q"][:60]}, without("q")))
    scheme_of = {
        "type": "rii_type",
        "equipment": "equipment_category",
        "access": "access_mode",
        "domain": "scientific_domain",
    }
    for name, facet in FACETS.items():
        if facet.kind == "flag":
            if cleaned.get(name):
                chips.append(Chip(str(facet.label), without(name)))
            continue
        for code in cleaned.get(name) or []:
            if name == "region":
                label = terms.region_name(code)
            elif name == "country":
                label = terms.countries.get(code, code)
            else:
                label = terms.label(scheme_of.get(name, name), code)
            chips.append(Chip(f"{facet.label}: {label}", without(name, code)))
    low, high = cleaned.get("trl_min"), cleaned.get("trl_max")
    if low is not None:
        chips.append(Chip(_("TRL from %(n)s") % {"n": int(low)}, without("trl_min")))
    if high is not None:
        chips.append(Chip(_("TRL to %(n)s") % {"n": int(high)}, without("trl_max")))
    return chips
