"""Saving a search from the search page with the keyboard, receiving its alert and
stopping it with one click, at phone and desktop widths."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts import services
from alerts.models import SavedSearch
from catalogue import search
from notifications.models import OutgoingEmail
from tests.browser.test_moderation import press
from tests.browser.test_workspace import sign_in
from tests.factories import make_infrastructure, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.mark.parametrize("width", [390, 1280])
def test_an_sme_saves_a_search_gets_an_alert_and_stops_it(
    page, width, assert_accessible
):
    page.set_viewport_size({"width": width, "height": 900})
    make_infrastructure(name="Bologna Laser Lab")
    search.refresh()
    user = make_user()
    sign_in(page, user)
    page.goto(
        page.live_server_url + reverse("catalogue:infrastructure_list") + "?q=laser"
    )

    summary = page.locator("summary", has_text="Save this search")
    summary.focus()
    summary.press("Enter")
    page.get_by_label("Name of the search").fill("Lasers in Bologna")
    page.get_by_label("Email me new matches").select_option("weekly")
    assert_accessible(page)
    press(page, "Save", role="button")

    page.get_by_role("heading", name="Saved searches").wait_for()
    assert page.get_by_role("link", name="Lasers in Bologna").is_visible()
    assert page.get_by_text(
        "You will be emailed listings that newly match it"
    ).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)

    saved = SavedSearch.objects.get()
    SavedSearch.objects.filter(pk=saved.pk).update(
        checked_at=timezone.now() - datetime.timedelta(days=8)
    )
    make_infrastructure(name="Modena Laser Centre")
    search.refresh()
    assert services.alerts_send() == 1
    email = OutgoingEmail.objects.get()
    unsubscribe = email.headers["List-Unsubscribe"].strip("<>")

    page.goto(unsubscribe)
    assert_accessible(page)
    press(page, "Stop these emails", role="button")
    page.get_by_text("You will get no more emails for “Lasers in Bologna”.").wait_for()
    assert SavedSearch.objects.get().frequency == "never"
    assert page.js_errors == []
