"""Whole pages for anonymous visitors, answered from the cache before sessions run.

Only a GET or HEAD without a session or messages cookie, for the public pages of
`CACHED_PATHS`, keyed by path, query string, language and htmx; only a 200 without
`Set-Cookie`, without a CSRF token and not marked private is stored. Publishing or
changing a listing bumps a generation number, which empties every page at once
(`pages_changed`). On with `PORTAL_PAGE_CACHE_SECONDS` above 0 (REDIS_URL sets 300).
"""

import hashlib
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import translation

CACHED_PATHS = re.compile(
    r"^/(?:|infrastructures/(?:[-\w]+/)?|regions/[-\w]+/|technologies/[-\w]+/|insights/)$"
)
GENERATION_KEY = "page-cache:generation"


def pages_changed() -> None:
    """Forget every cached page once the current transaction commits."""
    transaction.on_commit(_bump_generation)


def _bump_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def _key(request: HttpRequest, generation: Any) -> str:
    parts = "|".join(
        (
            request.path,
            request.META.get("QUERY_STRING", ""),
            translation.get_language_from_request(request),
            request.headers.get("HX-Request", ""),
            request.headers.get("HX-Target", ""),
        )
    )
    return f"page-cache:{generation}:{hashlib.sha256(parts.encode()).hexdigest()}"


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not request.META.get("CSRF_COOKIE_USED")
        and "private" not in cache_control
        and "no-store" not in cache_control
        and b"csrfmiddlewaretoken" not in response.content
    )


def anonymous_pages(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    def middleware(request: HttpRequest) -> HttpResponse:
        seconds = getattr(settings, "PORTAL_PAGE_CACHE_SECONDS", 0)
        if (
            not seconds
            or request.method not in ("GET", "HEAD")
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or "messages" in request.COOKIES
            or not CACHED_PATHS.match(request.path)
        ):
            return get_response(request)
        key = _key(request, cache.get(GENERATION_KEY, 0))
        stored = cache.get(key)
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Page-Cache"] = "hit"
            return response
        response = get_response(request)
        if _storable(request, response):
            headers = [
                (name, value)
                for name, value in response.items()
                if name.lower() not in ("x-request-id", "content-length")
            ]
            cache.set(key, (response.status_code, headers, response.content), seconds)
            response["X-Page-Cache"] = "miss"
        return response

    return middleware
