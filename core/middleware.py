"""Refusals before anything reads a request: bodies too large to accept and values
PostgreSQL cannot store."""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .parsing import parse_int

# The largest request body the portal takes unless configured: the largest upload
# (a 20 MB import file) and the rest of its form.
DEFAULT_MAX_REQUEST_BYTES = 21 * 1024 * 1024


def _has_nul(values: Iterable[str]) -> bool:
    return any("\x00" in value for value in values)


def _request_has_nul(request: HttpRequest) -> bool:
    if _has_nul([request.path, request.path_info]):
        return True
    if _has_nul(request.COOKIES) or _has_nul(request.COOKIES.values()):
        return True
    fields = [request.GET]
    if request.method == "POST":
        # Non-file fields; uploaded files are checked by the forms that take them.
        fields.append(request.POST)
    return any(
        _has_nul(data) or _has_nul(v for key in data for v in data.getlist(key))
        for data in fields
    )


def reject_malformed_requests(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Answer 413 to a body announced larger than ``PORTAL_MAX_REQUEST_BYTES``
    before it is read, and 400 to a NUL character in the path, a parameter, a
    form field or a cookie (PostgreSQL refuses NUL in text, with a 500).

    The proxy in front of the portal should refuse large bodies first (see
    .env.example); this is the portal's own limit when it is reached directly.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        limit = getattr(settings, "PORTAL_MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES)
        length = parse_int(request.META.get("CONTENT_LENGTH") or "0")
        if length is None:
            raise BadRequest("Invalid Content-Length.")
        if length > limit:
            response = render(request, "413.html", {"limit": limit}, status=413)
            # The client may still be sending; do not keep the connection for it.
            response["Connection"] = "close"
            return response
        if _request_has_nul(request):
            raise BadRequest("NUL character in the request.")
        return get_response(request)

    return middleware
