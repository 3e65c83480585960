"""The facet counts of ``search.find`` against a count done the slow way, record by
record; and the catalogue's totals and bit strings of facet values, which the
triggers on search records keep, against the records themselves."""

import threading
import time
from collections import Counter

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection, transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone

from catalogue import search
from catalogue.models import (
    Concept,
    Infrastructure,
    SearchFacetCount,
    SearchRecord,
    SearchText,
)
from catalogue.search import FACETS, TextQuery
from catalogue.search import query as search_query
from tests.factories import make_equipment, make_infrastructure, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    build_catalogue()


def build_catalogue() -> None:
    """Twelve listings over three countries, with mixed KETs, services and words."""
    regions = ["ITH55", "DE212", "FR101"]
    kets = [["AMN"], ["AI"], ["AMN", "PHOT"], []]
    for n in range(12):
        rii = make_infrastructure(
            name=f"{'Microscopy' if n % 3 else 'Foundry'} lab {n}",
            region=regions[n % 3],
            kets=kets[n % 4],
        )
        make_service(
            infrastructure=rii,
            name="Electron microscopy" if n % 2 else "Casting trials",
            service_type="testing" if n % 4 else "training",
            access_mode="remote" if n % 5 else "staff_operated",
            sme_rate_available=n % 3 == 0,
            price_band=["under_1k", "1k_5k", "over_20k"][n % 3],
        )
        if n % 4 == 1:
            make_equipment(infrastructure=rii, category="xray")
    make_infrastructure(name="Microscopy draft", status="draft", kets=["AMN"])
    search.refresh()


def slow_counts(active: dict[str, list], text: str) -> tuple[int, dict]:
    """Every facet's counts, record by record, each without its own filter."""
    records = SearchRecord.objects.filter(is_published=True)
    if text:
        matching = SearchText.objects.filter(
            document=SearchQuery(
                TextQuery.parse(text).tsquery, config="rii", search_type="raw"
            )
        ).values("infrastructure_id")
        records = records.filter(infrastructure_id__in=matching)

    def matching_all_but(excluded: str | None):
        q = Q()
        for name, values in active.items():
            if name != excluded:
                q &= FACETS[name].q(values)
        return records.filter(q)

    counts: dict[str, Counter] = {}
    # The values offered as options: 2018 KETs, NUTS 2 regions, top-level domains...
    counted = set(search.counted_tags())
    for name in FACETS:
        for record in matching_all_but(name):
            for tag in record.facet_tags:
                facet, _, value = tag.partition(":")
                if facet == name and tag in counted:
                    counts.setdefault(name, Counter())[value] += 1
    return matching_all_but(None).count(), counts


CASES = [
    ({}, ""),
    ({}, "microscopy"),  # most listings: the left-out side is counted
    ({}, "foundry"),  # a third: the results are counted
    ({"country": ["IT"]}, ""),
    ({"ket": ["AMN"], "country": ["IT", "DE"]}, ""),
    ({"ket": ["AMN"], "sme_rate": [True]}, "microscopy"),
    ({"access": ["remote"]}, "microscopy"),
    ({"price": ["under_1k", "1k_5k"], "service_type": ["testing"]}, ""),
    ({"trl": [4, 5], "country": ["FR"]}, "lab"),
    ({"equipment": ["xray"], "region": ["ITH"]}, "electron"),
    ({"country": ["PT"]}, ""),  # nothing left
    ({"ket": ["PHOT"], "region": ["ITH55"]}, ""),  # a 2012 KET, a NUTS 3 region
    ({"ket": ["PHOT"]}, "microscopy"),
]


@pytest.mark.parametrize(("active", "text"), CASES)
def test_counts_match_a_record_by_record_count(catalogue, active, text):
    found = search.find(active, TextQuery.parse(text))
    total, expected = slow_counts(active, text)
    assert found.total == total
    for name in FACETS:
        shown = {value: n for value, n in found.counts[name].items() if n}
        assert shown == dict(expected.get(name, {})), name


def test_the_page_holds_the_results_in_order(catalogue):
    found = search.find({"country": ["IT", "DE"]}, TextQuery.parse(""), sort="name")
    expected = list(
        SearchRecord.objects.filter(is_published=True, country__in=["IT", "DE"])
        .order_by("sort_name", "pk")
        .values_list("pk", flat=True)
    )
    assert found.ids == expected[: search.PAGE_SIZE]
    assert found.page_number == 1


@pytest.mark.parametrize("walk_limit", [0, 5000])
@pytest.mark.parametrize(
    ("text", "sort"),
    [("", "name"), ("", "updated"), ("lab", "relevance"), ("lab", "name")],
)
def test_every_page_holds_the_results_in_order(
    catalogue, monkeypatch, walk_limit, text, sort
):
    """Pages walk the sort's index, or sort the results when that would read more
    listings than the limit; both give the order of the exports."""
    monkeypatch.setattr(search_query, "PAGE_SIZE", 3)
    monkeypatch.setattr(search_query, "WALK_LIMIT", walk_limit)
    data = QueryDict(f"q={text}&sort={sort}&country=IT&country=DE&sme_rate=")
    expected = list(search.search_catalogue(data).ordered_ids())
    assert len(expected) == 8
    pages = [
        search.find({"country": ["IT", "DE"]}, TextQuery.parse(text), sort=sort, page=n)
        for n in (1, 2, 3)
    ]
    assert [page.page_number for page in pages] == [1, 2, 3]
    assert [pk for page in pages for pk in page.ids] == expected


def test_a_page_past_the_end_is_the_last_page(catalogue):
    found = search.find({}, TextQuery.parse("microscopy"), sort="name", page=50)
    assert found.page_number == 1
    assert len(found.ids) == found.total


def totals() -> dict[str, tuple[int, set[int]]]:
    """Per facet value: its count, and the ids whose bits are set."""
    rows = SearchFacetCount.objects.all()
    assert len({len(row.bits) for row in rows}) <= 1, "bit strings of one width"
    return {
        row.tag: (row.count, {n for n, bit in enumerate(row.bits) if bit == "1"})
        for row in rows
        if row.count != 0
    }


def slow_totals() -> dict[str, tuple[int, set[int]]]:
    ids: dict[str, set[int]] = {}
    for pk, tags in SearchRecord.objects.filter(is_published=True).values_list(
        "pk", "facet_tags"
    ):
        for tag in tags:
            ids.setdefault(tag, set()).add(pk)
    return {tag: (len(found), found) for tag, found in ids.items()}


def test_catalogue_totals_follow_every_change(catalogue):
    assert totals() == slow_totals()
    draft = Infrastructure.objects.get(name="Microscopy draft")
    draft.status = Infrastructure.Status.PUBLISHED
    draft.published_at = timezone.now()
    draft.save()
    search.refresh([draft.pk])
    assert totals() == slow_totals()
    listing = Infrastructure.objects.filter(status="published").first()
    assert listing is not None
    listing.kets.clear()
    search.refresh([listing.pk])
    assert totals() == slow_totals()
    Infrastructure.objects.filter(pk=listing.pk).delete()
    assert totals() == slow_totals()
    search.refresh()
    assert totals() == slow_totals()
    SearchRecord.objects.all().delete()
    assert totals() == {}


def test_bit_strings_grow_for_a_listing_past_their_width(catalogue):
    counted = SearchFacetCount.objects.first()
    assert counted is not None
    width = len(counted.bits)
    far = make_infrastructure(pk=width + 10_000, name="Far microscopy", kets=["AI"])
    search.refresh([far.pk])
    counted = SearchFacetCount.objects.first()
    assert counted is not None
    assert len(counted.bits) > far.pk
    assert totals() == slow_totals()
    found = search.find({"ket": ["AI"]}, TextQuery.parse("microscopy"))
    total, expected = slow_counts({"ket": ["AI"]}, "microscopy")
    assert found.total == total
    assert found.counts["ket"]["AI"] == expected["ket"]["AI"]
    assert far.pk in found.ids


@pytest.mark.django_db(transaction=True)
def test_writers_in_concurrent_transactions_keep_the_counts_exact():
    """Two staff add the same KET to two listings at once: the second writer waits
    for the first to commit, and neither listing's bit is lost."""
    build_catalogue()
    first, second = Infrastructure.objects.filter(
        status="published", region_id="ITH55"
    ).order_by("pk")[:2]
    first_written, errors = threading.Event(), []

    def write(listing, kets, before_commit=lambda: None):
        try:
            with transaction.atomic():
                listing.kets.set(Concept.objects.filter(scheme="ket", code__in=kets))
                search.refresh([listing.pk])
                before_commit()
        except Exception as error:  # reported by the test below
            errors.append(error)
        finally:
            connection.close()

    def waiting_writers() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            return cursor.fetchone()[0]

    def wait_for_the_second():
        first_written.set()
        for _ in range(200):
            if waiting_writers():
                return
            time.sleep(0.05)
        errors.append(AssertionError("the second writer did not wait"))

    threads = [
        threading.Thread(target=write, args=(first, ["PHOT"], wait_for_the_second)),
        threading.Thread(
            target=lambda: first_written.wait(10) and write(second, ["PHOT"])
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert totals() == slow_totals()
    assert "PHOT" in SearchRecord.objects.get(pk=first.pk).kets
    assert "PHOT" in SearchRecord.objects.get(pk=second.pk).kets
