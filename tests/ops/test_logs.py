"""Request ids, JSON log lines, and the slow-request and slow-query logs."""

import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client

from core import queries
from core.health import HEALTHZ
from core.logs import JsonFormatter, RequestIdFilter, TextFormatter


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the portal's console handler writes in JSON, captured."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


def records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_response_carries_a_new_request_id() -> None:
    client = Client()
    first = client.get(HEALTHZ)["X-Request-ID"]
    second = client.get(HEALTHZ)["X-Request-ID"]
    assert len(first) == 32 and first != second


@pytest.mark.parametrize(
    ("remote_addr", "given", "kept"),
    [
        ("127.0.0.1", "a3f9c2e4b5d6e7f8a9b0c1d2e3f4a5b6", True),
        ("203.0.113.9", "a3f9c2e4b5d6e7f8a9b0c1d2e3f4a5b6", False),
        ("127.0.0.1", "<script>alert(1)</script>", False),
        ("127.0.0.1", "x" * 200, False),
    ],
)
def test_the_proxys_request_id_is_kept_only_from_a_trusted_proxy(
    remote_addr: str, given: str, kept: bool
) -> None:
    response = Client().get(HEALTHZ, REMOTE_ADDR=remote_addr, HTTP_X_REQUEST_ID=given)
    assert (response["X-Request-ID"] == given) is kept


@pytest.mark.django_db
def test_a_slow_request_is_logged_as_json_with_its_request_id(
    client: Client, settings, log_lines: io.StringIO
) -> None:
    settings.PORTAL_SLOW_REQUEST_MS = 1
    client.get("/", HTTP_X_REQUEST_ID="proxy-id-12345")
    slow = [r for r in records(log_lines) if r["logger"] == "portal.slow_request"]
    assert len(slow) == 1
    assert slow[0]["request_id"] == "proxy-id-12345"
    assert slow[0]["level"] == "WARNING"
    assert (slow[0]["method"], slow[0]["path"], slow[0]["status"]) == ("GET", "/", 200)
    assert slow[0]["duration_ms"] > 1


@pytest.mark.django_db
def test_a_fast_request_is_not_logged(
    client: Client, settings, log_lines: io.StringIO
) -> None:
    settings.PORTAL_SLOW_REQUEST_MS = 60_000
    client.get("/")
    assert records(log_lines) == []


def test_the_error_page_shows_the_request_id_and_the_log_has_it(
    settings, log_lines: io.StringIO
) -> None:
    settings.ROOT_URLCONF = "tests.ops.urls"
    client = Client(raise_request_exception=False)
    response = client.get("/broken/", HTTP_X_REQUEST_ID="proxy-id-67890")
    assert response.status_code == 500
    assert response["X-Request-ID"] == "proxy-id-67890"
    assert "<code>proxy-id-67890</code>" in response.content.decode()
    [error] = [r for r in records(log_lines) if r["logger"] == "django.request"]
    assert error["request_id"] == "proxy-id-67890"
    assert "RuntimeError: broken on purpose" in error["exception"]


def test_text_lines_carry_the_request_id_too() -> None:
    handler_filter, formatter = RequestIdFilter(), TextFormatter()
    record = logging.LogRecord("portal", logging.INFO, "", 0, "hello", (), None)
    handler_filter.filter(record)
    assert formatter.format(record).endswith(" INFO portal [-] hello")


@pytest.fixture
def slow_query_log() -> Iterator[None]:
    connection.ensure_connection()
    queries.install(connection=connection)
    yield
    connection.execute_wrappers.remove(queries.log_slow_queries)


@pytest.mark.django_db
def test_a_slow_query_is_logged_without_its_parameters(
    settings, slow_query_log: None, log_lines: io.StringIO
) -> None:
    settings.PORTAL_SLOW_QUERY_MS = 5
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s, pg_sleep(0.02)", ["ana@sme.example.eu"])
        cursor.execute("SELECT 1")
    [slow] = records(log_lines)
    assert slow["logger"] == "portal.slow_query"
    assert slow["sql"] == "SELECT %s, pg_sleep(0.02)"
    assert slow["duration_ms"] >= 20
    assert "ana@sme.example.eu" not in json.dumps(slow)


@pytest.mark.django_db
def test_the_slow_query_wrapper_is_installed_once_per_connection(
    slow_query_log: None,
) -> None:
    queries.install(connection=connection)
    assert connection.execute_wrappers.count(queries.log_slow_queries) == 1
