import csv
import time
import tracemalloc

import pytest
from django.core.management import CommandError, call_command

from catalogue.models import Infrastructure
from imports.models import ColumnMapping, ImportJob

from .conftest import make_importer

pytestmark = pytest.mark.django_db

HEADER = ["Nom", "NUTS", "Ville", "Résumé", "Courriel", "Hôte", "KET"]
MAPPING = {
    "Nom": "name",
    "NUTS": "region",
    "Ville": "city",
    "Résumé": "summary",
    "Courriel": "contact_email",
    "Hôte": "host",
    "KET": "kets",
}


@pytest.fixture
def mapping(db) -> ColumnMapping:
    return ColumnMapping.objects.create(
        name="Survey 2026", region_id="ITH5", kind="infrastructures", columns=MAPPING
    )


def write_csv(path, count: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for n in range(count):
            writer.writerow(
                [
                    f"Laboratory {n}",
                    "ITH55",
                    "Bologna",
                    f"Laboratory {n} tests and measures.",
                    f"lab{n}@example.org",
                    f"Host {n % 50}",
                    "Photonics; Artificial intelligence",
                ]
            )


def test_command_imports_a_file_with_a_saved_mapping(tmp_path, mapping, capsys):
    path = tmp_path / "survey.csv"
    write_csv(path, 3)

    call_command("import_catalogue", str(path), "--mapping", "Survey 2026")

    out, err = capsys.readouterr()
    assert "Imported 3 rows: 3 new, 0 updated, 0 unchanged, 0 with errors" in out
    assert "100% 3/3 rows" in err
    assert Infrastructure.objects.filter(status="pending").count() == 3
    assert ImportJob.objects.get().status == ImportJob.Status.DONE


def test_command_dry_run_writes_nothing(tmp_path, mapping, capsys):
    path = tmp_path / "survey.csv"
    write_csv(path, 3)

    call_command("import_catalogue", str(path), "--mapping", "Survey 2026", "--dry-run")

    assert "Would import 3 rows: 3 new" in capsys.readouterr().out
    assert not Infrastructure.objects.exists()


def test_command_applies_the_users_regions(tmp_path, mapping, capsys):
    path = tmp_path / "survey.csv"
    write_csv(path, 2)
    brabant_admin = make_importer(region="NL41")

    call_command(
        "import_catalogue",
        str(path),
        "--mapping",
        "Survey 2026",
        "--user",
        brabant_admin.email,
    )

    out = capsys.readouterr().out
    assert "2 with errors" in out
    assert (
        "left out, 2 rows (rows 2, 3): Region ITH55 is not one of your regions." in out
    )
    assert not Infrastructure.objects.exists()


def test_command_refuses_an_unknown_mapping_or_file(tmp_path, mapping):
    path = tmp_path / "survey.csv"
    write_csv(path, 1)

    with pytest.raises(CommandError, match="No column mapping named"):
        call_command("import_catalogue", str(path), "--mapping", "Nope")
    with pytest.raises(CommandError, match="No file at"):
        call_command(
            "import_catalogue", str(tmp_path / "missing.csv"), "--mapping", "x"
        )


def rss_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1])
    raise LookupError(field)


def peak_memory_growth(run) -> int:
    """How many bytes above the memory in use before ``run()`` the process's peak
    reached while it ran: the resident set's high-water mark, reset first (Linux),
    or else Python's own allocations, traced."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        tracemalloc.start()
        run()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return peak
    before = rss_kib("VmRSS:")
    run()
    return (rss_kib("VmHWM:") - before) * 1024


# Committed, and emptied by a flush afterwards: 20,000 rows rolled back would leave
# their dead rows behind for every later test to scan.
@pytest.mark.django_db(transaction=True)
def test_twenty_thousand_rows_import_with_bounded_memory(tmp_path, mapping, capsys):
    path = tmp_path / "big.csv"
    write_csv(path, 20_000)

    started = time.monotonic()
    growth = peak_memory_growth(
        lambda: call_command("import_catalogue", str(path), "--mapping", "Survey 2026")
    )
    elapsed = time.monotonic() - started

    assert Infrastructure.objects.count() == 20_000
    assert "20000 new" in capsys.readouterr().out
    # Rows are streamed in chunks of a few hundred: holding the file's 20,000 rows
    # and their listings at once would take hundreds of megabytes.
    assert growth < 50 * 1024 * 1024, f"{growth / 1e6:.0f} MB in {elapsed:.0f} s"
