import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from catalogue import services
from catalogue.models import Infrastructure, Service
from tests.factories import (
    make_infrastructure,
    make_partner_admin,
    make_service,
    make_staff,
    make_user,
)

pytestmark = pytest.mark.django_db


# What staff may do to their listing, written out rather than read from the table
# under test: action -> {status before: status after}; any other status refuses.
STAFF_EXPECTED = {
    "submit": {"draft": "pending", "changes_requested": "pending"},
    "confirm_accurate": {"published": "published"},
}


def test_staff_may_take_exactly_these_actions():
    staff_actions = {
        action
        for action, transition in services.TRANSITIONS.items()
        if "editor" in transition.roles
    }
    assert staff_actions == set(STAFF_EXPECTED)


@pytest.mark.parametrize(
    ("action", "status"),
    [
        (action, status)
        for action in STAFF_EXPECTED
        for status in Infrastructure.Status.values
    ],
)
def test_staff_transitions_follow_the_workflow(action, status):
    long_ago = timezone.now() - datetime.timedelta(days=400)
    listing = make_infrastructure(status=status, verified_at=long_ago)
    user = make_staff(infrastructure=listing, role="editor")
    expected = STAFF_EXPECTED[action].get(status)
    if expected is not None:
        services.infrastructure_transition(
            infrastructure=listing, action=action, user=user
        )
        listing.refresh_from_db()
        assert listing.status == expected
        # Confirming the listing dates the check; submitting does not.
        assert listing.verified_at is not None
        assert (listing.verified_at > long_ago) == (action == "confirm_accurate")
    else:
        with pytest.raises(ValidationError):
            services.infrastructure_transition(
                infrastructure=listing, action=action, user=user
            )
        listing.refresh_from_db()
        assert listing.status == status


@pytest.mark.parametrize("who", ["sme", "staff_of_other", "partner_admin"])
def test_only_members_may_move_a_listing_through_its_states(who):
    listing = make_infrastructure(status="draft")
    user = {
        "sme": make_user,
        "staff_of_other": lambda: make_staff(infrastructure=make_infrastructure()),
        "partner_admin": lambda: make_partner_admin(region="ITH5"),
    }[who]()
    with pytest.raises(PermissionDenied):
        services.infrastructure_transition(
            infrastructure=listing, action="submit", user=user
        )


def test_update_of_a_stale_copy_raises_a_conflict():
    listing = make_infrastructure()
    stale = Infrastructure.objects.get(pk=listing.pk)
    services.infrastructure_update(infrastructure=listing, data={"city": "Imola"})
    with pytest.raises(services.EditConflict):
        services.infrastructure_update(infrastructure=stale, data={"city": "Parma"})
    listing.refresh_from_db()
    assert listing.city == "Imola"


def test_service_update_of_a_stale_copy_raises_a_conflict():
    service = make_service()
    stale = Service.objects.get(pk=service.pk)
    services.service_update(service=service, data={"trl_to": 8})
    with pytest.raises(services.EditConflict):
        services.service_update(service=stale, data={"trl_to": 9})


def test_update_validates_like_the_database():
    listing = make_infrastructure()
    with pytest.raises(ValidationError):
        services.infrastructure_update(
            infrastructure=listing, data={"latitude": 44.5, "longitude": None}
        )


def test_moving_renumbers_items_with_equal_orders():
    listing = make_infrastructure()
    a, b, c = (make_service(infrastructure=listing, name=n) for n in "ABC")
    services.service_move(service=c, direction="up")
    assert list(listing.services.order_by("order")) == [a, c, b]
    assert list(listing.services.values_list("order", flat=True)) == [0, 1, 2]
