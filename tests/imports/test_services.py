import pytest

from accounts.models import Organisation
from catalogue.models import Equipment, Infrastructure, SearchRecord
from imports.models import ImportJob
from imports.resources import InfrastructureResource
from tests.factories import make_infrastructure

from .conftest import make_importer
from .files import csv_file, run_import, xlsx_file

pytestmark = pytest.mark.django_db

HEADER = ["Name", "Region", "City", "Summary", "Contact email", "KETs", "Host"]


def rii(name: str, region: str = "ITH55", kets: str = "", **extra) -> list[str]:
    return [
        name,
        region,
        extra.get("city", "Bologna"),
        extra.get("summary", f"What {name.strip() or 'it'} offers."),
        extra.get("email", "lab@example.org"),
        kets,
        extra.get("host", "Università di Bologna"),
    ]


MESSY_ROWS = [
    [" Name ", "Region ", "City", "Summary", "Contact email", "KETs", " Host"],
    rii("  Nanofab Lab  ", " ith55 ", kets="ADVANCED MATERÍALS AND NANOTECHNOLOGY"),
    rii("", kets="Photonics"),
    rii("Ghost Lab", region="XX99"),
    rii("Nanofab Lab", kets="Photonics"),
    rii(
        "Vidzeme Test Bed", region="LV008", city="Valmiera", kets="AI; Quantum widgets"
    ),
    rii("Brabant Lab", region="NL414", city="Eindhoven"),
    rii("Split Lab", region="PT17", city="Lisboa"),
    [],
    rii("Café Robotics", kets="Artificial intelligence | Photonics"),
]


def messy_file():
    return csv_file(MESSY_ROWS, name="mapping.csv", delimiter=";", encoding="cp1252")


@pytest.fixture
def two_region_importer(db):
    return make_importer(region="ITH5", also=("LV00C",))


def test_messy_file_imports_valid_rows_and_reports_each_bad_row(two_region_importer):
    job = run_import(messy_file(), user=two_region_importer)

    assert job.status == ImportJob.Status.DONE
    assert sorted(Infrastructure.objects.values_list("name", flat=True)) == [
        "Café Robotics",
        "Nanofab Lab",
        "Vidzeme Test Bed",
    ]
    reasons = {error["row"]: error["message"] for error in job.errors}
    assert set(reasons) == {3, 4, 5, 7, 8}
    assert "cannot be blank" in reasons[3]
    assert "XX99" in reasons[4]
    assert "row 2" in reasons[5]
    assert "NL414 is not one of your regions" in reasons[7]
    assert "split or merged" in reasons[8]
    assert (job.new_count, job.error_count) == (3, 5)


def test_messy_file_is_cleaned_and_matched(two_region_importer):
    run_import(messy_file(), user=two_region_importer)

    nanofab = Infrastructure.objects.get(name="Nanofab Lab")
    assert nanofab.region_id == "ITH55"
    assert nanofab.host is not None
    assert nanofab.host.name == "Università di Bologna"
    assert list(nanofab.kets.values_list("code", flat=True)) == ["AMN"]
    cafe = Infrastructure.objects.get(name="Café Robotics")
    assert sorted(cafe.kets.values_list("code", flat=True)) == ["AI", "PHOT"]
    vidzeme = Infrastructure.objects.get(name="Vidzeme Test Bed")
    assert vidzeme.region_id == "LV00C"
    assert list(vidzeme.kets.values_list("code", flat=True)) == ["AI"]


def test_unmatched_tags_are_reported_with_their_rows(two_region_importer):
    job = run_import(messy_file(), user=two_region_importer)

    assert job.unmatched_tags == {
        "kets": [
            {"value": "Quantum widgets", "rows": [6], "count": 1, "suggestion": ""}
        ]
    }


def test_imported_listings_wait_for_review_and_are_searchable_once_published(
    two_region_importer,
):
    job = run_import(messy_file(), user=two_region_importer, new_status="draft")

    assert set(Infrastructure.objects.values_list("status", flat=True)) == {"draft"}
    assert set(job.infrastructures.values_list("name", flat=True)) == {
        "Nanofab Lab",
        "Café Robotics",
        "Vidzeme Test Bed",
    }
    assert (
        SearchRecord.objects.filter(
            infrastructure__in=job.infrastructures.all()
        ).count()
        == 3
    )
    assert job.created_by == two_region_importer


def test_a_row_that_fails_half_way_leaves_nothing_behind(
    two_region_importer, monkeypatch
):
    save_m2m = InfrastructureResource.save_m2m

    def failing_save_m2m(self, instance, row, **kwargs):
        save_m2m(self, instance, row, **kwargs)
        if instance.name == "Broken Lab":
            raise RuntimeError("disk full")

    monkeypatch.setattr(InfrastructureResource, "save_m2m", failing_save_m2m)
    rows = [
        HEADER,
        rii("Broken Lab", kets="Photonics", host="Brand New Host"),
        rii("Sound Lab", kets="Photonics"),
    ]
    job = run_import(csv_file(rows), user=two_region_importer)

    assert list(Infrastructure.objects.values_list("name", flat=True)) == ["Sound Lab"]
    assert not Organisation.objects.filter(name="Brand New Host").exists()
    assert job.errors == [
        {"row": 2, "column": "", "message": "This row could not be saved: disk full"}
    ]


def test_importing_the_same_file_again_changes_nothing(two_region_importer):
    run_import(messy_file(), user=two_region_importer)
    before = list(Infrastructure.objects.order_by("pk").values("pk", "updated_at"))

    again = run_import(messy_file(), user=two_region_importer)

    assert (again.new_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert (
        list(Infrastructure.objects.order_by("pk").values("pk", "updated_at")) == before
    )
    assert Organisation.objects.filter(name="Università di Bologna").count() == 1


def test_a_row_named_like_a_listing_no_import_wrote_is_a_possible_duplicate(
    importer,
):
    listing = make_infrastructure(
        name="Nanofab Lab", slug="nanofab-lab", region="ITH55"
    )
    rows = [HEADER, rii("Nanofab Lab", summary="Another lab of the same name.")]

    job = run_import(csv_file(rows), user=importer)

    listing.refresh_from_db()
    assert listing.summary != "Another lab of the same name."
    assert (job.new_count, job.updated_count, job.error_count) == (0, 0, 1)
    assert job.duplicates[0]["existing_pk"] == listing.pk

    confirmed = run_import(csv_file(rows), user=importer, accept_duplicates=True)

    assert confirmed.new_count == 1
    assert Infrastructure.objects.get(slug="nanofab-lab-2").summary == (
        "Another lab of the same name."
    )


def test_a_changed_row_updates_the_listing_found_by_its_key(importer):
    listing = make_infrastructure(
        name="Nanofab Lab", slug="nanofab-lab", region="ITH55"
    )
    rows = [
        [*HEADER, "slug"],
        [*rii("Nanofab Lab", summary="Now with a cleanroom."), "nanofab-lab"],
    ]

    job = run_import(csv_file(rows), user=importer)

    listing.refresh_from_db()
    assert (job.new_count, job.updated_count) == (0, 1)
    assert listing.summary == "Now with a cleanroom."
    # A published listing stays published, flagged for the partner admin's review.
    assert listing.status == "published"
    assert listing.changed_since_review


def test_partner_admin_cannot_update_a_listing_of_another_region(importer):
    make_infrastructure(name="Brabant Lab", slug="brabant-lab", region="NL414")
    rows = [HEADER, rii("Brabant Lab", region="ITH55", summary="Taken over.")]

    job = run_import(csv_file(rows), user=importer)

    assert job.errors[0]["message"] == "Region NL414 is not one of your regions."
    assert Infrastructure.objects.get(slug="brabant-lab").region_id == "NL414"


def test_xlsx_file_is_imported(importer):
    rows = [HEADER, rii("Sheet Lab", kets="Photonics"), [None] * 7]
    rows.append(
        ["Numbers Lab", "ITH55", "Modena", "Measures.", "n@example.org", 7, "Unimore"]
    )

    job = run_import(xlsx_file(rows), user=importer)

    assert job.error_count == 0
    assert sorted(Infrastructure.objects.values_list("name", flat=True)) == [
        "Numbers Lab",
        "Sheet Lab",
    ]
    assert job.unmatched_tags == {
        "kets": [{"value": "7", "rows": [4], "count": 1, "suggestion": ""}]
    }


def test_preview_writes_nothing_and_reports_what_would_happen(two_region_importer):
    job = run_import(messy_file(), user=two_region_importer, dry_run=True)

    assert job.status == ImportJob.Status.PREVIEWED
    assert (job.new_count, job.error_count) == (3, 5)
    assert not Infrastructure.objects.exists()
    assert not Organisation.objects.filter(name="Università di Bologna").exists()
    assert job.file  # kept for the import itself


def test_services_and_equipment_are_imported_under_their_infrastructure(importer):
    make_infrastructure(name="Imaging Centre", slug="imaging-centre", region="ITH55")
    services = [
        [
            "infrastructure",
            "name",
            "service_type",
            "access_mode",
            "trl_from",
            "trl_to",
            "price_band",
            "sme_rate_available",
        ],
        [
            "imaging-centre",
            "SEM imaging",
            "Testing and measurement",
            "staff-operated",
            "3",
            "7",
            "Under EUR 1,000",
            "yes",
        ],
        ["imaging-centre", "Bad TRL", "testing", "remote", "8", "2", "", ""],
    ]
    job = run_import(csv_file(services), user=importer, kind="services")

    service = Infrastructure.objects.get(slug="imaging-centre").services.get()
    assert (service.name, service.price_band, service.sme_rate_available) == (
        "SEM imaging",
        "under_1k",
        True,
    )
    assert job.errors[0]["row"] == 3
    assert "TRL range" in job.errors[0]["message"]

    equipment = [
        ["infrastructure", "name", "category", "manufacturer"],
        [
            "imaging-centre",
            "Scanning electron microscope",
            "electron microscopy",
            "Zeiss",
        ],
        ["nowhere", "Lost microscope", "electron microscopy", ""],
    ]
    job = run_import(csv_file(equipment), user=importer, kind="equipment")

    assert Equipment.objects.get().manufacturer == "Zeiss"
    assert "No infrastructure has the key “nowhere”" in job.errors[0]["message"]


def test_a_row_the_database_refuses_is_reported_with_the_constraints_message(
    importer,
):
    rows = [
        [*HEADER, "Latitude"],
        [*rii("Half Located Lab"), "44.49"],
        [*rii("Located Lab"), ""],
    ]

    job = run_import(csv_file(rows), user=importer)

    assert list(Infrastructure.objects.values_list("name", flat=True)) == [
        "Located Lab"
    ]
    assert job.errors == [
        {
            "row": 2,
            "column": "",
            "message": "Give both latitude (-90 to 90) and longitude (-180 to 180), "
            "or neither.",
        }
    ]


def test_blank_cells_of_a_reimport_neither_erase_nor_count_as_changes(importer):
    run_import(csv_file([HEADER, rii("Nanofab Lab", kets="Photonics")]), user=importer)
    listing = Infrastructure.objects.get()

    again = run_import(
        csv_file([HEADER, rii("Nanofab Lab", kets="", email="")]), user=importer
    )

    assert (again.updated_count, again.unchanged_count) == (0, 1)
    listing.refresh_from_db()
    assert list(listing.kets.values_list("code", flat=True)) == ["PHOT"]
    assert listing.contact_email == "lab@example.org"
