"""How the portal connects to each of its PostgreSQL databases (see settings.DATABASES)."""

from typing import Any

from django.core.exceptions import ImproperlyConfigured


def connection_settings(
    database: dict[str, Any], *, pool_size: int, conn_max_age: int, work_mem: str
) -> dict[str, Any]:
    """``database`` (an entry of ``DATABASES``) with the portal's connection settings:
    a pool of ``pool_size`` connections per process, or with 0 one persistent
    connection per thread, reused for ``conn_max_age`` seconds."""
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("Every database must be a PostgreSQL server.")
    database = {**database, "OPTIONS": {**database.get("OPTIONS", {})}}
    options = database["OPTIONS"]
    # Facet counting aggregates over every matching listing; keep it in memory.
    options["options"] = f"-c work_mem={work_mem}"
    if pool_size:
        # Shared by the process's threads; a connection goes back to the pool after
        # each request and is checked before the next request takes it.
        database["CONN_MAX_AGE"] = 0
        options["pool"] = {
            "min_size": min(2, pool_size),
            "max_size": pool_size,
            "timeout": 10,
        }
    else:
        database["CONN_MAX_AGE"] = conn_max_age
    # A connection the server dropped (restart, failover, killed) is replaced at
    # the next request instead of failing it.
    database["CONN_HEALTH_CHECKS"] = True
    return database
