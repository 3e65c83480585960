import json

import pytest
from django.db import connection, transaction

from bench import dataset, timing
from catalogue import search
from catalogue.models import Equipment, Infrastructure, SearchRecord, Service

pytestmark = pytest.mark.django_db

TINY = dataset.DatasetSize(
    infrastructures=30, services=90, equipment=150, organisations=5
)
# One URL per path through the search code, to keep the test fast.
PATHS = {
    "all, sorted by name",
    "text, typo",
    "text + 3 filters",
    "deep page by name",
    "KET 2012 code",
    "TRL range",
    "htmx: text + KET",
}
URLS = [url for url in timing.BENCH_URLS if url.label in PATHS]


def infrastructure_names() -> list[str]:
    return list(Infrastructure.objects.order_by("slug").values_list("name", flat=True))


def test_generator_builds_the_requested_catalogue_reproducibly():
    with transaction.atomic():
        dataset.generate_catalogue(size=TINY)
        first_names = infrastructure_names()
        transaction.set_rollback(True)

    counts = dataset.generate_catalogue(size=TINY)

    assert counts["infrastructures"] == Infrastructure.objects.count() == 30
    assert counts["services"] == Service.objects.count() == 90
    assert counts["equipment"] == Equipment.objects.count() == 150
    assert Infrastructure.objects.published().count() >= 25
    assert all(rii.kets.exists() for rii in Infrastructure.objects.all())
    # The first infrastructures go to different NUTS-2 regions, in NUTS-3 children.
    regions = set(Infrastructure.objects.values_list("region_id", flat=True))
    assert {len(code) for code in regions} == {5}
    assert len({code[:4] for code in regions}) == 30
    assert infrastructure_names() == first_names


def test_measurement_reports_every_page_with_at_most_six_queries():
    dataset.generate_catalogue(size=TINY)
    search.refresh()
    assert SearchRecord.objects.filter(is_published=True).exists()

    # Replaying on Django's own psycopg connection sees the test's transaction.
    pages = timing.measure_pages(URLS, runs=2, replay=connection.connection)
    result = json.loads(json.dumps(timing.report({"seed": TINY.seed}, pages)))

    assert result["dataset"] == {"seed": TINY.seed}
    assert len(timing.BENCH_URLS) >= 20
    assert len(URLS) == len(PATHS)
    assert [page["url"] for page in result["pages"]] == [
        f"/infrastructures/?{url.query}" if url.query else "/infrastructures/"
        for url in URLS
    ]
    for page in result["pages"]:
        assert {
            "url",
            "queries",
            "median_ms",
            "p95_ms",
            "sql_median_ms",
            "ratio",
        } <= set(page)
        assert 1 <= page["queries"] <= timing.MAX_QUERIES, page
        assert page["sql_median_ms"] > 0
    assert "median_ratio" in result["summary"]
