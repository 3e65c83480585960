"""Timing of search pages: ``measure_page`` times one search URL through Django's
test client and replays the same SQL statements on a plain psycopg connection, so
that the page time can be compared with the time spent in PostgreSQL."""

import contextlib
import math
import statistics
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

# Bump when the generator changes, so that an existing benchmark database is rebuilt.


# The benchmark's targets.
MAX_QUERIES = 6
MAX_MEDIAN_RATIO = 3.0
MAX_MEDIAN_MS = 150.0

# --- Measurement ------------------------------------------------------------------


@contextlib.contextmanager
def served_as_in_production() -> Iterator[None]:
    """Pages rendered as production serves them: DEBUG off, through the test client."""
    with (
        warnings.catch_warnings(),
        override_settings(
            DEBUG=False,
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
            # Plain static storage: the benchmark runs without collectstatic.
            STORAGES={
                **settings.STORAGES,
                "staticfiles": {
                    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
                },
            },
        ),
    ):
        # WhiteNoise warns that STATIC_ROOT is missing; static files are not timed.
        warnings.filterwarnings("ignore", message="No directory at")
        yield


@dataclass(frozen=True)
class BenchUrl:
    label: str
    query: str
    htmx: bool = False


BENCH_URLS = [
    BenchUrl("all, sorted by name", ""),
    BenchUrl("text, very common", "q=laboratory"),
    BenchUrl("text, very common 2", "q=testing"),
    BenchUrl("text, rare", "q=ptychography"),
    BenchUrl("text, two words", "q=electron+microscopy"),
    BenchUrl("text, prefix", "q=spectro"),
    BenchUrl("text, typo", "q=mikroscopy"),
    BenchUrl("text, no match", "q=zzyzxqv"),
    BenchUrl("filters: KET + type", "ket=AM&type=core_facility"),
    BenchUrl("filters: service type + access", "service_type=testing&access=remote"),
    BenchUrl(
        "text + 3 filters",
        "q=testing&country=DE&service_type=testing&sme_rate=on",
    ),
    BenchUrl("deep page by name", "sort=name&page=200"),
    BenchUrl("sort by updated", "sort=updated"),
    BenchUrl("region NUTS-1", "region=ITH"),
    BenchUrl("region NUTS-2", "region=DE21"),
    BenchUrl("partner regions", "partner=on"),
    BenchUrl("two countries", "country=IT&country=FR"),
    BenchUrl("KET 2012 code", "ket=NANO"),
    BenchUrl("TRL range", "trl_min=4&trl_max=6"),
    BenchUrl("price + SME rate", "price=under_1k&price=1k_5k&sme_rate=on"),
    BenchUrl("language", "language=de"),
    BenchUrl("scientific domain", "domain=engineering_and_energy"),
    BenchUrl("NACE section", "nace=C"),
    BenchUrl("equipment + text", "equipment=electron_microscopy&q=microscope"),
    BenchUrl(
        "everything",
        "q=laser&ket=PHOT&region=DE1&trl_min=3&sme_rate=on&sort=updated",
    ),
    BenchUrl("htmx: text + KET", "q=laboratory&ket=AM", htmx=True),
]


@dataclass
class PageTiming:
    label: str
    url: str
    queries: int
    median_ms: float
    p95_ms: float
    sql_median_ms: float
    slowest_sql: str = field(default="", repr=False)
    slowest_sql_params: Any = field(default=None, repr=False)
    slowest_sql_ms: float = 0.0

    @property
    def ratio(self) -> float:
        return self.median_ms / self.sql_median_ms if self.sql_median_ms else math.inf

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "url": self.url,
            "queries": self.queries,
            "median_ms": round(self.median_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "sql_median_ms": round(self.sql_median_ms, 2),
            "ratio": round(self.ratio, 2),
        }


class BenchError(Exception):
    pass


Statement = tuple[str, Any, bool]  # sql, params, executemany


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def measure_page(
    client: Client,
    url: str,
    *,
    label: str = "",
    htmx: bool = False,
    runs: int = 20,
    replay: psycopg.Connection,
) -> PageTiming:
    """Time ``url`` through ``client`` and its SQL statements on ``replay``.

    One warm-up request, one request capturing the statements, then ``runs`` timed
    requests and ``runs`` timed replays of the captured statements.
    """
    headers = {"HX-Request": "true"} if htmx else {}

    def get() -> None:
        response = client.get(url, headers=headers)
        if response.status_code != 200:
            raise BenchError(f"{url} answered {response.status_code}")

    get()
    statements: list[Statement] = []

    def capture(execute, sql, params, many, context):
        statements.append((sql, params, many))
        return execute(sql, params, many, context)

    with (
        CaptureQueriesContext(connection) as captured,
        connection.execute_wrapper(capture),
    ):
        get()
    # Read now: the next request empties the connection's query log.
    queries = len(captured.captured_queries)
    page_times = []
    for _ in range(runs):
        started = time.perf_counter()
        get()
        page_times.append((time.perf_counter() - started) * 1000)
    sql_times, per_statement = replay_statements(replay, statements, runs=runs)
    slowest = max(range(len(statements)), key=per_statement.__getitem__, default=None)
    return PageTiming(
        label=label,
        url=url,
        queries=queries,
        median_ms=statistics.median(page_times),
        p95_ms=_percentile(page_times, 0.95),
        sql_median_ms=statistics.median(sql_times),
        slowest_sql=statements[slowest][0] if slowest is not None else "",
        slowest_sql_params=statements[slowest][1] if slowest is not None else None,
        slowest_sql_ms=per_statement[slowest] if slowest is not None else 0.0,
    )


def replay_statements(
    replay: psycopg.Connection, statements: Sequence[Statement], *, runs: int
) -> tuple[list[float], list[float]]:
    """Run ``statements`` ``runs`` times, fetching every row as Django does.

    Returns the total milliseconds of each run and the median of each statement.
    Statements are bound client-side, as Django's PostgreSQL backend does by default.
    """
    totals: list[float] = []
    per_statement: list[list[float]] = [[] for _ in statements]
    with psycopg.ClientCursor(replay) as cursor:
        for _ in range(runs):
            run_started = time.perf_counter()
            for n, (sql, params, many) in enumerate(statements):
                started = time.perf_counter()
                if many:
                    cursor.executemany(sql, params)
                else:
                    cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()
                per_statement[n].append((time.perf_counter() - started) * 1000)
            totals.append((time.perf_counter() - run_started) * 1000)
    return totals, [statistics.median(times) for times in per_statement]


def measure_pages(
    urls: Sequence[BenchUrl],
    *,
    runs: int,
    replay: psycopg.Connection,
    progress: Callable[[PageTiming], None] = lambda page: None,
) -> list[PageTiming]:
    """Time every search URL as production would serve it (DEBUG off)."""
    base = reverse("catalogue:infrastructure_list")
    pages = []
    with served_as_in_production():
        client = Client()
        for bench_url in urls:
            url = f"{base}?{bench_url.query}" if bench_url.query else base
            page = measure_page(
                client,
                url,
                label=bench_url.label,
                htmx=bench_url.htmx,
                runs=runs,
                replay=replay,
            )
            progress(page)
            pages.append(page)
    return pages


def replay_connection(settings_dict: dict[str, Any]) -> psycopg.Connection:
    """A plain psycopg connection (no Django adapters) to the database of
    ``settings_dict``, in autocommit and UTC like Django's."""
    return psycopg.connect(**psycopg_params(settings_dict), autocommit=True)


def psycopg_params(
    settings_dict: Mapping[str, Any], **overrides: Any
) -> dict[str, Any]:
    params = {
        "dbname": settings_dict["NAME"],
        "user": settings_dict["USER"] or None,
        "password": settings_dict["PASSWORD"] or None,
        "host": settings_dict["HOST"] or None,
        "port": settings_dict["PORT"] or None,
        "options": "-c TimeZone=UTC",
    }
    return {key: value for key, value in {**params, **overrides}.items() if value}


def explain(replay: psycopg.Connection, sql: str, params: Any) -> str:
    with psycopg.ClientCursor(replay) as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@dataclass
class Summary:
    median_ratio: float
    max_median_ms: float
    max_queries: int
    missed: list[str]


def summarise(pages: Sequence[PageTiming]) -> Summary:
    missed = []
    for page in pages:
        if page.queries > MAX_QUERIES:
            missed.append(f"{page.label}: {page.queries} queries > {MAX_QUERIES}")
        if page.median_ms > MAX_MEDIAN_MS:
            missed.append(
                f"{page.label}: median {page.median_ms:.0f} ms > {MAX_MEDIAN_MS:.0f} ms"
            )
    median_ratio = statistics.median(page.ratio for page in pages)
    if median_ratio > MAX_MEDIAN_RATIO:
        missed.append(f"median ratio page/SQL {median_ratio:.2f} > {MAX_MEDIAN_RATIO}")
    return Summary(
        median_ratio=median_ratio,
        max_median_ms=max(page.median_ms for page in pages),
        max_queries=max(page.queries for page in pages),
        missed=missed,
    )


def report(dataset: dict[str, Any], pages: Sequence[PageTiming]) -> dict[str, Any]:
    summary = summarise(pages)
    return {
        "dataset": dataset,
        "pages": [page.as_json() for page in pages],
        "summary": {
            "median_ratio": round(summary.median_ratio, 2),
            "max_median_ms": round(summary.max_median_ms, 2),
            "max_queries": summary.max_queries,
            "targets": {
                "max_queries": MAX_QUERIES,
                "max_median_ratio": MAX_MEDIAN_RATIO,
                "max_median_ms": MAX_MEDIAN_MS,
            },
            "missed": summary.missed,
        },
    }


def table(pages: Sequence[PageTiming]) -> str:
    header = (
        f"{'page':<32} {'queries':>7} {'median':>9} {'p95':>9} {'SQL':>9} {'ratio':>6}"
    )
    lines = [header, "-" * len(header)]
    for page in pages:
        lines.append(
            f"{page.label[:32]:<32} {page.queries:>7} {page.median_ms:>6.1f} ms "
            f"{page.p95_ms:>6.1f} ms {page.sql_median_ms:>6.1f} ms {page.ratio:>6.2f}"
        )
    return "\n".join(lines)
