"""History of listings, services and equipment: what changed since the last approval,
and a revert to that version."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from catalogue import services
from catalogue import services as workspace
from catalogue.models import Equipment, Infrastructure, SearchRecord, Service
from tests.factories import concept, make_equipment, make_service
from tests.moderation.conftest import make_moderator
from tests.moderation.objects import make_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(moderator, django_capture_on_commit_callbacks) -> Infrastructure:
    """A listing with a service and an equipment item, approved by a partner admin."""
    listing = make_listing(
        "ITH5", status="pending", name="Imaging Centre", kets=["AMN"]
    )
    make_service(infrastructure=listing, name="Electron microscopy")
    make_equipment(infrastructure=listing, name="Scanning electron microscope")
    with django_capture_on_commit_callbacks(execute=True):
        services.infrastructure_transition(
            infrastructure=listing, action="approve", user=moderator
        )
    listing.refresh_from_db()
    return listing


def edit_as_staff(listing: Infrastructure) -> None:
    """What staff do in the workspace after the approval: every kind of change."""
    workspace.infrastructure_update(
        infrastructure=listing,
        data={"name": "Imaging Hub", "kets": [concept("ket", "PHOT")]},
    )
    workspace.service_create(
        infrastructure=listing,
        data={
            "name": "Cryo imaging",
            "service_type": concept("service_type", "testing"),
            "access_mode": concept("access_mode", "staff_operated"),
            "trl_from": 2,
            "trl_to": 5,
        },
    )
    workspace.service_update(
        service=listing.services.get(name="Electron microscopy"),
        data={"description": "Now with EDX."},
    )
    workspace.equipment_delete(equipment=listing.equipment.get())


def test_edits_of_listings_services_and_equipment_are_kept_in_their_history(
    approved,
):
    edit_as_staff(approved)

    assert approved.history.first().name == "Imaging Hub"
    assert set(
        Service.history.filter(infrastructure_id=approved.pk).values_list(
            "name", "history_type"
        )
    ) == {
        ("Electron microscopy", "+"),
        ("Electron microscopy", "~"),
        ("Cryo imaging", "+"),
    }
    assert Equipment.history.filter(history_type="-").count() == 1


def test_the_history_page_shows_what_changed_since_the_last_approval(
    client, moderator, approved
):
    edit_as_staff(approved)
    client.force_login(moderator)

    response = client.get(
        reverse("admin:catalogue_infrastructure_history", args=[approved.pk])
    )

    changes = {change.label: change for change in response.context["changes"]}
    assert (changes["name"].before, changes["name"].after) == (
        "Imaging Centre",
        "Imaging Hub",
    )
    assert "Photonics" in changes["Key Enabling Technologies"].after
    assert changes["Services"].after == "Cryo imaging, Electron microscopy"
    assert changes["Equipment"].before == "Scanning electron microscope"
    assertContains(response, "Imaging Hub")
    assertContains(response, "Revert to the last approved version")


def test_a_listing_without_changes_says_so(client, moderator, approved):
    client.force_login(moderator)

    response = client.get(
        reverse("admin:catalogue_infrastructure_change", args=[approved.pk])
    )

    assert response.context["changes"] == []
    assertContains(response, "Nothing changed since the last approval.")


def test_revert_restores_the_approved_version_and_refreshes_search(
    client, moderator, approved, django_capture_on_commit_callbacks
):
    edit_as_staff(approved)
    client.force_login(moderator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(
                "admin:catalogue_infrastructure_decide", args=[approved.pk, "revert"]
            )
        )

    assert response.status_code == 302
    listing = Infrastructure.objects.get(pk=approved.pk)
    assert listing.name == "Imaging Centre"
    assert listing.status == "published" and not listing.changed_since_review
    assert [ket.code for ket in listing.kets.all()] == ["AMN"]
    assert [s.name for s in listing.services.all()] == ["Electron microscopy"]
    assert listing.services.get().description == ""
    assert [e.name for e in listing.equipment.all()] == ["Scanning electron microscope"]
    assert SearchRecord.objects.get(infrastructure=listing).sort_name == (
        "imaging centre"
    )
    assert services.changes_since_approval(listing) == []
    last = listing.moderation_decisions.first()
    assert last is not None
    assert last.action == "revert"


def test_a_listing_never_approved_cannot_be_reverted(client, moderator, own):
    client.force_login(moderator)

    response = client.post(
        reverse("admin:catalogue_infrastructure_decide", args=[own.pk, "revert"]),
        follow=True,
    )

    assertContains(response, "is not possible")
    own.refresh_from_db()
    assert own.status == "pending"


def test_a_partner_admin_of_another_region_cannot_read_the_history(approved):
    from django.test import Client

    client = Client()
    client.force_login(make_moderator(region="NL41"))

    response = client.get(
        reverse("admin:catalogue_infrastructure_history", args=[approved.pk])
    )

    assert response.status_code == 404


def test_a_long_text_is_shown_whole_with_the_changed_words_marked(
    client, moderator, approved
):
    opening = "CEITE tests <b>materials</b> for industry. " * 12
    workspace.infrastructure_update(
        infrastructure=approved, data={"description": opening + "Results come fast."}
    )
    services.infrastructure_transition(
        infrastructure=Infrastructure.objects.get(pk=approved.pk),
        action="approve",
        user=moderator,
    )
    workspace.infrastructure_update(
        infrastructure=Infrastructure.objects.get(pk=approved.pk),
        data={"description": opening + "Results come within two weeks."},
    )
    client.force_login(moderator)

    response = client.get(
        reverse("admin:catalogue_infrastructure_change", args=[approved.pk])
    )

    section = response.content.decode().split('id="changes-since-approval"')[1]
    section = section.split("</section>")[0]
    escaped = opening.replace("<", "&lt;").replace(">", "&gt;")
    assert len(opening) > 400
    assert section.count(escaped.strip()) == 2  # before and after, whole
    assert "<del>fast.</del>" in section
    assert "<ins>within two weeks.</ins>" in section
    assert "<b>" not in section
    assert "chars]" not in section and "style=" not in section
