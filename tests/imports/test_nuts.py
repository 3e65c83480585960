import pytest

from imports.nuts import to_nuts2024

KNOWN = {"LV00C", "NL361", "PT1C", "ITH55", "DED41"}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ITH55", "ITH55"),  # unchanged
        (" ith 55 ", "ITH55"),  # stray spaces and case
        ("LV008", "LV00C"),  # boundary shift: the new region of the same name
        ("NL332", "NL361"),  # code change
        ("PT18", "PT1C"),  # boundary shift followed by two new regions
    ],
)
def test_nuts_2021_codes_are_read_as_nuts_2024(code, expected):
    assert to_nuts2024(code, KNOWN) == expected


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("PT17", "split or merged"),
        ("LV007", "split or merged"),
        ("XX99", "Unknown NUTS region code “XX99”."),
    ],
)
def test_codes_without_a_single_successor_are_refused(code, message):
    with pytest.raises(ValueError, match=message):
        to_nuts2024(code, KNOWN)
