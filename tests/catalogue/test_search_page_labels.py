"""What the search page and a listing's page show of filters and terms: labels
rather than codes, each partner region once, a message for an inverted TRL range,
and lists of labels joined as "Czech, English"."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue import search
from catalogue.models import Concept
from tests.factories import make_infrastructure, make_service

pytestmark = pytest.mark.django_db

SEARCH = reverse("catalogue:infrastructure_list")
PARTNER_LISTINGS = {
    "ITH55": "Emilia-Romagna",
    "NL414": "North Brabant",
    "BE242": "Flanders",
    "DED41": "Chemnitz",
    "LV00C": "Vidzeme",
    "EE008": "Southern Estonia",
    "CZ064": "South Moravia",
    "SE224": "Skåne",
}


def text(html: bytes) -> str:
    """The page's text as a person reads it: tags dropped, spaces collapsed."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", html.decode(), flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page)))


def chips(html: bytes) -> list[str]:
    found = re.search(rb'<ul class="chips.*?</ul>', html, re.S)
    assert found, "no active filter chips"
    items = re.findall(rb'<a class="chip" [^>]*>\s*<span>(.*?)</span>', found[0])
    return [unescape(item.decode()) for item in items]


def region_options(html: bytes) -> list[str]:
    return [
        unescape(label.decode())
        for label in re.findall(
            rb'id="f-region-[^"]*"[^>]*><label[^>]*><span>(.*?)</span>', html
        )
    ]


def test_every_chip_shows_the_label_of_its_value_not_its_code(client):
    rii = make_infrastructure(name="Labelled", region="CZ064", kets=["AM"])
    make_service(infrastructure=rii, price_band="1k_5k", service_type="prototyping")
    search.refresh()
    params = (
        "ket=AM&region=CZ064&country=CZ&price=1k_5k&service_type=prototyping"
        "&language=cs&nace=C&nabs=02&type=core_facility&access=self_service"
        "&equipment=electron_microscopy"
    )
    response = client.get(f"{SEARCH}?{params}")
    assert response.status_code == 200
    assert chips(response.content) == [
        "Key Enabling Technology: Advanced manufacturing technologies",
        "Country: Czechia",
        "Region: South Moravia",
        "Infrastructure type: Core facility",
        "Service type: Prototyping",
        "Equipment category: Electron microscopy",
        "Access mode: Self-service after training",
        "Price band: EUR 1,000-5,000",
        "Language spoken: Czech",
        "Research field (NABS): Environment",
        "Economic sector (NACE): Manufacturing",
    ]
    shown = text(response.content)
    for code in ("ket=AM", "CZ064", "1k_5k", "prototyping", ": cs", ": C "):
        assert code not in shown


def test_each_partner_region_is_offered_once_by_its_english_name(client):
    for code in PARTNER_LISTINGS:
        make_infrastructure(name=f"In {code}", region=code)
    make_infrastructure(name="In Vienna", region="AT130")
    search.refresh()
    options = region_options(client.get(SEARCH).content)
    assert sorted(options) == sorted([*PARTNER_LISTINGS.values(), "Wien"])
    # Not also as the native-named NUTS 2 region around or inside it.
    for native in ("Sydsverige", "Jihovýchod", "Eesti", "Latvija", "Prov. Vlaams"):
        assert not any(native in option for option in options), options


def test_the_region_facet_reads_the_same_number_of_queries_for_one_and_many(client):
    make_infrastructure(name="One", region="SE224")
    search.refresh()
    with CaptureQueriesContext(connection) as one:
        client.get(SEARCH)
    for code in PARTNER_LISTINGS:
        make_infrastructure(region=code)
    search.refresh()
    with CaptureQueriesContext(connection) as many:
        client.get(SEARCH)
    assert len(many) == len(one)


def test_an_inverted_trl_range_gets_a_message_by_its_fields_and_filters_nothing(
    client,
):
    low = make_infrastructure(name="Early stage")
    make_service(infrastructure=low, trl_from=1, trl_to=2)
    high = make_infrastructure(name="Near market")
    make_service(infrastructure=high, trl_from=8, trl_to=9)
    search.refresh()
    response = client.get(f"{SEARCH}?trl_min=7&trl_max=3")
    assert response.status_code == 200
    html = response.content.decode()
    message = "“TRL to” (3) is lower than “TRL from” (7): choose the lower level first."
    error = re.search(r'<p [^>]*id="f-trl-error"[^>]*>(.*?)</p>', html, re.S)
    assert error and message in unescape(error[1])
    for name in ("trl_min", "trl_max"):
        select = re.search(rf'<select [^>]*name="{name}"[^>]*>', html)
        assert select and 'aria-describedby="f-trl-error"' in select[0]
    # The levels chosen stay selected, and no listing is left out by them.
    assert re.search(r'<select [^>]*name="trl_min".*?value="7" selected', html, re.S)
    assert re.search(r'<select [^>]*name="trl_max".*?value="3" selected', html, re.S)
    shown = text(response.content)
    assert "Early stage" in shown and "Near market" in shown
    assert "TRL from 7" not in chips_or_none(response.content)


def chips_or_none(html: bytes) -> list[str]:
    return chips(html) if b'<ul class="chips' in html else []


def test_a_valid_trl_range_still_filters_without_a_message(client):
    low = make_infrastructure(name="Early stage")
    make_service(infrastructure=low, trl_from=1, trl_to=2)
    search.refresh()
    response = client.get(f"{SEARCH}?trl_min=3&trl_max=7")
    assert "f-trl-error" not in response.content.decode()
    assert "Early stage" not in text(response.content)


def languages(*codes: str) -> list[Concept]:
    return list(Concept.objects.filter(scheme="language", code__in=codes))


def test_a_card_lists_languages_as_czech_comma_english(client):
    rii = make_infrastructure(name="Spoken")
    rii.languages.set(languages("cs", "en"))
    search.refresh()
    shown = text(client.get(SEARCH).content)
    assert "Czech, English" in shown
    assert "Czech ," not in shown


def test_a_listing_page_lists_languages_and_domains_without_a_space_before_the_comma(
    client,
):
    rii = make_infrastructure(name="Spoken")
    rii.languages.set(languages("cs", "en"))
    domains = Concept.objects.filter(scheme="scientific_domain", parent=None)[:2]
    rii.scientific_domains.set(domains)
    shown = text(client.get(rii.get_absolute_url()).content)
    assert "Czech, English" in shown
    assert "Czech ," not in shown
    first = str(domains[0].label)
    assert f"{first};" in shown and f"{first} ;" not in shown
