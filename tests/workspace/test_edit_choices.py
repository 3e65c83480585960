"""The host and region of a listing's edit page: the select offers the
organisations and regions of its country, and any other is found by name."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import make_infrastructure, make_organisation, make_staff
from tests.workspace.conftest import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(db):
    host = make_organisation(name="Università di Bologna", country="IT")
    return make_infrastructure(
        name="Imaging Centre", region="ITH55", host=host, status="draft"
    )


@pytest.fixture
def staff_client(client, draft):
    client.force_login(make_staff(infrastructure=draft, role="editor"))
    return client


def edit_url(listing) -> str:
    return reverse("workspace:infrastructure_edit", args=[listing.slug])


def options(response, field: str) -> list[str]:
    return [
        label for _value, label in response.context["form"][field].field.widget.choices
    ]


def test_the_edit_page_offers_the_hosts_and_regions_of_the_listings_country(
    staff_client, draft
):
    make_organisation(name="Politecnico di Milano", country="IT")
    make_organisation(name="TU Delft", country="NL")

    response = staff_client.get(edit_url(draft))

    hosts = options(response, "host")
    assert "Università di Bologna" in hosts
    assert "Politecnico di Milano" in hosts
    assert "TU Delft" not in hosts
    regions = options(response, "region")
    assert any(label.startswith("ITH55 ") for label in regions)
    assert any(label.startswith("ITC4 ") for label in regions)
    assert not any(label.startswith("NL") for label in regions)
    assertContains(response, 'name="host_search"')
    assertContains(response, 'name="region_search"')


def test_a_host_elsewhere_is_found_by_its_name(staff_client, draft):
    delft = make_organisation(name="TU Delft", country="NL", kind="university")
    page = staff_client.get(edit_url(draft))

    response = staff_client.post(
        edit_url(draft), form_data(page, host_search="tu delft")
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.host == delft


def test_a_search_with_several_matches_offers_them_and_saves_nothing(
    staff_client, draft
):
    make_organisation(name="TNO Delft", country="NL", kind="rto")
    make_organisation(name="TNO Eindhoven", country="NL", kind="rto")
    page = staff_client.get(edit_url(draft))

    response = staff_client.post(edit_url(draft), form_data(page, host_search="TNO"))

    assert response.status_code == 200
    assertContains(response, "Several organisations match “TNO”")
    hosts = options(response, "host")
    assert {"TNO Delft", "TNO Eindhoven"} <= set(hosts)
    draft.refresh_from_db()
    assert draft.host.name == "Università di Bologna"


def test_a_host_found_earlier_stays_offered_once_chosen(staff_client, draft):
    eindhoven = make_organisation(name="TNO Eindhoven", country="NL", kind="rto")
    page = staff_client.get(edit_url(draft))
    data = form_data(page, host=str(eindhoven.pk))

    response = staff_client.post(edit_url(draft), data)

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.host == eindhoven
    assert "TNO Eindhoven" in options(staff_client.get(edit_url(draft)), "host")


def test_a_search_that_matches_nothing_is_an_error(staff_client, draft):
    page = staff_client.get(edit_url(draft))

    response = staff_client.post(
        edit_url(draft), form_data(page, host_search="Nowhere institute")
    )

    assert response.status_code == 200
    assertContains(response, "Nothing matches “Nowhere institute”.")


def test_a_region_elsewhere_is_found_by_its_code(staff_client, draft):
    page = staff_client.get(edit_url(draft))

    response = staff_client.post(
        edit_url(draft), form_data(page, region_search="nl411")
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.region_id == "NL411"


def test_a_published_listing_still_moves_only_to_reviewed_regions(client):
    listing = make_infrastructure(region="ITH55", status="published")
    client.force_login(make_staff(infrastructure=listing, role="editor"))
    page = client.get(edit_url(listing))

    response = client.post(edit_url(listing), form_data(page, region_search="NL411"))

    assert response.status_code == 200
    assertNotContains(response, "NL411 –")
    listing.refresh_from_db()
    assert listing.region_id == "ITH55"


def edit_page_queries(client, listing) -> int:
    client.get(edit_url(listing))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(edit_url(listing))
    assert response.status_code == 200
    return len(queries)


def test_the_edit_page_costs_as_many_queries_for_many_organisations_as_for_one(
    staff_client, draft
):
    one = edit_page_queries(staff_client, draft)
    for number in range(30):
        make_organisation(name=f"Lab {number}", country="IT", kind="rto")

    assert edit_page_queries(staff_client, draft) == one


def test_a_malformed_host_is_a_form_error(staff_client, draft):
    page = staff_client.get(edit_url(draft))

    response = staff_client.post(edit_url(draft), form_data(page, host="not-a-number"))

    assert response.status_code == 200
    assert response.context["form"].errors["host"]
