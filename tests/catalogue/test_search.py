import pytest
from django.http import QueryDict

from catalogue import search
from catalogue.models import Concept, SearchRecord, SearchTerm
from catalogue.search import TextQuery, search_catalogue
from tests.factories import make_equipment, make_infrastructure, make_service

pytestmark = pytest.mark.django_db


def find(params: str = "", **kwargs) -> list[str]:
    results = search_catalogue(QueryDict(params))
    return [rii.name for rii in results.infrastructures]


def test_text_query_keeps_words_and_marks_the_last_as_prefix():
    query = TextQuery.parse("  electron-micro; ")
    assert query.words == ("electron", "micro")
    assert query.tsquery == "electron & micro:*"
    assert not TextQuery.parse("!!! ---")


def test_long_text_is_shortened_not_rejected():
    query = TextQuery.parse("microscopy " * 1000)
    assert query.truncated
    assert len(query.words) == search.MAX_QUERY_WORDS


def test_refresh_writes_one_record_per_infrastructure_with_its_facets():
    rii = make_infrastructure(region="ITH55", kets=["NANO"])
    make_service(
        infrastructure=rii, trl_from=3, trl_to=5, price_band="1k_5k", lead_time_days=9
    )
    make_equipment(infrastructure=rii, category="xray")
    search.refresh()
    record = SearchRecord.objects.get(infrastructure=rii)
    assert record.is_published
    assert record.regions == ["IT", "ITH", "ITH5", "ITH55"]
    assert record.is_partner
    assert set(record.kets) == {"NANO", "AMN"}  # the 2018 successor is added
    assert record.trl_levels == [3, 4, 5]
    assert record.price_bands == ["1k_5k"]
    assert record.equipment_categories == ["xray"]
    assert record.shortest_lead_time_days == 9


def test_refresh_of_some_infrastructures_leaves_the_others():
    first, second = make_infrastructure(), make_infrastructure()
    search.refresh([first.pk])
    assert list(SearchRecord.objects.values_list("infrastructure", flat=True)) == [
        first.pk
    ]
    search.refresh([second.pk])
    assert SearchRecord.objects.count() == 2


def test_text_search_is_accent_insensitive_both_ways():
    make_infrastructure(name="Göteborg Materials Lab")
    make_infrastructure(name="Plain Lab", summary="We speak Čeština and English.")
    search.refresh()
    assert find("q=Goteborg") == ["Göteborg Materials Lab"]
    assert find("q=göteborg") == ["Göteborg Materials Lab"]
    assert find("q=Cestina") == ["Plain Lab"]


def test_language_native_names_are_searchable():
    rii = make_infrastructure(name="Brno Lab")
    rii.languages.set([Concept.objects.get(scheme="language", code="cs")])
    search.refresh()
    assert find("q=cestina") == ["Brno Lab"]


def test_last_word_matches_as_a_prefix():
    rii = make_infrastructure(name="Imaging Centre")
    make_service(infrastructure=rii, name="Electron microscopy")
    search.refresh()
    assert find("q=electron+micro") == ["Imaging Centre"]
    assert find("q=micro+electron") == ["Imaging Centre"]
    # Only the last word is a prefix: "electr" alone does not match, and the page
    # falls back to the closest catalogue word.
    assert search.find({}, TextQuery.parse("electr microscopy")).total == 0
    results = search_catalogue(QueryDict("q=electr+microscopy"))
    assert results.effective_query.text == "electron microscopy"


def test_services_and_equipment_make_their_infrastructure_findable():
    rii = make_infrastructure(name="Materials Hub")
    make_equipment(
        infrastructure=rii,
        name="Diffractometer",
        manufacturer="Rigaku",
        model="SmartLab",
    )
    search.refresh()
    for q in ("rigaku", "smartlab", "diffractometer"):
        assert find(f"q={q}") == ["Materials Hub"], q


def test_names_weigh_more_than_tags_and_tags_more_than_descriptions():
    make_infrastructure(name="Quiet lab", description="We also do some robotics work.")
    make_infrastructure(name="Robotics Lab")
    tagged = make_infrastructure(name="Tagged lab")
    make_equipment(infrastructure=tagged, category="robotics_automation")
    search.refresh()
    assert find("q=robotics") == ["Robotics Lab", "Tagged lab", "Quiet lab"]


def test_a_typo_falls_back_to_the_closest_catalogue_word():
    rii = make_infrastructure(name="Imaging Centre")
    make_service(infrastructure=rii, name="Microscopy of materials")
    search.refresh()
    results = search_catalogue(QueryDict("q=mikroscopy"))
    assert results.suggestion is not None
    assert results.suggestion.text == "microscopy"
    assert results.effective_query.text == "microscopy"
    assert [r.name for r in results.infrastructures] == ["Imaging Centre"]


def test_no_suggestion_when_nothing_is_close():
    make_infrastructure(name="Imaging Centre")
    search.refresh()
    results = search_catalogue(QueryDict("q=zzzzqqqq"))
    assert results.total == 0
    assert results.suggestion is None


def test_vocabulary_comes_from_published_listings_only():
    make_infrastructure(name="Spectroscopy Lab")
    make_infrastructure(name="Secret Cryogenics Lab", status="draft")
    search.refresh()
    words = set(SearchTerm.objects.values_list("word", flat=True))
    assert "spectroscopy" in words
    assert "cryogenics" not in words


def test_only_published_listings_are_found():
    make_infrastructure(name="Draft Lab", status="draft")
    make_infrastructure(name="Public Lab")
    search.refresh()
    assert find("") == ["Public Lab"]
    assert find("q=lab") == ["Public Lab"]


def test_matching_services_are_returned_with_the_match_marked():
    rii = make_infrastructure(name="Imaging Centre")
    make_service(infrastructure=rii, name="Electron <b>microscopy</b>", slug="em")
    search.refresh()
    results = search_catalogue(QueryDict("q=microscopy"))
    [match] = results.matches[rii.pk]
    assert match.anchor == "service-em"
    assert match.name_html == "Electron &lt;b&gt;<mark>microscopy</mark>&lt;/b&gt;"


def test_sorting_by_name_and_by_update():
    older = make_infrastructure(name="Beta Lab")
    make_infrastructure(name="Alpha Lab")
    older.save()  # now the most recently updated
    search.refresh()
    assert find("sort=name") == ["Alpha Lab", "Beta Lab"]
    assert find("sort=updated") == ["Beta Lab", "Alpha Lab"]
    assert find("") == ["Alpha Lab", "Beta Lab"]  # name by default without text


def test_facet_options_are_escaped_and_fold_after_eight():
    from catalogue.templatetags.catalogue_tags import facet_options

    options = [
        search.FacetOption(
            code=f'c"{n}', label=f"<b>{n}</b>", count=n, selected=n == 9, dom_id=f"f{n}"
        )
        for n in range(10)
    ]
    html = facet_options(search.FacetGroup(param="ket", label="KET", options=options))
    assert "<b>" not in html
    assert "&lt;b&gt;3&lt;/b&gt;" in html
    assert 'value="c&quot;3"' in html
    assert html.count('class="form-check"') == 10
    # The selected ninth option opens the folded part.
    assert '<details class="facet-more" open><summary>Show 2 more</summary>' in html
    assert 'id="f9" checked>' in html
