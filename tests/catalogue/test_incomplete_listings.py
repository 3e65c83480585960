"""A listing an import left incomplete: a draft its staff complete before it can
be reviewed, and never published without what publishing needs."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from pytest_django.asserts import assertContains

from catalogue import services
from tests.factories import make_infrastructure, make_moderator, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(db):
    listing = make_infrastructure(status="draft", summary="", contact_email="")
    listing.host = None
    listing.save()
    return listing


def test_an_incomplete_draft_cannot_be_submitted(draft):
    staff = make_staff(infrastructure=draft)

    with pytest.raises(
        ValidationError, match="host organisation, summary, contact email"
    ):
        services.infrastructure_transition(
            infrastructure=draft, action="submit", user=staff
        )

    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_partner_admin_cannot_publish_it_either(draft):
    draft.status = "pending"
    draft.save()

    with pytest.raises(ValidationError, match="Complete the listing first"):
        services.infrastructure_transition(
            infrastructure=draft, action="approve", user=make_moderator(region="ITH5")
        )


def test_the_database_refuses_a_published_listing_without_a_host(draft):
    draft.status, draft.published_at = "published", draft.created_at

    with pytest.raises(IntegrityError), transaction.atomic():
        draft.save()


def test_the_workspace_says_what_submitting_needs(client, draft):
    client.force_login(make_staff(infrastructure=draft))

    response = client.get(reverse("workspace:dashboard"))

    assertContains(response, "Needed before it can be submitted:")
    assertContains(response, "host organisation, summary, contact email")
