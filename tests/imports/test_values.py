"""Cell values normalised rather than refused: coordinates and web addresses."""

import pytest

from imports.widgets import clean_coordinates, clean_url


@pytest.mark.parametrize(
    ("lat", "lng", "expected"),
    [
        ("44.4949123456", "11.3426167", ("44.49491", "11.34262")),  # long decimals
        ("44,49491", "11,34262", ("44.49491", "11.34262")),  # decimal commas
        ("11.34262", "144.49491", ("11.34262", "144.49491")),  # fine as it is
        ("144.49491", "11.34262", ("11.34262", "144.49491")),  # swapped
        ("200", "300", ("200.00000", "300.00000")),  # out of range: left to checks
        ("", "11.3", ("", "11.3")),  # one missing: left to checks
        ("NaN", "11.3", ("NaN", "11.3")),
    ],
)
def test_coordinates_are_rounded_and_unswapped(lat, lng, expected):
    row = clean_coordinates({"latitude": lat, "longitude": lng})
    assert (row["latitude"], row["longitude"]) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("www.unibo.it", "https://www.unibo.it"),
        ("http://unibo.it", "http://unibo.it"),
        ("", ""),
        ("not a url", "not a url"),
    ],
)
def test_web_addresses_without_a_scheme_get_https(value, expected):
    assert clean_url(value) == expected


@pytest.mark.django_db
def test_comma_separated_tags_match_labels_that_hold_commas(importer):
    from catalogue.models import Infrastructure

    from .files import csv_file, run_import

    rows = [
        ["name", "region", "city", "summary", "contact_email", "host", "domain"],
        [
            "Lab",
            "ITH55",
            "Bologna",
            "Lasers.",
            "a@example.org",
            "UniBo",
            "Physics, Astronomy, Astrophysics and Mathematics, "
            "Agronomy, Forestry, Plant Breeding Centres, Basket weaving",
        ],
    ]
    mapping = {column: column for column in rows[0]}
    mapping["domain"] = "scientific_domains"
    job = run_import(csv_file(rows), user=importer, mapping=mapping)

    domains = Infrastructure.objects.get().scientific_domains.values_list(
        "label", flat=True
    )
    assert sorted(domains) == [
        "Agronomy, Forestry, Plant Breeding Centres",
        "Physics, Astronomy, Astrophysics and Mathematics",
    ]
    unmatched = job.tags_unmatched["scientific_domains"]
    assert [item["value"] for item in unmatched] == ["Basket weaving"]
