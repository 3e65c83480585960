"""Saved searches and their email alerts: saving from the search page, what an
alert holds, when it goes out, and stopping it with one click."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from alerts import services
from alerts.models import SavedSearch
from catalogue import search
from notifications.models import OutgoingEmail
from tests.factories import make_infrastructure, make_user

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def saved(user, query="q=laser", frequency="weekly", days_ago=8) -> SavedSearch:
    return SavedSearch.objects.create(
        user=user,
        name="Lasers",
        query=query,
        frequency=frequency,
        checked_at=NOW - datetime.timedelta(days=days_ago),
    )


def publish(name: str, days_ago: float = 1) -> None:
    make_infrastructure(name=name, published_at=NOW - datetime.timedelta(days=days_ago))
    search.refresh()


def test_a_signed_in_user_saves_the_search_with_its_filters(client):
    user = make_user()
    client.force_login(user)

    page = client.get(reverse("catalogue:infrastructure_list") + "?q=laser&ket=PHOT")
    assertContains(page, "Save this search")
    response = client.post(
        reverse("alerts:create"),
        {"query": "q=laser&ket=PHOT&page=3", "name": "", "frequency": "monthly"},
        follow=True,
    )

    search_ = SavedSearch.objects.get(user=user)
    assert (search_.query, search_.frequency, search_.name) == (
        "ket=PHOT&q=laser",
        "monthly",
        "My search",
    )
    assertContains(response, "You will be emailed listings that newly match it")
    assertContains(response, 'href="/infrastructures/?ket=PHOT&amp;q=laser"')

    again = client.post(
        reverse("alerts:create"),
        {"query": "ket=PHOT&q=laser", "name": "Again", "frequency": "weekly"},
        follow=True,
    )
    assertContains(again, "You have already saved this search.")
    assert SavedSearch.objects.count() == 1


def test_anonymous_visitors_are_offered_to_sign_in_to_save(client):
    page = client.get(reverse("catalogue:infrastructure_list") + "?q=laser")

    assertNotContains(page, 'id="save-search"')
    assertContains(page, "Sign in to save this search")
    assertRedirects(
        client.get(reverse("alerts:saved_searches")),
        reverse("account_login") + "?next=" + reverse("alerts:saved_searches"),
        fetch_redirect_response=False,
    )


def test_a_due_alert_emails_what_newly_matches_with_a_one_click_unsubscribe():
    user = make_user()
    saved(user)
    publish("Old laser lab", days_ago=30)
    publish("New laser lab")
    publish("New cleanroom")

    assert services.alerts_send(now=NOW) == 1

    email = OutgoingEmail.objects.get()
    assert email.to == [user.email]
    assert "1 new match for “Lasers”" in email.subject
    assert "New laser lab" in email.body
    assert "Old laser lab" not in email.body and "cleanroom" not in email.body
    unsubscribe = email.headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe in email.body
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Told once: the next run finds nothing new.
    assert services.alerts_send(now=NOW + datetime.timedelta(days=8)) == 0
    assert OutgoingEmail.objects.count() == 1


def test_nothing_is_sent_before_an_alert_is_due_or_when_nothing_matches():
    user = make_user()
    saved(user, frequency="monthly", days_ago=8)
    saved(user, query="q=zzyzxqv", frequency="weekly", days_ago=8)
    saved(user, query="q=lab", frequency="never", days_ago=60)
    publish("New laser lab")

    assert services.alerts_send(now=NOW) == 0
    assert not OutgoingEmail.objects.exists()


def test_one_click_unsubscribe_needs_no_session_nor_csrf_token():
    search_ = saved(make_user())
    url = reverse("alerts:unsubscribe", args=[services.unsubscribe_token(search_)])
    client = Client(enforce_csrf_checks=True)

    assertContains(client.get(url), "Stop the emails of the saved search “Lasers”?")
    search_.refresh_from_db()
    assert search_.frequency == "weekly"

    response = client.post(url, {"List-Unsubscribe": "One-Click"})

    assertContains(response, "You will get no more emails for “Lasers”.")
    search_.refresh_from_db()
    assert search_.frequency == "never"
    bad = client.post(reverse("alerts:unsubscribe", args=["forged"]))
    assert bad.status_code == 404


def test_only_the_owner_changes_or_deletes_a_saved_search(client):
    search_ = saved(make_user())
    client.force_login(make_user())

    update = client.post(
        reverse("alerts:update", args=[search_.pk]), {"frequency": "never"}
    )
    delete = client.post(reverse("alerts:delete", args=[search_.pk]))

    assert (update.status_code, delete.status_code) == (404, 404)
    search_.refresh_from_db()
    assert search_.frequency == "weekly"


def test_the_owner_changes_the_alert_and_deletes_the_search(client):
    user = make_user()
    search_ = saved(user)
    client.force_login(user)

    client.post(reverse("alerts:update", args=[search_.pk]), {"frequency": "monthly"})
    search_.refresh_from_db()
    assert search_.frequency == "monthly"
    response = client.post(reverse("alerts:delete", args=[search_.pk]), follow=True)
    assertContains(response, "Search “Lasers” deleted")
    assert not SavedSearch.objects.exists()


@pytest.mark.parametrize("count", [1, 12])
def test_the_saved_searches_page_runs_the_same_queries_for_one_and_many(
    client, django_assert_num_queries, count
):
    user = make_user()
    for n in range(count):
        saved(user, query=f"q=laser{n}")
    client.force_login(user)
    client.get(reverse("alerts:saved_searches"))

    with django_assert_num_queries(4):
        response = client.get(reverse("alerts:saved_searches"))
    assert response.content.decode().count('class="card mb-3"') == count
