"""Staff choose a listing's vocabularies from checkbox groups, on a phone and a
desktop, and the long ones stay usable."""

import pytest
from django.urls import reverse

from accounts.models import InfrastructureMembership
from catalogue.models import Concept
from tests.browser.test_workspace import sign_in
from tests.factories import make_account, make_infrastructure

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff():
    user = make_account(email="staff@imaging.example.eu")
    listing = make_infrastructure(name="Imaging Centre", region="ITH55", kets=["AMN"])
    InfrastructureMembership.objects.create(
        user=user, infrastructure=listing, role="manager"
    )
    return user


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_staff_tick_scientific_domains_in_a_scrollable_group(
    request, staff, assert_accessible, viewport
):
    page = request.getfixturevalue(viewport)
    listing = staff.infrastructure_memberships.get().infrastructure
    sign_in(page, staff)
    page.goto(
        page.live_server_url
        + reverse("workspace:infrastructure_edit", args=[listing.slug])
    )
    assert page.locator("select[multiple]").count() == 0
    group = page.get_by_role("group", name="Scientific domains")
    boxes = group.get_by_role("checkbox")
    assert boxes.count() == Concept.objects.in_scheme("scientific_domain").count()
    choices = group.locator("div:has(> .form-check)").first
    assert choices.evaluate("el => el.scrollHeight > el.clientHeight + 100")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        "the form is wider than the screen"
    )
    assert_accessible(page)

    last = boxes.last
    last.check()  # scrolled into view inside its group
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(
        f"**{reverse('workspace:infrastructure_detail', args=[listing.slug])}"
    )
    assert listing.scientific_domains.count() == 1
