import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from accounts.models import User
from catalogue import services
from catalogue.models import Infrastructure, Region
from demo.catalogue import SUPERUSER_EMAIL, partner_admin_email
from moderation import queue

pytestmark = pytest.mark.django_db


def test_the_demo_gives_every_partner_admin_a_queue_with_changes_to_review():
    pending = 0
    for region in Region.objects.partners():
        admin = User.objects.get(email=partner_admin_email(region.code))
        sections = queue.queue_sections(admin)
        assert sections["unverified"].exists(), region
        pending += sections["pending"].count()
        [changed] = sections["changed"]
        changes = services.changes_since_approval(changed)
        assert changes is not None
        [change] = changes
        assert "short notice" in change.after
    assert pending >= 2


def test_the_demo_listings_are_never_approved_only_where_true(client, settings):
    settings.PORTAL_REQUIRE_ADMIN_MFA = False
    published = Infrastructure.objects.published()
    assert published.exists()
    for listing in published:
        assert services.last_approved_version(listing) is not None, listing
        assert listing.moderation_decisions.filter(action="approve").exists()
    unchanged = published.filter(changed_since_review=False).first()
    assert unchanged is not None
    client.force_login(User.objects.get(email=SUPERUSER_EMAIL))

    response = client.get(
        reverse("admin:catalogue_infrastructure_change", args=[unchanged.pk])
    )

    assertContains(response, "Nothing changed since the last approval.")
    assertNotContains(response, "never approved")
    pending = Infrastructure.objects.filter(status="pending").first()
    assert pending is not None
    assert services.changes_since_approval(pending) is None
