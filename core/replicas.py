"""Reads from PostgreSQL read replicas for public pages; everything else on the primary.

``replica_reads`` decides per request: a GET or HEAD of a view named in
``PORTAL_REPLICA_VIEWS``, from a client that has not written in the last
``PORTAL_REPLICA_STICKY_SECONDS`` (a short cookie set by any other method, or by a
request that wrote), reads from a replica of ``PORTAL_DATABASE_REPLICAS`` whose lag is
at most ``PORTAL_REPLICA_MAX_LAG_SECONDS``. ``ReplicaRouter`` sends its reads there and
everything else (writes, migrations, reads outside such a request, reads inside a
transaction or after a write) to the primary, the ``default`` database.
"""

import random
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

# Marks a client that has just written; while present its reads go to the primary.
STICKY_COOKIE = "rii_read_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Read on the primary in any case: the session (a stale copy saved back would undo
# the last request's changes) and the database cache (rate limits must count every
# attempt). Writes to them do not make a client sticky.
PRIMARY_ONLY_APPS = frozenset({"sessions", "django_cache"})
LAG_SQL = (Path(__file__).parent / "replica_lag.sql").read_text()


@dataclass
class _RequestReads:
    replica: str | None
    wrote: bool = False


_request_reads: ContextVar[_RequestReads | None] = ContextVar(
    "request_reads", default=None
)
# Replicas that failed to answer, by alias: left alone until this monotonic time.
_down_until: dict[str, float] = {}


class ReplicaRouter:
    """Reads of a replica-eligible request on its replica, all else on the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        reads = _request_reads.get()
        if (
            reads is None
            or reads.replica is None
            or reads.wrote
            or model._meta.app_label in PRIMARY_ONLY_APPS
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        return reads.replica

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        reads = _request_reads.get()
        if reads is not None and model._meta.app_label not in PRIMARY_ONLY_APPS:
            reads.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # Every database holds the same data.
        return True

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool:
        return db == DEFAULT_DB_ALIAS


def replica_lag(alias: str) -> float | None:
    """Seconds the replica ``alias`` is behind (infinite if unknown), or None when
    it does not answer, even on a fresh connection."""
    connection = connections[alias]
    for _attempt in range(2):
        try:
            with connection.cursor() as cursor:
                cursor.execute(LAG_SQL)
                (lag,) = cursor.fetchone()
        except DatabaseError:
            # A connection the server dropped; the second attempt opens a new one.
            connection.close()
            continue
        return float("inf") if lag is None else float(lag)
    return None


def choose_replica() -> str | None:
    """A replica that answers and is at most ``PORTAL_REPLICA_MAX_LAG_SECONDS``
    behind, chosen at random among them, or None: read the primary."""
    now = time.monotonic()
    aliases = [
        alias
        for alias in settings.PORTAL_DATABASE_REPLICAS
        if _down_until.get(alias, 0.0) <= now
    ]
    random.shuffle(aliases)
    for alias in aliases:
        lag = replica_lag(alias)
        if lag is None:
            _down_until[alias] = now + settings.PORTAL_REPLICA_RETRY_SECONDS
        elif lag <= settings.PORTAL_REPLICA_MAX_LAG_SECONDS:
            return alias
    return None


def _may_read_replica(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or STICKY_COOKIE in request.COOKIES:
        return False
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        # Every read would stay on the primary (a test's transaction, say).
        return False
    try:
        view_name = resolve(request.path_info).view_name
    except Resolver404:
        return False
    return view_name in settings.PORTAL_REPLICA_VIEWS


def replica_reads(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Let the reads of a public page go to a healthy replica (see the module's
    docstring); after a client's own write, its reads stay on the primary for
    ``PORTAL_REPLICA_STICKY_SECONDS``, so that it sees its change."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if not settings.PORTAL_DATABASE_REPLICAS:
            return get_response(request)
        reads = _RequestReads(
            replica=choose_replica() if _may_read_replica(request) else None
        )
        token = _request_reads.set(reads)
        try:
            response = get_response(request)
        finally:
            _request_reads.reset(token)
        if reads.wrote or request.method not in SAFE_METHODS:
            response.set_cookie(
                STICKY_COOKIE,
                "1",
                max_age=settings.PORTAL_REPLICA_STICKY_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    return middleware
