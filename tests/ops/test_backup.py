"""A backup restores into a fresh database: the same rows and the same files."""

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from tests.factories import make_access_request, make_infrastructure

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def file_roots(settings, tmp_path: Path) -> tuple[Path, Path]:
    media, private = tmp_path / "media", tmp_path / "private"
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            **settings.STORAGES["private"],
            "OPTIONS": {"location": str(private)},
        },
    }
    (media / "photos").mkdir(parents=True)
    (media / "photos" / "lab.webp").write_bytes(b"RIFF-a-photo-WEBP" * 1000)
    (private / "access" / "2026").mkdir(parents=True)
    (private / "access" / "2026" / "brief.pdf").write_bytes(b"%PDF-1.4 brief %%EOF")
    return media, private


def server(database: str) -> psycopg.Connection:
    params = connection.settings_dict
    return psycopg.connect(
        dbname=database,
        user=params["USER"],
        password=params["PASSWORD"] or None,
        host=params["HOST"],
        port=params["PORT"] or None,
        autocommit=True,
    )


@pytest.fixture
def fresh_database() -> Iterator[str]:
    name = f"rii_ops_restore_{os.getpid()}"
    with server("postgres") as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with server("postgres") as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )


def row_counts(database: str) -> dict[str, int]:
    with server(database) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        ]
        counts = {}
        for table in tables:
            query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            row = db.execute(query).fetchone()
            assert row is not None
            counts[table] = row[0]
        return counts


def database_url(database: str) -> str:
    params = connection.settings_dict
    password = f":{quote(params['PASSWORD'], safe='')}" if params["PASSWORD"] else ""
    host = quote(str(params["HOST"]), safe="")
    return f"postgresql://{params['USER']}{password}@{host}:{params['PORT']}/{database}"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_backup_restores_into_a_fresh_database_with_its_rows_and_files(
    file_roots: tuple[Path, Path], fresh_database: str, tmp_path: Path
) -> None:
    make_infrastructure(name="Pilot line for printed electronics")
    make_access_request()
    call_command("backup", output=tmp_path / "backup")

    restored = tmp_path / "restored"
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(tmp_path / "backup")],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_ENV_FILE": os.devnull,
            "DJANGO_DEBUG": "true",
            "DATABASE_URL": database_url(fresh_database),
            "DJANGO_MEDIA_ROOT": str(restored / "media"),
            "PORTAL_PRIVATE_ROOT": str(restored / "private"),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "(2 file(s))" in result.stdout

    original = row_counts(connection.settings_dict["NAME"])
    assert original["catalogue_infrastructure"] == 2
    assert row_counts(fresh_database) == original
    media, private = file_roots
    assert sha256(restored / "media" / "photos" / "lab.webp") == sha256(
        media / "photos" / "lab.webp"
    )
    assert (restored / "private" / "access" / "2026" / "brief.pdf").read_bytes() == (
        private / "access" / "2026" / "brief.pdf"
    ).read_bytes()


def test_restore_refuses_a_database_that_is_not_empty(
    file_roots: tuple[Path, Path], tmp_path: Path
) -> None:
    call_command("backup", output=tmp_path / "backup")
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", tmp_path / "backup")


def test_restore_refuses_a_damaged_backup(
    file_roots: tuple[Path, Path], tmp_path: Path
) -> None:
    call_command("backup", output=tmp_path / "backup")
    archive = tmp_path / "backup" / "files.tar"
    data = bytearray(archive.read_bytes())
    data[600] ^= 0xFF
    archive.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="files.tar is missing or damaged"):
        call_command("restore", tmp_path / "backup")
