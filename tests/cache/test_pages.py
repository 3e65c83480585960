import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.urls import reverse

from catalogue import search, services
from tests.factories import make_infrastructure, make_user

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_redis(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return server
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


@pytest.fixture
def redis_port() -> Iterator[int]:
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    port = _free_port()
    server = _start_redis(port)
    yield port
    server.terminate()
    server.wait()


@pytest.fixture
def redis_cache(settings, redis_port):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{redis_port}/0",
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    settings.PORTAL_PAGE_CACHE_SECONDS = 300
    return redis_port


def test_the_cache_is_redis_and_fails_open_when_redis_stops(redis_cache, settings):
    cache.set("k", "v")
    assert cache.get("k") == "v"
    assert cache.add("a", 1) is True


def test_a_cached_anonymous_page_costs_no_sql_query(
    redis_cache, client, django_assert_num_queries
):
    rii = make_infrastructure()
    for url in (
        reverse("home"),
        reverse("catalogue:infrastructure_list"),
        reverse("catalogue:infrastructure_list") + "?q=laser",
        reverse("catalogue:region_detail", args=[rii.region.code]),
    ):
        first = client.get(url)
        assert first.status_code == 200
        assert first["X-Page-Cache"] == "miss"
        with django_assert_num_queries(0):
            second = client.get(url)
        assert second["X-Page-Cache"] == "hit"
        assert second.content == first.content


def test_the_query_string_and_language_are_part_of_the_key(redis_cache, client):
    url = reverse("catalogue:infrastructure_list")
    client.get(url + "?q=laser")
    assert client.get(url + "?q=other")["X-Page-Cache"] == "miss"
    assert (
        client.get(url + "?q=laser", HTTP_ACCEPT_LANGUAGE="it")["X-Page-Cache"]
        == "miss"
    )


def test_signed_in_visitors_are_never_served_from_the_cache(redis_cache, client):
    client.get(reverse("home"))
    client.force_login(make_user())
    response = client.get(reverse("home"))
    assert "X-Page-Cache" not in response


def test_a_page_with_a_csrf_token_or_a_cookie_is_not_stored(redis_cache, client):
    # An RII page offers a form with a CSRF token: never stored.
    rii = make_infrastructure()
    client.get(rii.get_absolute_url())
    assert "X-Page-Cache" not in client.get(rii.get_absolute_url())


def test_a_change_to_a_listing_shows_on_the_next_load(
    redis_cache, client, django_capture_on_commit_callbacks
):
    rii = make_infrastructure(name="Old name")
    search.refresh([rii.pk])
    url = reverse("catalogue:infrastructure_list")
    assert b"Old name" in client.get(url).content
    assert client.get(url)["X-Page-Cache"] == "hit"
    rii.name = "New name"
    with django_capture_on_commit_callbacks(execute=True):
        services.listing_save(infrastructure=rii, source=services.ADMIN)
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert b"New name" in response.content


def test_pages_still_answer_when_redis_stops_and_recover_when_it_returns(
    settings, client
):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    port = _free_port()
    server = _start_redis(port)
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        }
    }
    settings.PORTAL_PAGE_CACHE_SECONDS = 300
    make_infrastructure()
    try:
        client.get(reverse("home"))
        assert client.get(reverse("home"))["X-Page-Cache"] == "hit"
        server.terminate()
        server.wait()
        for _ in range(3):
            response = client.get(reverse("home"))
            assert response.status_code == 200
            assert "X-Page-Cache" not in response or response["X-Page-Cache"] == "miss"
        server = _start_redis(port)
        time.sleep(5.1)  # the circuit breaker closes again
        client.get(reverse("home"))
        assert client.get(reverse("home"))["X-Page-Cache"] == "hit"
    finally:
        server.terminate()
        server.wait()
