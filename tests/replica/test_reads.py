"""Which database pages read from, on a real primary and its streaming replica."""

import time

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from catalogue import search
from core.replicas import LAG_SQL, STICKY_COOKIE
from tests.factories import make_infrastructure, make_staff
from tests.workspace.conftest import form_data

from .conftest import listings_read
from .servers import Pair

# The pair starts as a copy of the migrated test database; the tests' own writes and
# pages run on the pair, outside the test database's transaction.
pytestmark = pytest.mark.django_db


def wait_for_lag(pair: Pair, seconds: float) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        (lag,) = pair.replica.execute(LAG_SQL, "portal")[0]
        if lag is None or lag > seconds:
            return
        time.sleep(0.1)
    raise TimeoutError(f"The replica did not fall {seconds} s behind.")


def test_public_pages_read_from_the_replica(on_pair, client):
    listing = make_infrastructure(name="Replicated Imaging Lab")
    search.refresh([listing.pk])
    on_pair.wait_for_replay()
    with listings_read() as reads:
        page = client.get(listing.get_absolute_url())
        search_page = client.get(reverse("catalogue:infrastructure_list"))
    assertContains(page, "Replicated Imaging Lab")
    assertContains(search_page, "Replicated Imaging Lab")
    assert reads["replica"] >= 2
    assert reads["primary"] == 0
    # Reading marks no one: pages stay cacheable.
    assert STICKY_COOKIE not in page.cookies


def test_a_listing_appears_on_public_pages_once_the_replica_has_replayed_it(
    on_pair, client, settings
):
    settings.PORTAL_REPLICA_MAX_LAG_SECONDS = 3600
    on_pair.pause_replay()
    listing = make_infrastructure(name="Not Yet Replicated Lab")
    assert client.get(listing.get_absolute_url()).status_code == 404
    on_pair.resume_replay()
    on_pair.wait_for_replay()
    assertContains(client.get(listing.get_absolute_url()), "Not Yet Replicated Lab")


def test_staff_see_their_own_edit_at_once_while_others_see_the_replica(
    on_pair, client, settings
):
    settings.PORTAL_REPLICA_MAX_LAG_SECONDS = 3600
    listing = make_infrastructure(name="Imaging Centre")
    on_pair.wait_for_replay()
    on_pair.pause_replay()
    # Created after the replica stopped replaying: the workspace must read the
    # primary to know them.
    editor = make_staff(infrastructure=listing, role="editor")
    client.force_login(editor)
    edit_url = reverse("workspace:infrastructure_edit", args=[listing.slug])
    data = form_data(client.get(edit_url), name="Renamed Imaging Centre")

    response = client.post(edit_url, data)

    assertRedirects(
        response,
        reverse("workspace:infrastructure_detail", args=[listing.slug]),
        fetch_redirect_response=False,
    )
    assert response.cookies[STICKY_COOKIE]["max-age"] == (
        settings.PORTAL_REPLICA_STICKY_SECONDS
    )
    select_name = f"SELECT name FROM catalogue_infrastructure WHERE id = {listing.pk}"
    assert on_pair.primary.execute(select_name, "portal") == [
        ("Renamed Imaging Centre",)
    ]
    with listings_read() as reads:
        assertContains(client.get(listing.get_absolute_url()), "Renamed Imaging Centre")
    assert reads["replica"] == 0 < reads["primary"]
    anonymous = Client()
    assertContains(anonymous.get(listing.get_absolute_url()), "Imaging Centre")
    assert "Renamed" not in anonymous.get(listing.get_absolute_url()).text


def test_a_lagging_replica_is_not_read(on_pair, client, settings):
    settings.PORTAL_REPLICA_MAX_LAG_SECONDS = 1
    on_pair.pause_replay()
    listing = make_infrastructure(name="Fresh Pilot Line")
    wait_for_lag(on_pair, 1)
    with listings_read() as reads:
        assertContains(client.get(listing.get_absolute_url()), "Fresh Pilot Line")
    assert reads["replica"] == 0 < reads["primary"]


def test_a_stopped_replica_is_not_read_and_is_read_again_once_it_is_back(
    on_pair, client
):
    listing = make_infrastructure(name="Always Available Lab")
    on_pair.wait_for_replay()
    client.get(listing.get_absolute_url())
    on_pair.replica.stop()
    try:
        with listings_read() as reads:
            assertContains(client.get(listing.get_absolute_url()), "Always Available")
        assert reads["replica"] == 0 < reads["primary"]
    finally:
        on_pair.replica.start()
    with listings_read() as reads:
        assertContains(client.get(listing.get_absolute_url()), "Always Available")
    assert reads["primary"] == 0 < reads["replica"]


def test_the_access_request_form_reads_the_primary(on_pair, client, settings):
    settings.PORTAL_REPLICA_MAX_LAG_SECONDS = 3600
    on_pair.pause_replay()
    listing = make_infrastructure(name="Just Published Lab")
    form_url = reverse("access:request_create", args=[listing.slug])
    assertContains(client.get(form_url), "Just Published Lab")
    assert client.get(listing.get_absolute_url()).status_code == 404
