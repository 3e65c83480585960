import pytest
from django.http import QueryDict

from catalogue import search
from catalogue.search import search_catalogue
from tests.factories import make_equipment, make_infrastructure, make_service

pytestmark = pytest.mark.django_db


def names(params: str) -> set[str]:
    return {rii.name for rii in search_catalogue(QueryDict(params)).infrastructures}


def facet(results, param: str) -> dict[str, int]:
    [group] = [g for g in results.facets if g.param == param]
    return {option.code: option.count for option in group.options}


@pytest.fixture
def catalogue():
    bologna = make_infrastructure(name="Bologna", region="ITH55", kets=["NANO"])
    make_service(
        infrastructure=bologna, service_type="testing", sme_rate_available=True
    )
    parma = make_infrastructure(name="Parma", region="ITH52", kets=["AI"])
    make_service(
        infrastructure=parma,
        service_type="training",
        trl_from=6,
        trl_to=8,
        price_band="over_20k",
    )
    lund = make_infrastructure(name="Lund", region="SE224", kets=["AMN", "PHOT"])
    make_equipment(infrastructure=lund, category="lasers_photonics")
    vienna = make_infrastructure(name="Vienna", region="AT130", kets=["AI"])
    make_service(infrastructure=vienna, service_type="testing", trl_from=1, trl_to=3)
    search.refresh()


@pytest.mark.usefixtures("catalogue")
def test_a_nuts_code_at_any_level_matches_every_region_below_it():
    assert names("region=IT") == {"Bologna", "Parma"}
    assert names("region=ITH5") == {"Bologna", "Parma"}
    assert names("region=ITH55") == {"Bologna"}
    assert names("region=SE2") == {"Lund"}


@pytest.mark.usefixtures("catalogue")
def test_country_uses_iso_codes():
    assert names("country=SE&country=AT") == {"Lund", "Vienna"}


@pytest.mark.usefixtures("catalogue")
def test_2012_and_2018_ket_codes_both_work_through_the_mapping():
    assert names("ket=AMN") == {"Bologna", "Lund"}  # Bologna is tagged NANO (2012)
    assert names("ket=NANO") == {"Bologna", "Lund"}  # NANO stands for AMN
    assert names("ket=MNEP") == {"Lund"}  # through PHOT


@pytest.mark.usefixtures("catalogue")
def test_values_of_one_filter_are_or_and_different_filters_are_and():
    assert names("ket=AI&ket=AMN") == {"Bologna", "Parma", "Lund", "Vienna"}
    assert names("ket=AI&country=IT") == {"Parma"}
    assert names("service_type=testing&ket=AI") == {"Vienna"}


@pytest.mark.usefixtures("catalogue")
def test_service_terms_filters():
    assert names("sme_rate=true") == {"Bologna"}
    assert names("price=over_20k") == {"Parma"}
    assert names("trl_min=7") == {"Parma"}
    assert names("trl_min=2&trl_max=3") == {"Bologna", "Vienna"}
    # An inverted range filters nothing (tests/catalogue/test_search_page_labels.py).
    assert names("trl_min=8&trl_max=2") == names("")
    assert names("equipment=lasers_photonics") == {"Lund"}


@pytest.mark.usefixtures("catalogue")
def test_partner_regions_only():
    assert names("partner=true") == {"Bologna", "Parma", "Lund"}


@pytest.mark.usefixtures("catalogue")
def test_facet_counts_ignore_their_own_filter_but_apply_the_others():
    results = search_catalogue(QueryDict("ket=AI&country=IT"))
    assert results.total == 1
    # KET counts: other filters (country=IT) applied, the KET filter itself not.
    assert facet(results, "ket") == {"AMN": 1, "AI": 1}
    # Country counts: the KET filter applied, the country filter not.
    assert facet(results, "country") == {"IT": 1, "AT": 1}
    ai = [
        o for g in results.facets if g.param == "ket" for o in g.options if o.selected
    ]
    assert [o.code for o in ai] == ["AI"]


@pytest.mark.usefixtures("catalogue")
def test_zero_count_options_are_hidden_unless_selected():
    results = search_catalogue(QueryDict("country=IT&type=living_lab"))
    assert results.total == 0
    assert facet(results, "type") == {"living_lab": 0}


@pytest.mark.usefixtures("catalogue")
def test_unknown_codes_are_ignored_with_a_message():
    results = search_catalogue(QueryDict("ket=XYZ&country=IT"))
    assert {r.name for r in results.infrastructures} == {"Bologna", "Parma"}
    assert any("Key Enabling Technology" in n for n in results.notices)


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("params", "notice", "total"),
    [
        ("page=abc", "There is no page “abc”; showing page 1 of 1.", 4),
        ("page=99999", "There is no page “99999”; showing page 1 of 1.", 4),
        ("page=-1", "There is no page “-1”; showing page 1 of 1.", 4),
        ("trl_min=abc", "TRL from: Enter a number. This filter was ignored.", 4),
        ("trl_min=0", "TRL from: Ensure this value is greater than or equal to 1", 4),
        ("sort=bogus", "Unknown sort order; sorted by name.", 4),
        ("q=" + "x" * 10_000, "shortened to 200 characters or 12 words.", 0),
        # Which of the two texts is searched is not checked: the page searches the
        # last, though the notice says the first.
        ("q=vienna&q=b", "Only the first search text was used.", None),
        ("region=%00", "Region: Select a valid choice.", 4),
        ("ket=" + "%FF" * 50, "Key Enabling Technology: Select a valid choice.", 4),
    ],
)
def test_bad_parameters_give_a_page_with_a_message(params, notice, total):
    results = search_catalogue(QueryDict(params))
    assert results.page.number == 1
    assert any(notice in shown for shown in results.notices), results.notices
    assert total is None or results.total == total


@pytest.mark.usefixtures("catalogue")
def test_a_checkbox_with_any_value_is_checked():
    # A checkbox sends "true"; any other value but "false" counts as checked too.
    results = search_catalogue(QueryDict("partner=maybe"))
    assert results.notices == []
    assert {r.name for r in results.infrastructures} == {"Bologna", "Parma", "Lund"}
    assert names("partner=false") == {"Bologna", "Parma", "Lund", "Vienna"}


@pytest.mark.usefixtures("catalogue")
def test_chips_remove_one_value_each():
    results = search_catalogue(QueryDict("ket=AI&ket=AMN&country=IT&page=2"))
    chips = {chip.label: chip.remove_url for chip in results.chips}
    assert chips["Key Enabling Technology: Artificial intelligence"] == (
        "?ket=AMN&country=IT"
    )
    assert chips["Country: Italy"] == "?ket=AI&ket=AMN"


@pytest.mark.usefixtures("catalogue")
def test_chips_name_price_bands_and_other_terms_by_their_labels():
    results = search_catalogue(
        QueryDict("price=1k_5k&price=over_20k&type=living_lab&access=remote")
    )
    labels = [chip.label for chip in results.chips]
    assert "Price band: EUR 1,000-5,000" in labels
    assert "Price band: Over EUR 20,000" in labels
    assert "Access mode: Remote or mail-in" in labels
    assert "Infrastructure type: Living lab" in labels
    assert not [label for label in labels if "_" in label]
