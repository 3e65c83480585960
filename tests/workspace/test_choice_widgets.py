"""Multi-select fields of the workspace forms are checkbox groups."""

import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from catalogue.models import Concept
from tests.factories import concept
from tests.workspace.conftest import form_data

pytestmark = pytest.mark.django_db


def pages(listing):
    return {
        "listing": (
            reverse("workspace:infrastructure_edit", args=[listing.slug]),
            ["types", "kets", "scientific_domains", "languages"],
        ),
        "service": (
            reverse("workspace:service_edit", args=[listing.slug, "em"]),
            ["kets", "languages", "target_users"],
        ),
        "equipment": (
            reverse("workspace:equipment_edit", args=[listing.slug, "sem"]),
            ["services"],
        ),
    }


@pytest.mark.parametrize("form", ["listing", "service", "equipment"])
def test_multiple_choices_are_checkboxes_not_ctrl_click_lists(
    client, editor, listing, form
):
    url, names = pages(listing)[form]
    client.force_login(editor)
    response = client.get(url)
    html = response.content.decode()
    assert not re.search(r"<select[^>]*multiple", html)
    assertNotContains(response, "Hold Ctrl")
    for name in names:
        assert re.search(rf'type="checkbox"[^>]*name="{name}"', html), name


def test_scientific_domains_and_languages_are_saved_from_checkboxes(
    client, editor, listing
):
    url = reverse("workspace:infrastructure_edit", args=[listing.slug])
    client.force_login(editor)
    domain = Concept.objects.in_scheme("scientific_domain").order_by("-pk")[0]
    data = form_data(
        client.get(url),
        scientific_domains=[str(domain.pk)],
        languages=[
            str(concept("language", "it").pk),
            str(concept("language", "de").pk),
        ],
    )
    client.post(url, data)
    assert list(listing.scientific_domains.all()) == [domain]
    assert {c.code for c in listing.languages.all()} == {"it", "de"}


def test_kets_offer_the_2018_list_and_keep_a_carried_2012_choice(
    client, editor, listing
):
    listing.kets.add(concept("ket", "PHOT"))
    url = reverse("workspace:infrastructure_edit", args=[listing.slug])
    client.force_login(editor)
    response = client.get(url)
    offered = {c.code for c in response.context["form"].fields["kets"].queryset}
    assert offered == {
        c.code for c in Concept.objects.in_scheme("ket").filter(collection="2018")
    } | {"PHOT"}
    assertContains(response, "Photonics (2012 list)")
    client.post(url, form_data(response, name="Imaging Centre Bologna"))
    assert {k.code for k in listing.kets.all()} == {"AMN", "PHOT"}
