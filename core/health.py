"""Health probes: ``/healthz`` (the process answers) and ``/readyz`` (it can serve).

``/readyz`` runs the checks named in ``PORTAL_READINESS_CHECKS``, in order, one
small query each: the database answers, every migration is applied, the task
worker was seen lately, and whatever the apps above add (the outbox). It answers
200 when all pass and 503 naming those that failed, in JSON, without details a
visitor should not see. A check returns ``None`` when all is well, else a short
reason; when the database does not answer, the checks after it are skipped.
"""

import functools
import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .heartbeat import worker_last_seen

logger = logging.getLogger(__name__)

Check = Callable[[], str | None]


def database() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return None


@functools.cache
def _latest_migrations() -> frozenset[tuple[str, str]]:
    """The last migration of every app, as this code has them (read once)."""
    return frozenset(
        MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
    )


def migrations() -> str | None:
    latest = _latest_migrations()
    applied = set(
        MigrationRecorder.Migration.objects.filter(
            name__in={name for _app, name in latest}
        ).values_list("app", "name")
    )
    missing = sorted(latest - applied)
    if missing:
        names = ", ".join(f"{app}.{name}" for app, name in missing[:3])
        return f"{len(missing)} not applied ({names})"
    return None


def task_worker() -> str | None:
    seen = worker_last_seen()
    limit = timedelta(seconds=settings.PORTAL_READY_WORKER_SECONDS)
    if seen is None:
        return "never seen"
    age = timezone.now() - seen
    if age > limit:
        return f"last seen {int(age.total_seconds())} s ago"
    return None


def run_checks() -> dict[str, str]:
    """Every check's outcome: "ok", "skipped" or the reason it failed."""
    results: dict[str, str] = {}
    database_down = False
    for name, path in settings.PORTAL_READINESS_CHECKS.items():
        if database_down:
            results[name] = "skipped"
            continue
        check: Check = import_string(path)
        try:
            problem = check()
        except DatabaseError as error:
            logger.warning("Readiness check %s failed: %s", name, error)
            problem = f"database error ({type(error).__name__})"
            database_down = name == "database"
        results[name] = problem or "ok"
    return results


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    checks = run_checks()
    ready = all(outcome == "ok" for outcome in checks.values())
    response = JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )
    if not ready:
        logger.warning("Not ready: %s", checks)
        # Logged here as a warning, not by Django as a server error on each probe.
        response._has_been_logged = True  # type: ignore[attr-defined]
    return response


HEALTHZ = "/healthz"
READYZ = "/readyz"
# Answered by core.middleware.health_probes ahead of the other middleware (and of
# the URLconf, which does not list them).
PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    HEALTHZ: healthz,
    READYZ: readyz,
}
