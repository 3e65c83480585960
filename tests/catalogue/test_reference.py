import pytest

from catalogue.models import Concept, Region

pytestmark = pytest.mark.django_db


def test_all_eu27_nuts_2024_regions_are_loaded():
    assert Region.objects.filter(level=0).count() == 27
    assert Region.objects.filter(level=1).count() == 119
    assert Region.objects.filter(level=2).count() == 271
    assert Region.objects.filter(level=3).count() == 1192


def test_regions_nest_by_code_and_parent():
    bologna = Region.objects.get(code="ITH55")
    nuts2 = bologna.parent
    assert nuts2 is not None and nuts2.code == "ITH5"
    nuts1 = nuts2.parent
    assert nuts1 is not None and nuts1.parent is not None
    assert nuts1.parent.code == "IT"
    assert bologna.ancestor_codes() == ["IT", "ITH", "ITH5", "ITH55"]
    assert Region.objects.within("ITH5").count() == 10  # ITH5 and its 9 provinces


def test_greece_keeps_eurostat_code_and_iso_country():
    greece = Region.objects.get(code="EL")
    assert greece.country_code == "GR"
    assert greece.name_en == "Greece"


def test_the_eight_partner_regions_are_flagged_including_nuts3_ones():
    partners = dict(Region.objects.partners().values_list("code", "level"))
    assert partners == {
        "ITH5": 2,
        "NL41": 2,
        "BE2": 1,
        "DED4": 2,
        "LV00C": 3,
        "EE008": 3,
        "CZ064": 3,
        "SE224": 3,
    }


def test_kets_of_2012_map_to_their_2018_successors():
    kets = Concept.objects.in_scheme("ket")
    assert kets.count() == 12
    assert kets.filter(collection="2018").count() == 6
    assert set(kets.get(code="NANO").maps_to.values_list("code", flat=True)) == {"AMN"}
    assert set(kets.get(code="MNEP").mapped_from.values_list("code", flat=True)) == {
        "MNE",
        "PHOT",
    }


def test_vocabularies_are_loaded():
    counts = {
        scheme: Concept.objects.in_scheme(scheme).count()
        for scheme in ("trl", "structure", "nabs", "nace", "access_mode")
    }
    assert counts == {
        "trl": 9,
        "structure": 5,
        "nabs": 14,
        "nace": 21,
        "access_mode": 4,
    }
    domains = Concept.objects.in_scheme("scientific_domain")
    assert domains.filter(parent__isnull=True).count() == 9
    assert domains.filter(parent__isnull=False).count() == 80


def test_languages_carry_their_native_names():
    czech = Concept.objects.get(scheme="language", code="cs")
    assert czech.label == "Czech"
    assert czech.alt_labels == ["Čeština"]
