"""Files as partners really have them: a multi-country inventory with country
names, blank hosts and long coordinates, and a university equipment list in a
partial UNIQUIP layout, through the command and through the admin."""

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertContains

from catalogue.models import Equipment, Infrastructure
from imports.models import ImportJob
from tests.factories import make_infrastructure, make_organisation, make_user

from .files import csv_file, run_import

pytestmark = pytest.mark.django_db

FILES = Path(settings.BASE_DIR) / "fixtures" / "imports"


def read_rows(name: str) -> list[list[str]]:
    with open(FILES / name, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


# An inventory as mapping exercises export it. Row 2: a country by its English name,
# long coordinates, comma-separated domains one of which holds commas itself, a URL
# without a scheme, a structure in a "type" column. 3: a variant country name
# ("Czech Republic"), no host, a lifecycle with a date. 4: "The Netherlands",
# decimal commas, a domain in the singular, "Planned". 5-7: the United Kingdom,
# Norway, Switzerland. 8: a country and a city already in the catalogue (NUTS 3).
# 9: the name and city of a listing already in the catalogue.
INVENTORY = read_rows("inventory.csv")
INVENTORY_COLUMNS = INVENTORY[0]


@pytest.fixture
def existing(db) -> Infrastructure:
    return make_infrastructure(
        name="Laboratorio MIST E-R",
        region="ITH55",
        host=make_organisation(name="MIST E-R S.c.r.l.", country="IT"),
        city="Bologna",
    )


def inventory_path(tmp_path) -> str:
    path = tmp_path / "inventory.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(INVENTORY)
    return str(path)


def run_command(path: str, *args: str) -> str:
    out = io.StringIO()
    call_command(
        "import_catalogue",
        path,
        "--mapping",
        "guess",
        "--region",
        "ITH5",
        "--status",
        "pending",
        *args,
        stdout=out,
        stderr=io.StringIO(),
    )
    return out.getvalue()


def test_every_eu27_row_of_an_inventory_imports_as_a_listing(existing, tmp_path):
    out = run_command(inventory_path(tmp_path))

    imported = {
        listing.name: listing
        for listing in Infrastructure.objects.exclude(pk=existing.pk).select_related(
            "host"
        )
    }
    # Every row in an EU27 region but the possible duplicate.
    assert set(imported) == {
        "Hamburg Imaging Lab",
        "Brno Nanofabrication Centre",
        "Eindhoven Photonics Pilot Line",
        "Bologna Materials Lab",
    }
    hamburg = imported["Hamburg Imaging Lab"]
    assert hamburg.region_id.startswith("DE6")
    assert (str(hamburg.latitude), str(hamburg.longitude)) == ("53.55108", "9.99368")
    assert hamburg.website == "https://www.hil.example.de"
    assert set(hamburg.scientific_domains.values_list("label", flat=True)) == {
        "Physics, Astronomy, Astrophysics and Mathematics",
        "Chemistry & Material Sciences",
    }
    assert hamburg.structure is not None
    assert hamburg.structure.label == "Single-sited"
    assert hamburg.summary == "Electron microscopy for materials science."
    assert hamburg.summary_from_description
    # No contact email in the file: a draft for its staff to complete.
    assert hamburg.status == "draft"

    brno = imported["Brno Nanofabrication Centre"]
    assert brno.region_id.startswith("CZ")
    assert brno.host is None
    assert (brno.lifecycle, brno.lifecycle_note) == (
        "under_construction",
        "Under construction from 2014",
    )
    eindhoven = imported["Eindhoven Photonics Pilot Line"]
    assert eindhoven.region_id.startswith("NL")
    # Decimal commas, as spreadsheets in most EU languages write them.
    assert (str(eindhoven.latitude), str(eindhoven.longitude)) == (
        "51.44162",
        "5.46973",
    )
    assert eindhoven.lifecycle == "planned"
    assert list(eindhoven.scientific_domains.values_list("label", flat=True)) == [
        "Analytical Facilities"
    ]
    assert eindhoven.summary == ""
    assert imported["Bologna Materials Lab"].region_id == "ITH55"

    job = ImportJob.objects.get()
    left_out = {error["row"]: error["message"] for error in job.errors}
    assert set(left_out) == {5, 6, 7, 9}
    for row in (5, 6, 7):
        assert "outside the EU27" in left_out[row]
    assert job.duplicates == [
        {
            "row": 9,
            "name": "Laboratorio MIST E-R",
            "existing_pk": existing.pk,
            "existing_name": "Laboratorio MIST E-R",
        }
    ]
    assert "Imported 8 rows: 4 new" in out
    assert "left out, 3 rows (rows 5, 6, 7)" in out
    assert "--accept-duplicates imports it" in out
    incomplete = {item["name"]: item["missing"] for item in job.incomplete}
    assert "host organisation" in incomplete["Brno Nanofabrication Centre"]
    assert "contact email" in incomplete["Hamburg Imaging Lab"]


def test_reimporting_the_inventory_changes_nothing(existing, tmp_path):
    path = inventory_path(tmp_path)
    run_command(path)
    before = list(Infrastructure.objects.order_by("pk").values())

    out = run_command(path)

    assert "0 new, 0 updated, 4 unchanged, 4 with errors" in out
    assert list(Infrastructure.objects.order_by("pk").values()) == before


def test_a_blank_cell_keeps_what_the_staff_completed(existing, tmp_path):
    path = inventory_path(tmp_path)
    run_command(path)
    brno = Infrastructure.objects.get(name="Brno Nanofabrication Centre")
    # The file's host cell is blank; the staff fill it in.
    brno.host = make_organisation(name="Brno University of Technology", country="CZ")
    brno.save()

    run_command(path)

    brno.refresh_from_db()
    assert brno.host.name == "Brno University of Technology"


def test_possible_duplicates_import_once_confirmed(existing, tmp_path):
    out = run_command(inventory_path(tmp_path), "--accept-duplicates")

    assert "5 new" in out
    assert Infrastructure.objects.filter(name="Laboratorio MIST E-R").count() == 2


def test_left_out_rows_are_written_with_their_reasons(existing, tmp_path):
    left_out = tmp_path / "left-out.csv"
    run_command(inventory_path(tmp_path), "--left-out", str(left_out))

    with open(left_out, encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["Row", "Reason", *INVENTORY_COLUMNS]
    assert [row[0] for row in rows[1:]] == ["5", "6", "7", "9"]
    assert rows[1][2] == "Oxford Lab"
    assert "outside the EU27" in rows[1][1]


def test_a_row_the_import_fails_on_leaves_nothing_half_written(existing, tmp_path):
    rows = [
        INVENTORY_COLUMNS,
        # A new host organisation, then coordinates the database refuses.
        ["Broken Lab", "", "New Host Ltd", "95", "", "Hamburg", "Germany"] + [""] * 5,
    ]
    path = tmp_path / "broken.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)

    out = run_command(str(path))

    assert "1 with errors" in out
    assert not Infrastructure.objects.filter(name="Broken Lab").exists()
    from accounts.models import Organisation

    assert not Organisation.objects.filter(name="New Host Ltd").exists()


# A university's equipment list in a partial UNIQUIP layout: no Name, Type or ID.
EQUIPMENT_LIST = read_rows("university-equipment.csv")


def test_a_partial_uniquip_list_imports_into_the_chosen_listing(importer):
    listing = make_infrastructure(region="ITH55")

    job = run_import(
        csv_file(EQUIPMENT_LIST, name="equipment.csv"),
        user=importer,
        kind="uniquip",
        region="ITH55",
        infrastructure=listing,
    )

    assert job.error_count == 0, job.errors
    items = Equipment.objects.filter(infrastructure=listing).order_by("name")
    assert [item.name for item in items] == [
        "3D printer for metals",
        "Scanning electron microscope with EDX.",
        "Universal tensile tester 100 kN",
    ]
    assert all(item.uniquip_id.startswith("h-") for item in items)
    assert items[1].organisational_unit == "Physics"

    again = run_import(
        csv_file(EQUIPMENT_LIST, name="equipment.csv"),
        user=importer,
        kind="uniquip",
        region="ITH55",
        infrastructure=listing,
    )
    assert (again.new_count, again.unchanged_count) == (0, 3)
    assert Equipment.objects.count() == 3


@pytest.fixture
def superuser_client(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def test_the_admin_maps_previews_and_imports_the_inventory(
    superuser_client, existing, tmp_path, django_capture_on_commit_callbacks
):
    with open(inventory_path(tmp_path), "rb") as f:
        response = superuser_client.post(
            reverse("imports:job_create"),
            {
                "file": f,
                "kind": "infrastructures",
                "region": "ITH5",
                "new_status": "pending",
            },
        )
    job = ImportJob.objects.get()
    assert response.url == reverse("imports:job_mapping", args=[job.pk])
    page = superuser_client.get(response.url)
    form = page.context["form"]
    guessed = {
        column: form[f"column_{i}"].initial for i, column in enumerate(job.columns)
    }
    assert guessed["country"] == "region"
    assert guessed["lat"] == "latitude"
    assert guessed["status"] == "lifecycle"
    data = {
        f"column_{i}": guessed[column] or "" for i, column in enumerate(job.columns)
    }
    with django_capture_on_commit_callbacks(execute=True):
        mapped = superuser_client.post(response.url, {**data, "save_as": "Inventory"})
    assert mapped.status_code == 302, mapped.context["form"].errors
    job.refresh_from_db()
    assert job.status == "previewed", (job.status, job.message)

    preview = superuser_client.get(reverse("imports:job_detail", args=[job.pk]))
    assertContains(preview, "Rows left out, by reason")
    assertContains(preview, "Possible duplicates of existing listings")
    assertContains(
        preview, reverse("admin:catalogue_infrastructure_change", args=[existing.pk])
    )
    assertContains(preview, reverse("imports:job_left_out", args=[job.pk]))
    assert Infrastructure.objects.count() == 1
    download = superuser_client.get(reverse("imports:job_left_out", args=[job.pk]))
    assert download["Content-Type"].startswith("text/csv")
    assert b"Oxford Lab" in download.content

    with django_capture_on_commit_callbacks(execute=True):
        superuser_client.post(reverse("imports:job_confirm", args=[job.pk]))

    job.refresh_from_db()
    assert (job.status, job.new_count) == ("done", 4)
    assert Infrastructure.objects.count() == 5
    # Nothing is published by an import: complete ones await review, the rest are
    # drafts (Bologna Materials Lab has no contact email either).
    assert set(
        Infrastructure.objects.exclude(pk=existing.pk).values_list("status", flat=True)
    ) == {"draft"}


def test_equipment_without_a_known_category_is_kept_as_other(importer):
    listing = make_infrastructure(region="ITH55")
    rows = [
        ["Name", "Category", "Technique"],
        ["Lathe", "", ""],
        ["Mystery box", "Quantum widgets", ""],
        ["SEM", "", "Electron microscopy"],
    ]

    job = run_import(
        csv_file(rows, name="equipment.csv"),
        user=importer,
        kind="equipment",
        region="ITH55",
        infrastructure=listing,
    )

    assert job.error_count == 0, job.errors
    categories = dict(
        Equipment.objects.values_list("name", "category__code").order_by("name")
    )
    assert categories == {
        "Lathe": "other",
        "Mystery box": "other",
        "SEM": "electron_microscopy",
    }
    assert job.tags_unmatched["category"][0]["value"] == "Quantum widgets"
