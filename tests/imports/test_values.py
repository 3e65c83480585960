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
