"""Partner admins' decisions on listings: the state machine, the record, the message
emailed to the staff and shown in their workspace, in the admin one by one or in
bulk."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from catalogue import services
from catalogue.models import Infrastructure, ModerationDecision
from notifications.models import OutgoingEmail
from tests.factories import make_staff, make_user
from tests.moderation.conftest import OTHER_REGION, make_moderator, make_superuser
from tests.moderation.objects import make_listing

pytestmark = pytest.mark.django_db

STATUSES = Infrastructure.Status.values
EXPECTED = {
    # decision: {from status: to status}; every other status refuses it.
    "approve": {"pending": "published", "published": "published"},
    "request_changes": {
        "pending": "changes_requested",
        "published": "changes_requested",
    },
    "reject": {"pending": "archived", "changes_requested": "archived"},
    "archive": {
        "draft": "archived",
        "pending": "archived",
        "changes_requested": "archived",
        "published": "archived",
    },
    "revert": {
        "pending": "published",
        "changes_requested": "published",
        "published": "published",
    },
}


def approved_listing(status: str, **fields) -> Infrastructure:
    """A listing approved once by a partner admin, then put in ``status``."""
    listing = make_listing("ITH5", status="pending", **fields)
    services.infrastructure_transition(
        infrastructure=listing, action="approve", user=make_superuser()
    )
    Infrastructure.objects.filter(pk=listing.pk).update(status=status)
    listing.refresh_from_db()
    return listing


def test_the_table_covers_every_decision():
    assert (
        set(EXPECTED)
        == set(services.DECISIONS)
        == set(ModerationDecision.Action.values)
    )


@pytest.mark.parametrize(
    ("action", "status"), list(itertools.product(EXPECTED, STATUSES))
)
def test_each_decision_is_allowed_from_its_statuses_only(moderator, action, status):
    listing = approved_listing(status)

    decide = lambda: services.infrastructure_transition(  # noqa: E731
        infrastructure=listing, action=action, user=moderator, message="Because."
    )

    if status in EXPECTED[action]:
        decision = decide()
        assert decision is not None
        listing.refresh_from_db()
        assert listing.status == EXPECTED[action][status]
        assert (decision.from_status, decision.to_status) == (status, listing.status)
    else:
        with pytest.raises(ValidationError):
            decide()
        listing.refresh_from_db()
        assert listing.status == status


def test_approval_publishes_verifies_and_clears_the_review_flag(moderator, own):
    before = timezone.now()
    Infrastructure.objects.filter(pk=own.pk).update(changed_since_review=True)

    services.infrastructure_transition(
        infrastructure=own, action="approve", user=moderator
    )

    own.refresh_from_db()
    assert own.status == "published"
    assert own.published_at >= before and own.verified_at >= before
    assert not own.changed_since_review


def test_approving_changes_of_a_published_listing_keeps_its_publication_date(
    moderator,
):
    listing = make_listing("ITH5", changed_since_review=True)
    published_at = listing.published_at

    services.infrastructure_transition(
        infrastructure=listing, action="approve", user=moderator
    )

    listing.refresh_from_db()
    assert listing.published_at == published_at
    assert not listing.changed_since_review


@pytest.mark.parametrize("action", ["request_changes", "reject"])
def test_asking_for_changes_or_rejecting_needs_a_message(moderator, own, action):
    with pytest.raises(ValidationError) as error:
        services.infrastructure_transition(
            infrastructure=own, action=action, user=moderator, message="  "
        )

    assert error.value.code == "message_required"
    own.refresh_from_db()
    assert own.status == "pending"
    assert not ModerationDecision.objects.exists()


def test_a_partner_admin_of_another_region_cannot_decide(own):
    with pytest.raises(PermissionDenied):
        services.infrastructure_transition(
            infrastructure=own,
            action="approve",
            user=make_moderator(region=OTHER_REGION),
        )
    own.refresh_from_db()
    assert own.status == "pending"


def test_every_decision_is_recorded(moderator, own):
    services.infrastructure_transition(
        infrastructure=own,
        action="request_changes",
        user=moderator,
        message="Describe the SME offer.",
    )

    decision = ModerationDecision.objects.get()
    assert (
        decision.infrastructure,
        decision.decided_by,
        decision.action,
        decision.from_status,
        decision.to_status,
        decision.message,
    ) == (
        own,
        moderator,
        "request_changes",
        "pending",
        "changes_requested",
        "Describe the SME offer.",
    )


@pytest.mark.parametrize(
    ("action", "subject"),
    [("request_changes", "Changes requested"), ("reject", "Not accepted")],
)
def test_the_staff_are_emailed_the_message(moderator, own, staff, action, subject):
    editor = make_staff(infrastructure=own, role="editor")

    services.infrastructure_transition(
        infrastructure=own, action=action, user=moderator, message="Add prices."
    )

    emails = OutgoingEmail.objects.order_by("pk")
    assert sorted(email.to[0] for email in emails) == sorted(
        [staff.email, editor.email]
    )
    assert all(subject in email.subject for email in emails)
    assert all("Add prices." in email.body for email in emails)
    assert all(own.slug in email.body for email in emails)


def test_an_approval_sends_no_email(moderator, own, staff):
    services.infrastructure_transition(
        infrastructure=own, action="approve", user=moderator
    )
    assert not OutgoingEmail.objects.exists()


def test_the_staff_read_the_requested_changes_in_their_workspace(
    client, moderator, own, staff
):
    services.infrastructure_transition(
        infrastructure=own,
        action="request_changes",
        user=moderator,
        message="Please describe the SME offer.",
    )
    client.force_login(staff)

    dashboard = client.get(reverse("workspace:dashboard"))
    detail = client.get(reverse("workspace:infrastructure_detail", args=[own.slug]))

    assertContains(dashboard, "Please describe the SME offer.")
    assertContains(detail, "Please describe the SME offer.")
    assertContains(detail, "The partner admin asks for these changes")


def test_the_request_for_changes_disappears_once_the_listing_is_resubmitted(
    client, moderator, own, staff
):
    services.infrastructure_transition(
        infrastructure=own,
        action="request_changes",
        user=moderator,
        message="Please describe the SME offer.",
    )
    client.force_login(staff)
    client.post(reverse("workspace:infrastructure_submit", args=[own.slug]))

    detail = client.get(reverse("workspace:infrastructure_detail", args=[own.slug]))

    assertNotContains(detail, "Please describe the SME offer.")


def test_the_workspace_dashboard_reads_feedback_in_constant_queries(
    client, moderator, django_assert_num_queries
):
    staff = make_user()
    for n in range(3):
        listing = make_listing("ITH5", status="pending", name=f"Lab {n}")
        make_staff(infrastructure=listing)
        listing.memberships.create(user=staff, role="manager")
        services.infrastructure_transition(
            infrastructure=listing,
            action="request_changes",
            user=moderator,
            message=f"Fix lab {n}.",
        )
    client.force_login(staff)
    url = reverse("workspace:dashboard")
    with django_assert_num_queries(5):
        many = client.get(url)
    staff.infrastructure_memberships.exclude(infrastructure=listing).delete()
    with django_assert_num_queries(5):
        one = client.get(url)
    for n in range(3):
        assertContains(many, f"Fix lab {n}.")
    assertContains(one, "Fix lab 2.")
    assertNotContains(one, "Fix lab 0.")


# --- In the admin ----------------------------------------------------------------


def decide_url(listing: Infrastructure, action: str) -> str:
    return reverse("admin:catalogue_infrastructure_decide", args=[listing.pk, action])


def test_the_change_form_offers_the_decisions_the_status_allows(client, moderator, own):
    client.force_login(moderator)

    response = client.get(
        reverse("admin:catalogue_infrastructure_change", args=[own.pk])
    )

    for action in ("approve", "request_changes", "reject", "archive"):
        assertContains(response, decide_url(own, action))
    assertNotContains(response, decide_url(own, "revert"))


def test_a_decision_is_confirmed_on_its_own_page_and_shown_on_the_change_form(
    client, moderator, own
):
    client.force_login(moderator)

    page = client.get(decide_url(own, "request_changes"))
    response = client.post(
        decide_url(own, "request_changes"), {"message": "List your prices."}
    )

    assertContains(page, "Message to the staff")
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == "changes_requested"
    change_form = client.get(response["Location"])
    assertContains(change_form, "List your prices.")


def test_a_missing_message_is_asked_for_again(client, moderator, own):
    client.force_login(moderator)

    response = client.post(decide_url(own, "reject"), {"message": ""})

    assertContains(response, "Write a message", status_code=400)
    own.refresh_from_db()
    assert own.status == "pending"


def test_a_decision_the_status_does_not_allow_is_refused_with_a_message(
    client, moderator
):
    draft = make_listing("ITH5", status="draft")
    client.force_login(moderator)

    response = client.post(decide_url(draft, "approve"), follow=True)

    assertContains(response, "is not possible while the listing is")
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_an_unknown_decision_is_not_found(client, moderator, own):
    client.force_login(moderator)
    assert client.get(decide_url(own, "promote")).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("sme", 302),
        ("staff_of_this_rii", 302),
        ("staff_of_other_rii", 302),
        ("partner_admin_of_region", 200),
        ("partner_admin_of_other_region", 404),
        ("superuser", 200),
    ],
)
def test_only_admins_of_the_region_open_a_decision(client, own, role, status):
    user = {
        "anonymous": lambda: None,
        "sme": lambda: make_user(),
        "staff_of_this_rii": lambda: make_staff(infrastructure=own),
        "staff_of_other_rii": lambda: make_staff(
            infrastructure=make_listing(OTHER_REGION)
        ),
        "partner_admin_of_region": make_moderator,
        "partner_admin_of_other_region": lambda: make_moderator(region=OTHER_REGION),
        "superuser": make_superuser,
    }[role]()
    if user:
        client.force_login(user)

    get = client.get(decide_url(own, "approve"))
    post = client.post(decide_url(own, "approve"))

    assert get.status_code == status
    own.refresh_from_db()
    assert own.status == ("published" if status == 200 else "pending")
    assert post.status_code == (302 if status == 200 else status)


def test_bulk_request_for_changes_asks_for_one_message_for_all(client, moderator):
    listings = [make_listing("ITH5", status="pending") for _ in range(2)]
    client.force_login(moderator)
    changelist = reverse("admin:catalogue_infrastructure_changelist")
    selected = {
        "action": "request_changes_selected",
        "_selected_action": [listing.pk for listing in listings],
    }

    page = client.post(changelist, selected)
    empty = client.post(changelist, {**selected, "confirm": "yes", "message": ""})
    done = client.post(
        changelist, {**selected, "confirm": "yes", "message": "Add photos."}
    )

    for listing in listings:
        assertContains(page, listing.name)
    assertContains(empty, "Write a message", status_code=400)
    assert done.status_code == 302
    assert set(Infrastructure.objects.values_list("status", flat=True)) == {
        "changes_requested"
    }
    assert set(ModerationDecision.objects.values_list("message", flat=True)) == {
        "Add photos."
    }


def test_bulk_approval_reports_the_listings_it_could_not_approve(client, moderator):
    pending = make_listing("ITH5", status="pending")
    draft = make_listing("ITH5", status="draft", name="Unfinished Lab")
    client.force_login(moderator)

    response = client.post(
        reverse("admin:catalogue_infrastructure_changelist"),
        {"action": "approve_selected", "_selected_action": [pending.pk, draft.pk]},
        follow=True,
    )

    assertContains(response, "Approve: 1 listing.")
    assertContains(response, "Unfinished Lab")
    pending.refresh_from_db()
    draft.refresh_from_db()
    assert (pending.status, draft.status) == ("published", "draft")


def test_the_status_changes_only_through_decisions(client, moderator, own):
    client.force_login(moderator)

    response = client.get(
        reverse("admin:catalogue_infrastructure_change", args=[own.pk])
    )

    assert "status" not in response.context["adminform"].form.fields
