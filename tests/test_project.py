"""Checks on the project as a whole: migrations and the deployment checklist."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean_environ(), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def clean_environ() -> dict[str, str]:
    # Browser tests allow sync ORM calls in their event loop; a server never does.
    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def production_env() -> dict[str, str]:
    return {
        "DJANGO_DEBUG": "false",
        # Production names its database; the tests' own server stands in for it
        # when they run on the embedded one.
        "PORTAL_EMBEDDED_DATABASE": "false" if "DATABASE_URL" in os.environ else "true",
        "DJANGO_SECRET_KEY": uuid.uuid4().hex * 2,
        "DJANGO_ALLOWED_HOSTS": "rii-portal.example.eu",
        "SMTP_HOST": "smtp.example.eu",
        "PORTAL_SITE_URL": "https://rii-portal.example.eu",
    }


def test_deployment_checklist_passes_with_production_settings():
    # Deployment collects the static files first; without them the check fails.
    collected = manage("collectstatic", "--noinput", env=production_env())
    assert collected.returncode == 0, collected.stdout + collected.stderr
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env()
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_fail_loudly_without_a_secret_key():
    env = production_env()
    env["DJANGO_SECRET_KEY"] = ""
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env={
            **{k: v for k, v in clean_environ().items() if k != "DJANGO_SECRET_KEY"},
            **{k: v for k, v in env.items() if v},
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_ENV_FILE": "/nonexistent",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "Set the environment variable DJANGO_SECRET_KEY" in result.stderr


def test_no_model_change_lacks_a_migration():
    result = manage("makemigrations", "--check", "--dry-run", env={})
    assert result.returncode == 0, result.stdout + result.stderr


def server_connection(params: dict) -> psycopg.Connection:
    return psycopg.connect(
        dbname="postgres",
        user=params["USER"],
        password=params["PASSWORD"] or None,
        host=params["HOST"],
        port=params["PORT"] or None,
        autocommit=True,
    )


@pytest.mark.django_db
def test_migrations_run_from_zero_and_back_on_a_fresh_database():
    name = f"rii_migrations_{uuid.uuid4().hex[:8]}"
    params = connection.settings_dict
    with server_connection(params) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    try:
        host = params["HOST"]
        url = f"postgresql://{params['USER']}:{params['PASSWORD']}@/{name}?host={host}"
        if not host.startswith("/"):
            url = (
                f"postgresql://{params['USER']}:{params['PASSWORD']}"
                f"@{host}:{params['PORT']}/{name}"
            )
        env = {"DATABASE_URL": url}
        for args in (["migrate"], ["migrate", "catalogue", "zero"], ["migrate"]):
            result = manage(*args, "--noinput", env=env)
            assert result.returncode == 0, result.stdout + result.stderr
        # migrate also creates the shared cache's table (rate limits need it).
        result = manage("createcachetable", "--dry-run", env=env)
        assert result.returncode == 0, result.stderr
        assert "CREATE TABLE" not in result.stdout
    finally:
        with server_connection(params) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
