"""Site-wide middleware: the request id and slow-request log, the health probes,
refusals before anything reads a request (bodies too large to accept, values
PostgreSQL cannot store), security headers, and the end of signed-in sessions
after inactivity."""

import ipaddress
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from . import health
from .logs import request_id as current_request_id
from .parsing import parse_int

slow_request_logger = logging.getLogger("portal.slow_request")
database_logger = logging.getLogger("portal.database")

# An id from the proxy is taken as it is when it looks like one (nginx's
# $request_id is 32 hex digits; UUIDs and similar tokens pass too).
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{8,128}")
REQUEST_ID_HEADER = "X-Request-ID"

# The largest request body the portal takes unless configured: the largest upload
# (a 20 MB import file) and the rest of its form.
DEFAULT_MAX_REQUEST_BYTES = 21 * 1024 * 1024


def _from_trusted_proxy(request: HttpRequest) -> bool:
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    for proxy in settings.PORTAL_TRUSTED_PROXIES:
        try:
            if peer in ipaddress.ip_network(proxy, strict=False):
                return True
        except ValueError:
            continue
    return False


def _request_id(request: HttpRequest) -> str:
    """The proxy's ``X-Request-ID`` when a trusted proxy sent a well-formed one
    (the same id is then in the proxy's log), else a new random one."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    if given and REQUEST_ID_PATTERN.fullmatch(given) and _from_trusted_proxy(request):
        return given
    return uuid.uuid4().hex


def request_id(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Give each request an id: in every log record written while it is served,
    in the ``X-Request-ID`` response header and on the error page, so that a
    user's report leads to its log lines. A request slower than
    ``PORTAL_SLOW_REQUEST_MS`` is logged as a warning."""

    def middleware(request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        given_id = _request_id(request)
        # Django logs an error response after the middleware, with the request.
        request.request_id = given_id  # type: ignore[attr-defined]
        token = current_request_id.set(given_id)
        try:
            response = get_response(request)
            response[REQUEST_ID_HEADER] = given_id
            elapsed_ms = (time.perf_counter() - started) * 1000
            threshold = settings.PORTAL_SLOW_REQUEST_MS
            if threshold and elapsed_ms > threshold:
                slow_request_logger.warning(
                    "Slow request: %s %s took %.0f ms",
                    request.method,
                    request.path,
                    elapsed_ms,
                    extra={
                        "duration_ms": round(elapsed_ms, 1),
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                    },
                )
            return response
        finally:
            current_request_id.reset(token)

    return middleware


def health_probes(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Answer ``/healthz`` and ``/readyz`` before the rest of the middleware: no
    host check, no redirect to https, no session, no rate limit, so that a load
    balancer can probe each server over plain http by its address."""

    def middleware(request: HttpRequest) -> HttpResponse:
        probe = health.PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return get_response(request)

    return middleware


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


def security_headers(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Add ``Permissions-Policy`` (no camera, microphone, location, ...) and
    ``Cross-Origin-Resource-Policy`` (no embedding by other sites) to every
    response, static files included."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault(
            "Permissions-Policy", settings.PORTAL_PERMISSIONS_POLICY
        )
        response.headers.setdefault(
            "Cross-Origin-Resource-Policy", settings.PORTAL_CROSS_ORIGIN_RESOURCE_POLICY
        )
        return response

    return middleware


# Session keys: when the session signed in, when it was last seen, and whether the
# visitor asked to be remembered.
SESSION_STARTED = "portal_session_started"
SESSION_SEEN = "portal_session_seen"
SESSION_REMEMBERED = "portal_session_remembered"
# Last-seen times are written at most this often, not on every request.
SEEN_RESOLUTION_SECONDS = 60


def _is_admin_path(request: HttpRequest) -> bool:
    try:
        return request.path.startswith(reverse("admin:index"))
    except NoReverseMatch:
        return False


def _idle_limit(request: HttpRequest) -> int:
    session = request.session
    if session.get(SESSION_REMEMBERED):
        idle = settings.PORTAL_SESSION_REMEMBER_IDLE_SECONDS
    else:
        idle = settings.PORTAL_SESSION_IDLE_SECONDS
    if request.user.is_staff and _is_admin_path(request):
        idle = min(idle, settings.PORTAL_ADMIN_SESSION_IDLE_SECONDS)
    return int(idle)


def _stamp_session(request: HttpRequest, now: float) -> None:
    """Record when the session signed in, and whether it is remembered (allauth's
    "Remember me" keeps the cookie beyond the browser's session)."""
    session = request.session
    session[SESSION_STARTED] = now
    session[SESSION_SEEN] = now
    remembered = not session.get_expire_at_browser_close()
    session[SESSION_REMEMBERED] = remembered
    if remembered:
        # The cookie ends with the absolute limit, however active the session.
        session.set_expiry(
            timezone.now() + timedelta(seconds=settings.PORTAL_SESSION_MAX_SECONDS)
        )


def _session_has_expired(request: HttpRequest, now: float) -> bool:
    session = request.session
    seen = float(session.get(SESSION_SEEN, 0))
    started = float(session[SESSION_STARTED])
    return (
        now - seen > _idle_limit(request)
        or now - started > settings.PORTAL_SESSION_MAX_SECONDS
    )


def session_timeouts(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Sign out a session idle for longer than its limit (two hours; a week when
    remembered; half an hour for staff in the admin) or signed in longer ago than
    ``PORTAL_SESSION_MAX_SECONDS``; the request goes on anonymously. Pages for a
    signed-in visitor are never stored by browsers or proxies (no-store).

    A session is stamped on the request that signs it in, which saves it anyway;
    one signed in otherwise (before this middleware, or ``Client.force_login``)
    on the first request that saves it for another reason.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        signed_in = request.user.is_authenticated
        stamped = signed_in and SESSION_STARTED in request.session
        if stamped:
            now = time.time()
            if _session_has_expired(request, now):
                logout(request)
                messages.info(
                    request, _("You were signed out after a period of inactivity.")
                )
            elif now - float(request.session[SESSION_SEEN]) >= SEEN_RESOLUTION_SECONDS:
                request.session[SESSION_SEEN] = now
        response = get_response(request)
        if request.user.is_authenticated:
            session = request.session
            if SESSION_STARTED not in session and (session.modified or not signed_in):
                _stamp_session(request, time.time())
        if signed_in or request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware


class RetryLostDatabaseConnection:
    """Answer once more, on a new connection, a GET or HEAD of a public catalogue page
    (``core.pagecache.CACHED_PATHS``: reads only) whose database connection was lost
    while it was served (the server restarted, failed over, or ended the connection),
    instead of a 500. Django replaces a dropped connection at the next request
    (``CONN_HEALTH_CHECKS``); this saves the request that was using it. Other
    requests are never repeated: they may have written."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        from django.db import OperationalError, connections

        from .pagecache import CACHED_PATHS

        if (
            not isinstance(exception, OperationalError)
            or request.method not in ("GET", "HEAD")
            or getattr(request, "_retried_lost_connection", False)
            or not CACHED_PATHS.match(request.path)
            or request.resolver_match is None
        ):
            return None
        lost = [
            connection
            for connection in connections.all(initialized_only=True)
            if connection.connection is not None and not connection.is_usable()
        ]
        if not lost:
            return None
        for connection in lost:
            connection.close()
        request._retried_lost_connection = True  # type: ignore[attr-defined]
        database_logger.warning(
            "Lost the database connection: %s %s served again",
            request.method,
            request.path,
        )
        match = request.resolver_match
        return match.func(request, *match.args, **match.kwargs)
