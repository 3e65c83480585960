import pytest

from catalogue.models import Equipment, Infrastructure
from imports.resources import UNIQUIP_COLUMNS

from .files import csv_file, run_import

pytestmark = pytest.mark.django_db


def uniquip_row(**values) -> list[str]:
    return [values.get(column, "") for column in UNIQUIP_COLUMNS]


UNIQUIP_ROWS = [
    UNIQUIP_COLUMNS,
    uniquip_row(
        Type="facility",
        Name="Microscopy Core",
        Description="Electron and light microscopy for research and industry.",
        Location="Bologna",
        **{
            "ID": "FAC-1",
            "Contact Email": "core@example.org",
            "Organisational Unit": "Department of Physics",
        },
    ),
    uniquip_row(
        Type="equipment",
        Name="Scanning electron microscope",
        Technique="Electron microscopy",
        **{"ID": "EQ-1", "Related Facility ID": "FAC-1", "Building": "B2"},
    ),
    uniquip_row(
        Type="Equipment",
        Name="Coffee roaster",
        Technique="Roasting",
        **{"ID": "EQ-2", "Related Facility ID": "fac-1"},
    ),
    uniquip_row(Type="equipment", Name="Orphan", **{"ID": "EQ-3"}),
    uniquip_row(Type="equipment", Name="No ID", **{"Related Facility ID": "FAC-1"}),
]


def test_uniquip_file_imports_facilities_and_their_equipment(importer):
    job = run_import(
        csv_file(UNIQUIP_ROWS), user=importer, kind="uniquip", region="ITH55"
    )

    facility = Infrastructure.objects.get()
    assert (facility.name, facility.slug, facility.region_id, facility.status) == (
        "Microscopy Core",
        "fac-1",
        "ITH55",
        "pending",
    )
    assert facility.summary.startswith("Electron and light microscopy")
    assert facility.host is not None
    assert facility.host.name == "Department of Physics"
    items = {e.uniquip_id: e for e in Equipment.objects.all()}
    derived = [key for key in items if key.startswith("h-")]
    # The record without an ID gets one derived from its listing, name and place.
    assert set(items) == {"EQ-1", "EQ-2", *derived} and len(derived) == 1
    assert items[derived[0]].name == "No ID"
    assert items["EQ-1"].category.code == "electron_microscopy"
    assert items["EQ-1"].building == "B2"
    assert items["EQ-2"].category.code == "other"
    assert job.unmatched_tags == {
        "Technique": [{"value": "Roasting", "rows": [4], "count": 1, "suggestion": ""}]
    }
    rows_with_errors = sorted({error["row"] for error in job.errors})
    assert rows_with_errors == [5]


def test_uniquip_reimport_is_idempotent(importer):
    run_import(csv_file(UNIQUIP_ROWS), user=importer, kind="uniquip", region="ITH55")

    again = run_import(
        csv_file(UNIQUIP_ROWS), user=importer, kind="uniquip", region="ITH55"
    )

    assert (again.new_count, again.updated_count, again.unchanged_count) == (0, 0, 4)
    assert Equipment.objects.count() == 3
