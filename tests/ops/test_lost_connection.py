"""A public page whose database connection is ended while it is served answers
normally (served again on a new connection); other requests are not repeated."""

import psycopg
import pytest
from django.db import connection
from django.urls import reverse

from catalogue import views
from tests.factories import make_infrastructure

pytestmark = pytest.mark.django_db(transaction=True)


def _end_this_connection() -> None:
    """What pg_terminate_backend (a restart, a failover) does to the connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_public_page_survives_its_connection_ending(client, monkeypatch):
    rii = make_infrastructure(name="Survivor lab")
    original = views.infrastructure_json_ld
    calls: list[int] = []

    def ended_on_first_call(request, infrastructure):
        if not calls:
            _end_this_connection()
        calls.append(1)
        return original(request, infrastructure)

    monkeypatch.setattr(views, "infrastructure_json_ld", ended_on_first_call)
    client.raise_request_exception = False
    try:
        response = client.get(rii.get_absolute_url())
    finally:
        connection.close()
    assert response.status_code == 200
    assert "Survivor lab" in response.text
    assert len(calls) == 2


def test_a_request_that_may_have_written_is_not_repeated(client):
    rii = make_infrastructure()
    client.raise_request_exception = False
    _end_this_connection()
    try:
        response = client.post(reverse("access:shortlist_add", args=[rii.slug]))
        assert response.status_code == 500
    finally:
        connection.close()
