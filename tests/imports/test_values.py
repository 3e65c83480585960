"""Cell values normalised rather than refused: coordinates and web addresses."""

import pytest

from imports.widgets import (
    LifecycleWidget,
    clean_coordinates,
    clean_email,
    clean_phone,
    clean_url,
    first_sentence,
    normalise,
)


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


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("access@example.org", "access@example.org"),
        ("mailto:Access@Example.ORG", "Access@example.org"),
        ("Dr. Rossi <rossi@unibo.example.it>", "rossi@unibo.example.it"),
        ("lab@example.org; office@example.org", "lab@example.org"),
        ("lab at example dot org", ""),
        ("", ""),
    ],
)
def test_email_cells_are_cleaned(value, expected):
    assert clean_email(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+39 051 209 1234", "+39 051 209 1234"),
        ("Tel.: +49  40 4283-0", "+49 40 4283-0"),
        ("+420 541 141 111 / +420 541 141 112", "+420 541 141 111 / +420 541 141 112"),
        ("+371 6700 0000; +371 6700 0001", "+371 6700 0000"),
        ("phone: (030) 1234 5678 ext", "(030) 1234 5678"),
    ],
)
def test_phone_cells_are_cleaned(value, expected):
    assert clean_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Operational", "operational"),
        ("in operation since 2001", "operational"),
        ("Under construction from 2014", "under_construction"),
        ("Planned", "planned"),
        ("Preparation phase", "planned"),
        ("Decommissioned in 2019", "decommissioned"),
        ("Published", None),  # the catalogue's own status says nothing of it
        ("", None),
    ],
)
def test_lifecycle_is_read_from_status_text(value, expected):
    assert LifecycleWidget().clean(value) == expected


def test_a_summary_is_the_descriptions_first_sentence():
    assert (
        first_sentence("Cleanroom of 500 m2. Open to SMEs.") == "Cleanroom of 500 m2."
    )
    assert first_sentence("Approx. 20 instruments") == "Approx. 20 instruments"
    long = "word " * 100
    assert len(first_sentence(long)) <= 300
    assert first_sentence(long).endswith("…")


@pytest.mark.parametrize(
    ("plural", "singular_form"),
    [
        ("Analytical Facilities", "analytical facility"),
        ("clean rooms", "clean room"),
        ("Test beds", "test bed"),
        ("mass", "mass"),
    ],
)
def test_labels_match_in_the_singular_and_plural(plural, singular_form):
    from imports.resources.context import singular

    assert singular(normalise(plural)) == singular(singular_form)
