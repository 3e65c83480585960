"""The search page on top of the search: notices, chips and their URLs, the facet
options, the result cards and the highlighted matches."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.parsing import parse_int

from ..models import Infrastructure, SearchRecord
from ..vocabulary import vocabulary
from . import query as core
from .facets import FACETS, SORTS, FilterValue
from .forms import SearchForm
from .offered import offered
from .query import Highlighted, TextQuery


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
    name_html: SafeString
    anchor: str


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

    # The listing's own, reading only fields a card has too (name, acronym, slug);
    # mypy reads a property and a method on a class as their functions.
    display_name = property(cast(property, Infrastructure.display_name).fget)
    get_absolute_url = cast("Callable[[Card], str]", Infrastructure.get_absolute_url)


@dataclass
class SearchResults:
    query: TextQuery
    effective_query: TextQuery
    sort: str
    total: int
    page: Page
    infrastructures: list[Card]
    facets: list[FacetGroup]
    chips: list[Chip]
    notices: list[str]
    suggestion: TextQuery | None
    matches: dict[int, list[Match]]
    flags: dict[str, bool]
    trl_min: int | None
    trl_max: int | None
    # Why the TRL range was not applied (from above to), shown by its fields.
    trl_error: str = ""
    active: dict[str, list[FilterValue]] = field(default_factory=dict)

    def ordered_ids(self) -> QuerySet[SearchRecord, int]:
        """Every result's id in the page's order, for exports; the page itself
        reads only its own."""
        records = SearchRecord.objects.filter(is_published=True)
        for name, values in self.active.items():
            records = records.filter(FACETS[name].q(values))
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


def search_catalogue(data: QueryDict) -> SearchResults:
    """Run the search page's query for the GET parameters ``data``."""
    notices: list[str] = []
    raw_q = data.get("q", "")
    if len(data.getlist("q")) > 1:
        notices.append(_("Only the first search text was used."))
    query = TextQuery.parse(raw_q)
    if query.truncated:
        notices.append(
            _("Your search text was shortened to %(n)s characters or %(w)s words.")
            % {"n": core.MAX_QUERY_LENGTH, "w": core.MAX_QUERY_WORDS}
        )
    if raw_q.strip() and not query:
        notices.append(_("Your search text had no letters or digits; it was ignored."))

    form = SearchForm(data)
    trl_error = ""
    if not form.is_valid():
        if form.has_error("trl_max", "inverted"):
            trl_error = " ".join(str(error) for error in form.errors["trl_max"])
            notices.append(trl_error)
        for name, errors in form.errors.items():
            if name == "trl_max" and trl_error:
                continue
            notices.append(
                _("%(filter)s: %(error)s This filter was ignored.")
                % {
                    "filter": form.fields[name].label,
                    "error": " ".join(str(error) for error in errors),
                }
            )
    active = form.filters()

    requested = data.get("page", "1")
    number = parse_int(requested, maximum=99_999_999)
    sort = data.get("sort") or ("relevance" if query else "name")
    if sort not in SORTS:
        notices.append(_("Unknown sort order; sorted by name."))
        sort = "name"

    outcome = core.search(active, query, sort=sort, page=number or 1)
    found = outcome.found
    if number != found.page_number and "page" in data:
        notices.append(
            _("There is no page “%(page)s”; showing page %(shown)s of %(pages)s.")
            % {
                "page": requested[:20],
                "shown": found.page_number,
                "pages": max(-(-found.total // core.PAGE_SIZE), 1),
            }
        )
    cards = _cards(found.ids)
    matches = core.matching_items([card.pk for card in cards], outcome.effective_query)
    # An inverted range filters nothing, but its fields keep what was chosen.
    trl_min, trl_max = form.inverted_levels or form.level_bounds()
    return SearchResults(
        query=query,
        effective_query=outcome.effective_query,
        sort=outcome.sort,
        total=found.total,
        page=Page(found.ids, found.page_number, _paginator(count=found.total)),
        infrastructures=cards,
        facets=_facet_groups(form, found.counts),
        chips=_chips(data, form),
        notices=notices,
        suggestion=outcome.suggestion,
        matches={
            pk: [
                Match(
                    kind=m.kind, name_html=_marked(m.name), anchor=f"{m.kind}-{m.slug}"
                )
                for m in found_matches
            ]
            for pk, found_matches in matches.items()
        },
        flags={
            name: bool(form.cleaned_data.get(name))
            for name, facet in FACETS.items()
            if facet.kind == "flag"
        },
        trl_min=trl_min,
        trl_max=trl_max,
        trl_error=trl_error,
        active=active,
    )


def _marked(name: Highlighted) -> SafeString:
    return mark_safe(  # noqa: S308 - every piece escaped
        "".join(
            f"<mark>{escape(piece)}</mark>" if matched else escape(piece)
            for piece, matched in name
        )
    )


def _cards(ids: list[int]) -> list[Card]:
    """The cards of the listings with these ids, in this order."""
    terms = vocabulary()
    found = {
        row[0]: Card(*(*row[:7], terms.place_name(row[7]), *row[8:]))
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
    paginator: Paginator[Any] = Paginator([], core.PAGE_SIZE)
    paginator.count = count  # overrides the cached_property
    return paginator


def _facet_groups(
    form: SearchForm, counts: dict[str, dict[str, int]]
) -> list[FacetGroup]:
    data = form.cleaned_data
    groups = []
    for name, values in offered().values.items():
        facet = FACETS[name]
        selected = set(data.get(name) or [])
        found = counts[name]
        options = [
            FacetOption(
                code=value.code,
                label=str(value.label),
                count=found.get(value.code, 0),
                selected=value.code in selected,
                dom_id=value.dom_id,
            )
            for value in values
            if found.get(value.code) or value.code in selected
        ]
        if facet.by_count:
            options.sort(key=lambda o: (-o.count, o.label))
        if facet.max_options is not None:
            shown = facet.max_options
            options = [o for n, o in enumerate(options) if n < shown or o.selected]
        groups.append(FacetGroup(param=name, label=str(facet.label), options=options))
    return groups


def _chips(data: QueryDict, form: SearchForm) -> list[Chip]:
    terms = vocabulary()
    cleaned = form.cleaned_data

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

    chips = []
    if data.get("q"):
        chips.append(Chip(_("Text: %(q)s") % {"q": data["q"][:60]}, without("q")))
    for name, facet in FACETS.items():
        if facet.kind == "flag":
            if cleaned.get(name):
                chips.append(Chip(str(facet.label), without(name)))
        elif facet.kind != "levels":
            for code in cleaned.get(name) or []:
                label = facet.value_label(terms, code)
                chips.append(Chip(f"{facet.label}: {label}", without(name, code)))
    low, high = form.level_bounds()
    if low is not None:
        chips.append(Chip(_("TRL from %(n)s") % {"n": low}, without("trl_min")))
    if high is not None:
        chips.append(Chip(_("TRL to %(n)s") % {"n": high}, without("trl_max")))
    return chips
