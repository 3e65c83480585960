import re
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import reverse

from catalogue import search, services
from catalogue.models import Infrastructure
from core import pagecache
from tests.factories import make_infrastructure, make_user

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _form_token(response) -> str:
    found = TOKEN.search(response.text)
    assert found, "no form with a CSRF token"
    return found.group(1)


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
        reverse("catalogue:region_list"),
        reverse("catalogue:technology_list"),
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


def test_an_rii_page_is_cached_and_each_visitor_gets_a_token_of_their_own(
    redis_cache, client, django_assert_num_queries
):
    rii = make_infrastructure()
    url = rii.get_absolute_url()
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        hit = client.get(url)
    assert hit["X-Page-Cache"] == "hit"
    # The visitor's CSRF cookie is kept; the form carries a token made from it.
    secret = first.cookies[settings.CSRF_COOKIE_NAME].value
    assert hit.cookies[settings.CSRF_COOKIE_NAME].value == secret
    token = _form_token(hit)
    assert token != _form_token(first)
    assert hit.content.replace(token.encode(), b"") == first.content.replace(
        _form_token(first).encode(), b""
    )
    # Another visitor, without that cookie, gets a new cookie and its own token.
    stranger = Client(enforce_csrf_checks=True)
    other = stranger.get(url)
    assert other["X-Page-Cache"] == "hit"
    assert settings.CSRF_COOKIE_NAME in other.cookies
    assert _form_token(other) not in (token, _form_token(first))
    # The form of a cached page works: the shortlist takes the RII.
    added = stranger.post(
        reverse("access:shortlist_add", args=[rii.slug]),
        {"csrfmiddlewaretoken": _form_token(other), "next": url},
    )
    assert added.status_code == 302
    assert rii.name in stranger.get(reverse("access:shortlist_detail")).text
    # With someone else's token, the same post is refused.
    stranger.cookies.pop(settings.CSRF_COOKIE_NAME)
    refused = stranger.post(
        reverse("access:shortlist_add", args=[rii.slug]),
        {"csrfmiddlewaretoken": _form_token(other), "next": url},
    )
    assert refused.status_code == 403


def test_a_page_with_another_cookie_or_marked_private_is_not_stored(rf):
    request = rf.get("/regions/DE/")
    page = HttpResponse(b"<p>page</p>")
    assert pagecache._stored_content(request, page) == b"<p>page</p>"
    page.set_cookie("tracking", "1")
    assert pagecache._stored_content(request, page) is None
    private = HttpResponse(b"<p>page</p>", headers={"Cache-Control": "private"})
    assert pagecache._stored_content(request, private) is None
    # A token used outside a form of Django's is never stored.
    get_token(request)
    assert pagecache._stored_content(request, HttpResponse(b"<p>x</p>")) is None


def test_the_host_is_part_of_the_key_and_checked(redis_cache, client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    url = reverse("home")
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    assert client.get(url, HTTP_HOST="other.example")["X-Page-Cache"] == "miss"
    assert client.get(url, HTTP_HOST="evil.example").status_code == 400


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
        # The process's memory still answers the pages it served; others render.
        for _ in range(3):
            assert client.get(reverse("home"))["X-Page-Cache"] == "hit"
            response = client.get(reverse("catalogue:infrastructure_list"))
            assert response.status_code == 200
        server = _start_redis(port)
        time.sleep(5.1)  # the circuit breaker closes again
        client.get(reverse("home"))
        assert client.get(reverse("home"))["X-Page-Cache"] == "hit"
    finally:
        server.terminate()
        server.wait()


def test_a_change_made_by_another_process_shows_within_a_second(
    redis_cache, client, monkeypatch
):
    rii = make_infrastructure(name="Old name")
    search.refresh([rii.pk])
    url = reverse("catalogue:infrastructure_list")
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    # Another worker saves the listing: only Redis's generation moves.
    Infrastructure.objects.filter(pk=rii.pk).update(name="New name")
    search.refresh([rii.pk])
    cache.incr(pagecache.GENERATION_KEY)
    assert client.get(url)["X-Page-Cache"] == "hit"  # this process trusts its second
    monkeypatch.setattr(pagecache, "LOCAL_GENERATION_SECONDS", 0)
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert b"New name" in response.content


def test_pages_in_memory_still_answer_after_redis_restarts_empty(
    redis_cache, client, monkeypatch
):
    monkeypatch.setattr(pagecache, "LOCAL_GENERATION_SECONDS", 0)
    url = reverse("home")
    client.get(url)
    before = pagecache.current_generation()
    cache.clear()  # Redis restarted empty
    assert client.get(url)["X-Page-Cache"] == "hit"
    assert cache.get(pagecache.GENERATION_KEY) == before


def test_a_change_while_redis_is_away_shows_once_it_is_back(
    redis_cache, client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(pagecache, "LOCAL_GENERATION_SECONDS", 0)
    rii = make_infrastructure(name="Old name")
    search.refresh([rii.pk])
    url = reverse("catalogue:infrastructure_list")
    assert b"Old name" in client.get(url).content
    before = pagecache.current_generation()
    backend = caches["default"]
    with monkeypatch.context() as outage:
        outage.setattr(backend, "get", lambda *args, **kwargs: None)
        outage.setattr(backend, "set", lambda *args, **kwargs: None)
        outage.setattr(backend, "add", lambda *args, **kwargs: False)
        rii.name = "New name"
        with django_capture_on_commit_callbacks(execute=True):
            services.listing_save(infrastructure=rii, source=services.ADMIN)
    cache.clear()  # it restarted empty, and another process, which kept the old
    cache.add(pagecache.GENERATION_KEY, before)  # pages, gave it its generation
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert b"New name" in response.content
    # This process tells Redis of the change: the others drop their old pages.
    assert cache.get(pagecache.GENERATION_KEY) not in (None, before)
    assert cache.get(pagecache.GENERATION_KEY) == pagecache.current_generation()


def _slow_page(calls: list[int]):
    def view(request):
        calls.append(1)
        time.sleep(0.3)
        return HttpResponse(b"<p>rendered once</p>")

    return view


def test_requests_for_a_page_being_rendered_wait_for_it(redis_cache, rf):
    calls: list[int] = []
    middleware = pagecache.anonymous_pages(_slow_page(calls))
    with ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(lambda _: middleware(rf.get("/")), range(6)))
    assert len(calls) == 1
    assert [r.content for r in responses] == [b"<p>rendered once</p>"] * 6
    assert sorted(r["X-Page-Cache"] for r in responses) == ["hit"] * 5 + ["miss"]


def test_another_process_rendering_the_page_is_waited_for(redis_cache, rf):
    calls: list[int] = []
    middleware = pagecache.anonymous_pages(_slow_page(calls))
    key = pagecache._key(rf.get("/"), pagecache.current_generation())
    cache.add(f"{key}:rendering", 1, 5)  # another process renders it

    def other_process_stores_it():
        time.sleep(0.2)
        cache.set(key, (200, [], b"<p>from the other</p>"), 60)
        cache.delete(f"{key}:rendering")

    with ThreadPoolExecutor(1) as pool:
        pool.submit(other_process_stores_it)
        response = middleware(rf.get("/"))
    assert calls == []
    assert response.content == b"<p>from the other</p>"


def test_memory_keeps_the_newest_pages_within_its_budget(monkeypatch):
    monkeypatch.setattr(pagecache, "LOCAL_BYTES", 250)
    for name in "abc":
        pagecache._local_set(name, (200, [], name.encode() * 100))
    assert pagecache._local_get("a") is None
    assert pagecache._local_get("b") == (200, [], b"b" * 100)
    assert pagecache._local_get("c") == (200, [], b"c" * 100)
    assert pagecache._size == [200]
    pagecache._local_set("big", (200, [], b"x" * 300))  # larger than the budget
    assert pagecache._local_get("big") is None
    assert pagecache._local_get("b") is not None
