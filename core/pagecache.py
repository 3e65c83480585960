"""Whole pages for anonymous visitors, answered from the cache before sessions run.

Only a GET or HEAD without a session or messages cookie, for the public pages of
`CACHED_PATHS`, keyed by scheme, host, path, query string, language and htmx; only a
200 without `Set-Cookie` (but for the CSRF cookie, see below) and not marked private
is stored. Publishing or changing a listing bumps a generation number, which empties
every page at once (`pages_changed`). On with `PORTAL_PAGE_CACHE_SECONDS` above 0
(REDIS_URL sets 300).

A page whose only per-visitor part is a CSRF token (an RII page's "Add to shortlist"
form) is stored with the token replaced by a placeholder; a hit puts back a token of
the visitor's own, made by Django's CSRF middleware from the visitor's CSRF cookie
(or a new one, with its cookie), as the view would have: the token never comes from
another visitor and no session is read.

In front of Redis each process keeps the pages it served last in memory
(up to `LOCAL_BYTES`), keyed by generation; the generation itself is read from Redis at
most every `LOCAL_GENERATION_SECONDS`, so a change shows on other processes within
that delay (at once on the process that made it). Without Redis (an outage) the last
known generation is kept, so memory still answers for `LOCAL_PAGE_SECONDS`, and
when Redis comes back empty it is given that generation again (see
`current_generation`).
"""

import hashlib
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils import translation

CACHED_PATHS = re.compile(
    r"^/(?:|infrastructures/(?:[-\w]+/)?|regions/(?:[-\w]+/)?|technologies/(?:[-\w]+/)?|insights/)$"
)
GENERATION_KEY = "page-cache:generation"

# How long a process trusts the generation it read, and keeps a page in memory.
LOCAL_GENERATION_SECONDS = 1.0
LOCAL_PAGE_SECONDS = 60.0
# At most this many bytes of pages per process (a search page is some 105 kB, an
# RII page 35 kB: the load test's 613 pages take 29 MB).
LOCAL_BYTES = 32 * 1024 * 1024

# How long a request waits for another that renders the same missing page.
RENDER_WAIT_SECONDS = 3.0

# What a stored page holds instead of the CSRF token of the visitor it was made for.
CSRF_PLACEHOLDER = b"\x00page-cache-csrf-token\x00"
_CSRF_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{32,64})"')

_lock = threading.Lock()
# The generation, when it was read (monotonic), whether Redis has yet to hear of it.
_generation: list[Any] = [None, 0.0, False]
_pages: dict[str, tuple[float, tuple[int, list[tuple[str, str]], bytes]]] = {}
_size = [0]  # bytes of content in _pages
_rendering: dict[str, threading.Event] = {}


def pages_changed() -> None:
    """Forget every cached page once the current transaction commits."""
    transaction.on_commit(_bump_generation)


def _new_generation() -> int:
    # A new generation is a time (microseconds), never one used before.
    return time.time_ns() // 1000


def _bump_generation() -> None:
    value = _new_generation()
    cache.set(GENERATION_KEY, value, None)
    # If Redis is away the change is told to it once it answers again.
    pending = cache.get(GENERATION_KEY) != value
    with _lock:
        _generation[:] = [value, time.monotonic(), pending]
        _pages.clear()
        _size[0] = 0


def current_generation() -> Any:
    """The generation pages are stored under: Redis's, read at most once a
    `LOCAL_GENERATION_SECONDS`; the last known one while Redis does not answer.

    A Redis that comes back empty (restarted) is given the generation this process
    knew, so that pages kept in memory still answer while Redis fills again,
    unless a listing changed meanwhile: then a new one."""
    value, read_at, pending = _generation
    now = time.monotonic()
    if value is not None and now - read_at < LOCAL_GENERATION_SECONDS:
        return value
    fresh = None if pending else cache.get(GENERATION_KEY)
    if fresh is None:
        kept = value if value is not None and not pending else _new_generation()
        if pending:
            cache.set(GENERATION_KEY, kept, None)
        else:
            cache.add(GENERATION_KEY, kept, None)
        fresh = cache.get(GENERATION_KEY)
        pending = pending and fresh != kept
    if fresh is None:
        # Redis is away: keep what this process knew.
        if value is None:
            return None
        fresh = value
    with _lock:
        if fresh != value:
            _pages.clear()
            _size[0] = 0
        _generation[:] = [fresh, now, pending]
    return fresh


def forget_local() -> None:
    """Empty this process's memory of pages and generation (tests, a new worker)."""
    with _lock:
        _generation[:] = [None, 0.0, False]
        _pages.clear()
        _size[0] = 0


def _key(request: HttpRequest, generation: Any) -> str:
    parts = "|".join(
        (
            request.scheme or "",
            request.get_host(),
            request.path,
            request.META.get("QUERY_STRING", ""),
            translation.get_language_from_request(request),
            request.headers.get("HX-Request", ""),
            request.headers.get("HX-Target", ""),
        )
    )
    return f"page-cache:{generation}:{hashlib.sha256(parts.encode()).hexdigest()}"


def _local_get(key: str) -> Any:
    entry = _pages.get(key)
    if entry is None:
        return None
    if entry[0] < time.monotonic():
        with _lock:
            if _pages.pop(key, None) is not None:
                _size[0] -= len(entry[1][2])
        return None
    return entry[1]


def _local_set(key: str, stored: Any) -> None:
    size = len(stored[2])
    if size > LOCAL_BYTES:
        return
    with _lock:
        previous = _pages.pop(key, None)
        if previous is not None:
            _size[0] -= len(previous[1][2])
        while _pages and _size[0] + size > LOCAL_BYTES:
            # Oldest first (dicts keep insertion order).
            _size[0] -= len(_pages.pop(next(iter(_pages)))[1][2])
        _pages[key] = (time.monotonic() + LOCAL_PAGE_SECONDS, stored)
        _size[0] += size


def _without_csrf_token(request: HttpRequest, response: HttpResponse) -> bytes | None:
    """The page with the visitor's CSRF token replaced by the placeholder; None if
    it cannot be stored (other cookies, or a token but no form of Django's)."""
    # get_token() sets the flag (CsrfViewMiddleware then resets it to False).
    csrf_used = "CSRF_COOKIE_NEEDS_UPDATE" in request.META
    if set(response.cookies) - {settings.CSRF_COOKIE_NAME}:
        return None
    if not csrf_used:
        return None if response.cookies else response.content
    if getattr(settings, "CSRF_USE_SESSIONS", False):
        return None
    content = response.content
    tokens = set(_CSRF_TOKEN.findall(content))
    if len(tokens) != 1:
        return None
    return content.replace(tokens.pop(), CSRF_PLACEHOLDER)


def _stored_content(request: HttpRequest, response: HttpResponse) -> bytes | None:
    cache_control = response.get("Cache-Control", "")
    if (
        response.status_code != 200
        or response.streaming
        or "private" in cache_control
        or "no-store" in cache_control
    ):
        return None
    return _without_csrf_token(request, response)


def _cacheable(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and CACHED_PATHS.match(request.path) is not None
        # A plain-http request that is to be redirected to https goes on.
        and not (settings.SECURE_SSL_REDIRECT and not request.is_secure())
    )


def anonymous_pages(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    csrf = CsrfViewMiddleware(get_response)

    def answer(request: HttpRequest, stored: Any) -> HttpResponse:
        status, headers, content = stored
        with_token = CSRF_PLACEHOLDER in content
        if with_token:
            csrf.process_request(request)
            content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        if with_token:
            csrf.process_response(request, response)
        response["X-Page-Cache"] = "hit"
        return response

    def render(request: HttpRequest, key: str, seconds: int) -> HttpResponse:
        response = get_response(request)
        content = _stored_content(request, response)
        if content is not None:
            headers = [
                (name, value)
                for name, value in response.items()
                if name.lower() not in ("x-request-id", "content-length", "set-cookie")
            ]
            stored = (response.status_code, headers, content)
            cache.set(key, stored, seconds)
            _local_set(key, stored)
            response["X-Page-Cache"] = "miss"
        return response

    def middleware(request: HttpRequest) -> HttpResponse:
        seconds = getattr(settings, "PORTAL_PAGE_CACHE_SECONDS", 0)
        if not seconds or not _cacheable(request):
            return get_response(request)
        generation = current_generation()
        if generation is None:
            return get_response(request)
        key = _key(request, generation)
        stored = _local_get(key)
        if stored is None:
            stored = cache.get(key)
            if stored is not None:
                _local_set(key, stored)
        if stored is not None:
            return answer(request, stored)
        # One request renders a missing page; the others asking for it meanwhile,
        # in this process or another, wait for it (a few seconds at most).
        with _lock:
            other = _rendering.get(key)
            if other is None:
                event = _rendering[key] = threading.Event()
        if other is not None:
            other.wait(RENDER_WAIT_SECONDS)
            stored = _local_get(key)
            return answer(request, stored) if stored else render(request, key, seconds)
        try:
            stored = _rendered_elsewhere(key)
            if stored is not None:
                _local_set(key, stored)
                return answer(request, stored)
            try:
                return render(request, key, seconds)
            finally:
                cache.delete(f"{key}:rendering")
        finally:
            with _lock:
                _rendering.pop(key, None)
            event.set()

    return middleware


def _rendered_elsewhere(key: str) -> Any:
    """None once this process may render ``key``; the page, if another process
    rendered it meanwhile. Without Redis nobody waits."""
    lock = f"{key}:rendering"
    if cache.add(lock, 1, int(RENDER_WAIT_SECONDS) + 1) or cache.get(lock) is None:
        return None
    deadline = time.monotonic() + RENDER_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.02)
        stored = cache.get(key)
        if stored is not None:
            return stored
        if cache.get(lock) is None:
            break
    cache.add(lock, 1, int(RENDER_WAIT_SECONDS) + 1)
    return None
