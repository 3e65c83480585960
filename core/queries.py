"""Slow SQL statements are logged (``PORTAL_SLOW_QUERY_MS``), in every process.

A wrapper around every statement of every database connection measures its time;
one that takes longer than the threshold is logged as a warning with its SQL text
(never its parameters, which may hold personal data) and the request id. Below
the threshold it costs two clock readings.
"""

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger("portal.slow_query")

# The SQL text logged at most, in characters.
MAX_SQL_CHARS = 2000


def log_slow_queries(
    execute: Callable[..., Any],
    sql: str,
    params: Any,
    many: bool,
    context: dict[str, Any],
) -> Any:
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        elapsed_ms = (time.perf_counter() - started) * 1000
        threshold = settings.PORTAL_SLOW_QUERY_MS
        if threshold and elapsed_ms > threshold:
            connection = context["connection"]
            logger.warning(
                "Slow query: %.0f ms on %s",
                elapsed_ms,
                connection.alias,
                extra={
                    "duration_ms": round(elapsed_ms, 1),
                    "database": connection.alias,
                    "sql": str(sql)[:MAX_SQL_CHARS],
                },
            )


def install(*, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Put the wrapper on a new connection (the ``connection_created`` signal).

    It goes first, outermost, and once: the same connection object reconnects
    after ``CONN_MAX_AGE``, and ``execute_wrapper()`` blocks that are open when it
    connects pop their own wrapper from the end of the list."""
    if log_slow_queries not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, log_slow_queries)
