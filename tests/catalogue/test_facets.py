"""The facet registry against what is derived from it: the form, the search
records' columns and tags, and the search pages that vocabulary terms link to."""

import pytest
from django.urls import reverse

from catalogue import search
from catalogue.models import SEARCH_FACET_COLUMNS, Concept, SearchRecord
from catalogue.search.forms import SearchForm
from tests.factories import make_equipment, make_infrastructure, make_service

pytestmark = pytest.mark.django_db


def test_every_facet_has_its_form_fields_in_the_registry_order():
    expected = []
    for name, facet in search.FACETS.items():
        expected += [f"{name}_min", f"{name}_max"] if facet.kind == "levels" else [name]
    assert list(SearchForm.base_fields) == expected


def test_array_columns_of_the_registry_are_those_the_model_indexes():
    arrays = {f.column for f in search.FACETS.values() if f.kind in ("codes", "levels")}
    assert arrays == set(SEARCH_FACET_COLUMNS)


def test_a_record_carries_the_tag_of_each_value_of_its_columns():
    rii = make_infrastructure(region="ITH55", kets=["AI"])
    make_service(infrastructure=rii, price_band="1k_5k", sme_rate_available=True)
    search.refresh()
    record = SearchRecord.objects.get(pk=rii.pk)
    for facet in search.FACETS.values():
        value = getattr(record, facet.column)
        values = value if isinstance(value, list) else [value] if value else []
        if facet.kind == "flag" and value:
            values = [True]
        for tag in facet.tags(values):
            assert tag in record.facet_tags, tag


@pytest.fixture
def tagged_listing():
    """One listing tagged with a term of every faceted scheme, and one untagged."""
    rii = make_infrastructure(name="Tagged", kets=["AI"])
    rii.types.set(Concept.objects.filter(scheme="rii_type", code="living_lab"))
    rii.languages.set(Concept.objects.filter(scheme="language", code="de"))
    domain = Concept.objects.filter(scheme="scientific_domain", parent=None).first()
    assert domain is not None
    rii.scientific_domains.set([domain])
    make_service(infrastructure=rii, service_type="testing", access_mode="remote")
    make_equipment(infrastructure=rii, category="xray")
    other = make_infrastructure(name="Other", kets=["PHOT"])
    make_service(infrastructure=other, service_type="training")
    search.refresh()
    return rii


TERMS = [
    ("rii_type", "living_lab"),
    ("service_type", "testing"),
    ("equipment_category", "xray"),
    ("access_mode", "remote"),
    ("language", "de"),
]


@pytest.mark.parametrize(("scheme", "code"), TERMS)
def test_links_from_vocabulary_terms_filter_the_search(
    client, tagged_listing, scheme, code
):
    url = Concept.objects.get(scheme=scheme, code=code).get_absolute_url()
    results = client.get(url).context["search"]
    assert [card.name for card in results.infrastructures] == ["Tagged"]
    assert len(results.chips) == 1


def test_link_from_a_scientific_domain_filters_the_search(client, tagged_listing):
    domain = tagged_listing.scientific_domains.get()
    results = client.get(domain.get_absolute_url()).context["search"]
    assert [card.name for card in results.infrastructures] == ["Tagged"]


def test_link_from_a_trl_term_searches_its_level():
    term = Concept.objects.filter(scheme="trl", code="trl-4").first()
    if term is None:
        pytest.skip("no TRL terms in the reference data")
    assert term.get_absolute_url() == (
        reverse("catalogue:infrastructure_list") + "?trl_min=4&trl_max=4"
    )


def test_a_ket_links_to_its_own_page():
    ket = Concept.objects.get(scheme="ket", code="AI")
    assert ket.get_absolute_url() == reverse(
        "catalogue:technology_detail", kwargs={"code": "AI"}
    )
