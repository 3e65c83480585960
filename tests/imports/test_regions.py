"""Regions read from what partners' files contain: codes, countries, region names."""

import csv

import pytest
from django.core.management import call_command
from pytest_django.asserts import assertContains

from catalogue.models import Infrastructure, Region
from imports.models import COUNTRY_LEVEL, ColumnMapping, ImportJob
from imports.nuts import RegionIndex

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(db) -> RegionIndex:
    return RegionIndex.build(
        Region.objects.values_list("code", "level", "name", "name_en", "country_code")
    )


@pytest.mark.parametrize(
    ("value", "city", "expected"),
    [
        ("ITH55", "", "ITH55"),  # NUTS 3, 2024
        ("NL332", "", "NL361"),  # NUTS 2021, renamed
        ("DE", "", "DE"),  # ISO code
        ("GR", "", "EL"),  # ISO code that NUTS writes otherwise
        ("Germany", "", "DE"),  # English
        ("Deutschland", "", "DE"),  # native
        ("Allemagne", "", "DE"),  # another EU language
        ("Czech Republic", "", "CZ"),  # variant
        ("Czechia", "", "CZ"),
        ("Česko", "", "CZ"),
        ("The Netherlands", "", "NL"),
        ("  belgië ", "", "BE"),
        ("Noord-Brabant", "", "NL41"),  # region name
        ("Jihomoravský kraj", "", "CZ064"),
        ("Italy", "Bologna", "ITH55"),  # city naming one NUTS 3 region
        ("Germany", "Chemnitz", "DED41"),  # "Chemnitz, Kreisfreie Stadt"
        ("Sweden", "Skåne", "SE224"),  # "Skåne län"
    ],
)
def test_regions_are_read_from_codes_and_names(index, value, city, expected):
    assert index.resolve(value, city)[0] == expected


def test_a_city_that_names_no_region_stays_at_country_level(index):
    assert index.resolve("Italy", "Castel San Pietro") == ("IT", True)
    assert index.resolve("Italy") == ("IT", False)


def test_cities_of_the_catalogue_name_their_nuts_3_region(db):
    index = RegionIndex.build(
        Region.objects.values_list("code", "level", "name", "name_en", "country_code"),
        [("Imola", "ITH55")],
    )
    assert index.resolve("Italia", "Imola") == ("ITH55", False)


@pytest.mark.parametrize(
    "value", ["United Kingdom", "UK", "Norway", "Switzerland", "Turkey", "Türkiye"]
)
def test_countries_outside_the_eu27_are_left_out(index, value):
    with pytest.raises(ValueError, match="outside the EU27"):
        index.resolve(value)


def test_unknown_values_are_refused(index):
    with pytest.raises(ValueError, match="Unknown NUTS region code"):
        index.resolve("XX99")


INVENTORY = [
    ["name", "country", "location", "summary", "email", "host"],
    ["Bologna Photonics Lab", "Italy", "Bologna", "Lasers.", "a@example.org", "UniBo"],
    ["Brno Materials", "Czech Republic", "Brno", "Alloys.", "b@example.org", "VUT"],
    [
        "Eindhoven Fab",
        "The Netherlands",
        "Eindhoven",
        "Chips.",
        "c@example.org",
        "TU/e",
    ],
    ["Berlin Bio", "DE", "Berlin", "Cells.", "d@example.org", "Charité"],
    ["Oxford Optics", "United Kingdom", "Oxford", "Optics.", "e@example.org", "Ox"],
    ["Oslo Ocean", "Norway", "Oslo", "Sea.", "f@example.org", "UiO"],
    ["Zurich Quantum", "Switzerland", "Zurich", "Qubits.", "g@example.org", "ETH"],
    ["Ankara Aero", "Turkey", "Ankara", "Wings.", "h@example.org", "METU"],
]


def test_a_multi_country_inventory_imports_its_eu27_rows(tmp_path, capsys):
    path = tmp_path / "inventory.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(INVENTORY)
    ColumnMapping.objects.create(
        name="Inventory",
        region_id="ITH5",
        kind="infrastructures",
        columns={
            "name": "name",
            "country": "region",
            "location": "city",
            "summary": "summary",
            "email": "contact_email",
            "host": "host",
        },
    )

    call_command("import_catalogue", str(path), "--mapping", "Inventory")

    regions = dict(Infrastructure.objects.values_list("name", "region_id"))
    assert regions == {
        "Bologna Photonics Lab": "ITH55",
        "Brno Materials": "CZ",
        "Eindhoven Fab": "NL",
        "Berlin Bio": "DE300",
    }
    job = ImportJob.objects.get()
    assert job.new_count == 4
    assert job.error_count == 4
    left_out = {error["row"] for error in job.errors if "EU27" in error["message"]}
    assert left_out == {6, 7, 8, 9}
    placed = job.unmatched_tags[COUNTRY_LEVEL]
    assert [entry["value"] for entry in placed] == [
        "Czech Republic / Brno",
        "The Netherlands / Eindhoven",
    ]

    call_command("import_catalogue", str(path), "--mapping", "Inventory")

    assert Infrastructure.objects.count() == 4
    assert ImportJob.objects.latest("pk").new_count == 0


def test_the_preview_lists_rows_placed_at_country_level_and_left_out(client):
    from .conftest import make_importer
    from .files import csv_file, run_import

    user = make_importer(region="ITH5", also=("IT",))
    rows = [
        ["name", "country", "city", "summary", "contact_email", "host"],
        ["Bologna Lab", "Italia", "Bologna", "Lasers.", "a@example.org", "UniBo"],
        ["Imola Lab", "Italy", "Imola", "Engines.", "b@example.org", "UniBo"],
        ["Oxford Lab", "UK", "Oxford", "Optics.", "c@example.org", "Ox"],
    ]
    job = run_import(csv_file(rows), user=user, dry_run=True)
    client.force_login(user)

    page = client.get(job.get_absolute_url())

    assertContains(page, "Rows placed at country level")
    assertContains(page, "Italy / Imola")
    assertContains(page, "“UK” is outside the EU27 regions (NUTS 2024)")
    assert job.new_count == 2, job.errors
    assert not Infrastructure.objects.exists()
