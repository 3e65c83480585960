"""`make loadtest` serves the benchmark's dataset: scripts/loadtest_database.py
names it on the portal's own server, and builds it when it is missing."""

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "loadtest_database.py"


@pytest.fixture
def script():
    spec = importlib.util.spec_from_file_location("loadtest_database", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_dataset_is_on_the_server_of_the_portals_database(script):
    tcp = {"USER": "postgres", "PASSWORD": "", "HOST": "127.0.0.1", "PORT": "5432"}
    assert (
        script._url(tcp, "rii_bench")
        == "postgresql://postgres@127.0.0.1:5432/rii_bench"
    )
    socket = {"USER": "postgres", "PASSWORD": "p@ss", "HOST": "/tmp/pg", "PORT": "5433"}
    assert (
        script._url(socket, "rii_bench_load")
        == "postgresql://postgres:p%40ss@%2Ftmp%2Fpg:5433/rii_bench_load"
    )


def test_a_missing_dataset_is_built_and_an_existing_one_reused(
    script, monkeypatch, tmp_path, capsys
):
    built = []
    monkeypatch.setattr(script, "_has_listings", lambda database, name: name == "ready")
    monkeypatch.setattr(
        "django.core.management.call_command",
        lambda command, **options: built.append((command, options["database"])),
    )
    for name in ("ready", "missing"):
        monkeypatch.setattr(sys, "argv", ["x", name, str(tmp_path / "build.log")])
        script.main()
        assert capsys.readouterr().out.strip().endswith(f"/{name}")
    assert built == [("bench_search", "missing")]


@pytest.mark.django_db
def test_a_database_without_listings_counts_as_missing(script, settings):
    database = settings.DATABASES["default"]
    assert not script._has_listings(database, "rii_no_such_database")
    assert not script._has_listings(database, database["NAME"])
