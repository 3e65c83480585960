"""Pages answer after the database servers dropped the portal's connections, without
restarting the web processes."""

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from tests.factories import make_account, make_infrastructure

from .conftest import DATABASE, listings_read

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.parametrize("pool_size", [0, 4], ids=["persistent", "pool"]),
]


@pytest.fixture
def signed_in() -> Client:
    client = Client()
    client.force_login(make_account())
    return client


def test_pages_answer_after_the_servers_killed_every_connection(
    on_pair, client, signed_in
):
    listing = make_infrastructure(name="Resilient Lab")
    on_pair.wait_for_replay()
    profile = reverse("accounts:profile")
    assert client.get(listing.get_absolute_url()).status_code == 200
    assert signed_in.get(profile).status_code == 200

    killed_on_primary, killed_on_replica = on_pair.terminate_connections(DATABASE)

    assert killed_on_primary >= 1
    assert killed_on_replica >= 1
    with listings_read() as reads:
        assertContains(client.get(listing.get_absolute_url()), "Resilient Lab")
    assert reads["replica"] >= 1
    assert signed_in.get(profile).status_code == 200


def test_pages_answer_after_the_primary_restarted(on_pair, client, signed_in):
    listing = make_infrastructure(name="Restarted Lab")
    on_pair.wait_for_replay()
    profile = reverse("accounts:profile")
    assert signed_in.get(profile).status_code == 200

    on_pair.primary.restart()

    assert signed_in.get(profile).status_code == 200
    assertContains(client.get(listing.get_absolute_url()), "Restarted Lab")
