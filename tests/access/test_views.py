import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from access.models import AccessRequest, Message, ShortlistEntry, State
from notifications.models import OutgoingEmail
from tests.factories import (
    make_access_request,
    make_account,
    make_company_member,
    make_equipment,
    make_infrastructure,
    make_partner_admin,
    make_service,
    make_staff,
    make_user,
)

pytestmark = pytest.mark.django_db

FORM = {
    "need": "Fatigue tests on 12 printed brackets.",
    "timeframe": "3m",
    "budget_band": "5k-20k",
    "company_name": "Acme Additive Srl",
    "contact_name": "Giulia Rossi",
    "contact_email": "giulia@acme.example",
    "consent_share": "on",
    "privacy_accepted": "on",
}
ROLES = [
    "anonymous",
    "sme",
    "requester",
    "manager",
    "editor",
    "other_staff",
    "partner_admin",
    "other_partner_admin",
    "superuser",
]


@pytest.fixture
def world():
    infrastructure = make_infrastructure(region="ITH55")
    requester = make_account()
    access_request = make_access_request(
        infrastructure=infrastructure, requester=requester
    )
    note = Message.objects.create(
        request=access_request,
        author=make_staff(infrastructure=infrastructure),
        from_staff=True,
        internal=True,
        body="Internal: check their budget first.",
        attachment=SimpleUploadedFile("internal.pdf", b"%PDF-1.4 internal %%EOF"),
    )
    users = {
        "anonymous": None,
        "sme": make_account(),
        "requester": requester,
        "manager": make_staff(infrastructure=infrastructure),
        "editor": make_staff(infrastructure=infrastructure, role="editor"),
        "other_staff": make_staff(infrastructure=make_infrastructure()),
        "partner_admin": make_partner_admin(region="ITH5"),
        "other_partner_admin": make_partner_admin(region="NL41"),
        "superuser": make_user(is_superuser=True, is_staff=True),
    }
    return {"request": access_request, "note": note, "users": users}


def _client(client, user):
    if user is not None:
        client.force_login(user)
    return client


# The expected status of each protected URL for each role (302: sign in first).
MATRIX = {
    "my_requests": dict.fromkeys(ROLES, 200) | {"anonymous": 302},
    "request_detail": dict.fromkeys(ROLES, 404) | {"anonymous": 302, "requester": 200},
    "inbox": dict.fromkeys(ROLES, 200) | {"anonymous": 302},
    "inbox_detail": dict.fromkeys(ROLES, 404)
    | {"anonymous": 302, "manager": 200, "editor": 200, "superuser": 200},
    "attachment": dict.fromkeys(ROLES, 404)
    | {
        "anonymous": 302,
        "requester": 200,
        "manager": 200,
        "editor": 200,
        "superuser": 200,
    },
    "internal_attachment": dict.fromkeys(ROLES, 404)
    | {"anonymous": 302, "manager": 200, "editor": 200, "superuser": 200},
}


def _url(name: str, world) -> str:
    pk = world["request"].pk
    return {
        "my_requests": reverse("access:my_requests"),
        "request_detail": reverse("access:request_detail", args=[pk]),
        "inbox": reverse("access:inbox"),
        "inbox_detail": reverse("access:inbox_detail", args=[pk]),
        "attachment": reverse("access:attachment", args=[pk]),
        "internal_attachment": reverse(
            "access:message_attachment", args=[pk, world["note"].pk]
        ),
    }[name]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(MATRIX))
def test_permission_matrix_for_reading(client, world, name, role):
    if name == "attachment":
        world["request"].attachment = SimpleUploadedFile(
            "brief.pdf", b"%PDF-1.4 brief %%EOF"
        )
        world["request"].save()
    response = _client(client, world["users"][role]).get(_url(name, world))
    assert response.status_code == MATRIX[name][role]
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_for_acting_on_a_request(client, world, role):
    """Only the staff of the RII may move it on in the inbox, only the SME in
    "My requests": a guessed id in a URL or a POST body changes nothing."""
    access_request = world["request"]
    staff_post = _client(client, world["users"][role]).post(
        reverse("access:inbox_detail", args=[access_request.pk]),
        {"action": "start_review"},
    )
    requester_post = client.post(
        reverse("access:request_detail", args=[access_request.pk]),
        {"action": "withdraw"},
    )
    access_request.refresh_from_db()
    expected = {
        "manager": State.IN_REVIEW,
        "editor": State.IN_REVIEW,
        "superuser": State.IN_REVIEW,
        "requester": State.WITHDRAWN,
    }.get(role, State.SUBMITTED)
    assert access_request.state == expected
    if role not in ("manager", "editor", "superuser"):
        assert staff_post.status_code in (302, 404)
    if role != "requester":
        assert requester_post.status_code in (302, 404)


def test_the_sme_never_sees_internal_notes(client, world):
    client.force_login(world["users"]["requester"])
    response = client.get(_url("request_detail", world))
    assertNotContains(response, "Internal: check their budget first.")
    client.force_login(world["users"]["editor"])
    response = client.get(_url("inbox_detail", world))
    assertContains(response, "Internal: check their budget first.")


def test_request_form_preselects_the_service_and_fills_in_the_sme(client):
    infrastructure = make_infrastructure()
    service = make_service(infrastructure=infrastructure, name="Fatigue testing")
    user = make_account(first_name="Giulia", last_name="Rossi")
    make_company_member(user=user)
    client.force_login(user)
    url = reverse("access:request_create", args=[infrastructure.slug])
    response = client.get(url, {"service": service.slug})
    form = response.context["form"]
    assert form["service"].value() == service.pk
    assert form["contact_email"].value() == user.email
    assert form["contact_name"].value() == "Giulia Rossi"
    company = user.company_memberships.get().organisation
    assert form["company_name"].value() == company.name
    client.post(
        reverse("access:request_create", args=[infrastructure.slug]),
        FORM | {"company_name": company.name},
    )
    assert AccessRequest.objects.get().organisation == company


def test_signed_in_sme_sends_at_once_and_lands_on_the_request(client):
    infrastructure = make_infrastructure()
    equipment = make_equipment(infrastructure=infrastructure)
    user = make_account()
    client.force_login(user)
    response = client.post(
        reverse("access:request_create", args=[infrastructure.slug]),
        FORM | {"equipment": equipment.pk, "contact_email": "forged@example.com"},
    )
    access_request = AccessRequest.objects.get()
    assertRedirects(response, access_request.get_absolute_url())
    assert access_request.state == State.SUBMITTED
    assert access_request.equipment == equipment
    assert access_request.contact_email == user.email  # the account's, not typed


def test_guest_request_asks_to_confirm_by_email_and_the_link_sends_it(client):
    infrastructure = make_infrastructure()
    manager = make_staff(infrastructure=infrastructure)
    response = client.post(
        reverse("access:request_create", args=[infrastructure.slug]), FORM
    )
    assertRedirects(response, reverse("access:request_sent"))
    assertContains(client.get(reverse("access:request_sent")), "giulia@acme.example")
    access_request = AccessRequest.objects.get()
    assert access_request.state == State.UNCONFIRMED
    # The link as the email gives it (its signature holds the second it was made).
    body = OutgoingEmail.objects.get().body
    prefix = reverse("access:request_confirm", args=["-"]).removesuffix("-/")
    link = re.search(rf"{re.escape(prefix)}[^/\s]+/", body)
    assert link, body
    confirm_url = link.group(0)

    # Opening the link (a mail scanner would) confirms nothing: the button does.
    assertContains(client.get(confirm_url), "Confirm and send")
    access_request.refresh_from_db()
    assert access_request.state == State.UNCONFIRMED
    response = client.post(confirm_url)
    assertContains(response, "Your request was sent")
    access_request.refresh_from_db()
    assert access_request.state == State.SUBMITTED
    assert OutgoingEmail.objects.filter(to=[manager.email]).exists()
    assertContains(client.post(confirm_url), "already confirmed", status_code=400)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"need": ""}, "need", "This field is required"),
        ({"need": "x" * 5001}, "need", "at most 5000 characters"),
        ({"consent_share": ""}, "consent_share", "This field is required"),
        ({"privacy_accepted": ""}, "privacy_accepted", "This field is required"),
        ({"contact_email": "not-an-email"}, "contact_email", "valid email"),
        ({"website": "http://spam.example"}, "website", "looks automated"),
        ({"timeframe": "yesterday"}, "timeframe", "Select a valid choice"),
    ],
)
def test_bad_input_is_explained_and_what_was_typed_is_kept(
    client, change, field, message
):
    infrastructure = make_infrastructure()
    response = client.post(
        reverse("access:request_create", args=[infrastructure.slug]), FORM | change
    )
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assertContains(response, "Acme Additive Srl", status_code=400)
    assert not AccessRequest.objects.exists()


def test_attachment_must_be_a_pdf_or_an_image(client):
    infrastructure = make_infrastructure()
    fake = SimpleUploadedFile("drawing.jpg", b"MZ\x90\x00 not an image")
    response = client.post(
        reverse("access:request_create", args=[infrastructure.slug]),
        FORM | {"attachment": fake},
    )
    assert response.status_code == 400
    assert "Attach a PDF document or a JPEG" in str(
        response.context["form"].errors["attachment"]
    )


def test_unpublished_listing_takes_no_requests(client):
    draft = make_infrastructure(status="draft")
    url = reverse("access:request_create", args=[draft.slug])
    assert client.get(url).status_code == 404
    assert client.post(url, FORM).status_code == 404


def test_requests_from_one_address_are_rate_limited(client, settings):
    settings.ACCOUNT_RATE_LIMITS = settings.ACCOUNT_RATE_LIMITS | {
        "access_request": "2/h/ip"
    }
    infrastructure = make_infrastructure()
    url = reverse("access:request_create", args=[infrastructure.slug])
    assert client.post(url, FORM).status_code == 302
    assert client.post(url, FORM).status_code == 302
    response = client.post(url, FORM)
    assertContains(response, "Too many requests", status_code=429)
    assertContains(response, "Fatigue tests on 12 printed brackets.", status_code=429)
    assert AccessRequest.objects.count() == 2


def test_messages_are_rate_limited_per_account(client, settings, world):
    settings.ACCOUNT_RATE_LIMITS = settings.ACCOUNT_RATE_LIMITS | {
        "access_message": "1/10m/user"
    }
    client.force_login(world["users"]["requester"])
    url = _url("request_detail", world)
    assert client.post(url, {"body": "First"}).status_code == 302
    response = client.post(url, {"body": "Second"})
    assertContains(response, "Too many messages", status_code=400)
    assertContains(response, "Second", status_code=400)


def test_shortlist_sends_one_brief_to_the_chosen_infrastructures(client):
    listed = [make_infrastructure(name=f"Lab {n}") for n in range(3)]
    for infrastructure in listed:
        client.post(reverse("access:shortlist_add", args=[infrastructure.slug]))
    response = client.get(reverse("access:shortlist_detail"))
    for infrastructure in listed:
        assertContains(response, infrastructure.name)

    response = client.post(
        reverse("access:brief_create"),
        FORM | {"to": [listed[0].pk, listed[2].pk]},
    )
    assertRedirects(response, reverse("access:request_sent"))
    requests = AccessRequest.objects.order_by("infrastructure__name")
    assert [r.infrastructure for r in requests] == [listed[0], listed[2]]
    assert len({r.brief for r in requests}) == 1


def test_brief_to_more_than_five_is_refused_with_a_message(client):
    listed = [make_infrastructure() for _ in range(6)]
    for infrastructure in listed:
        client.post(reverse("access:shortlist_add", args=[infrastructure.slug]))
    response = client.post(
        reverse("access:brief_create"), FORM | {"to": [i.pk for i in listed]}
    )
    assertContains(response, "Choose between 1 and 5 infrastructures", status_code=400)
    assertContains(response, "Fatigue tests on 12 printed brackets.", status_code=400)
    assert not AccessRequest.objects.exists()


def test_guest_shortlist_joins_the_account_at_sign_in(client):
    infrastructure = make_infrastructure()
    client.post(reverse("access:shortlist_add", args=[infrastructure.slug]))
    user = make_account()
    client.force_login(user)
    assertContains(client.get(reverse("access:shortlist_detail")), infrastructure.name)
    assert ShortlistEntry.objects.filter(user=user).count() == 1


def test_staff_flow_in_the_inbox(client, world):
    access_request = world["request"]
    client.force_login(world["users"]["manager"])
    url = _url("inbox_detail", world)
    response = client.post(url, {"action": "send_offer", "note": ""})
    assertContains(response, "Please fill in", status_code=400)
    response = client.post(
        url, {"action": "send_offer", "note": "2 days of testing, €3,400."}
    )
    assertRedirects(response, url)
    access_request.refresh_from_db()
    assert access_request.state == State.OFFER_SENT
    client.force_login(world["users"]["requester"])
    response = client.get(_url("request_detail", world))
    assertContains(response, "2 days of testing, €3,400.")
    assertContains(response, "Accept the offer")
    client.post(_url("request_detail", world), {"action": "accept"})
    access_request.refresh_from_db()
    assert access_request.state == State.ACCEPTED


def test_inbox_filters_by_state_infrastructure_and_age(client):
    first = make_infrastructure(name="Alpha lab")
    second = make_infrastructure(name="Beta lab")
    manager = make_staff(infrastructure=first)
    from accounts.models import InfrastructureMembership

    InfrastructureMembership.objects.create(
        user=manager, infrastructure=second, role="editor"
    )
    from datetime import timedelta

    from django.utils import timezone

    old = make_access_request(
        infrastructure=first,
        submitted_at=timezone.now() - timedelta(days=20),
        company_name="Old Co",
    )
    new = make_access_request(infrastructure=second, company_name="New Co")
    done = make_access_request(infrastructure=second, state="completed")
    client.force_login(manager)
    url = reverse("access:inbox")

    def shown(**params) -> set:
        return set(client.get(url, params).context["page"].object_list)

    assert shown() == {old, new}  # open requests by default
    assert shown(state="completed") == {done}
    assert shown(infrastructure=first.slug) == {old}
    assert shown(age="overdue") == {old}
    assert shown(age="7") == {new}
    assertContains(client.get(url), "Overdue")
    response = client.get(url, {"state": "nonsense", "age": "[]"})
    assert response.status_code == 200
    assertContains(response, "not understood")


@pytest.mark.parametrize("count", [1, 30])
def test_request_lists_make_a_fixed_number_of_queries(
    client, django_assert_num_queries, count
):
    infrastructure = make_infrastructure()
    manager = make_staff(infrastructure=infrastructure)
    sme = make_account()
    for _ in range(count):
        make_access_request(
            infrastructure=infrastructure,
            requester=sme,
            service=make_service(infrastructure=infrastructure),
        )
    client.force_login(manager)
    with django_assert_num_queries(6):
        assert client.get(reverse("access:inbox")).status_code == 200
    client.force_login(sme)
    with django_assert_num_queries(7):
        assert client.get(reverse("access:my_requests")).status_code == 200


def test_detail_page_shows_the_median_response_time_and_request_links(client):
    from datetime import timedelta

    from django.utils import timezone

    infrastructure = make_infrastructure()
    service = make_service(infrastructure=infrastructure)
    now = timezone.now()
    for hours in (5, 20, 30):
        make_access_request(
            infrastructure=infrastructure,
            submitted_at=now - timedelta(days=10),
            first_response_at=now - timedelta(days=10) + timedelta(hours=hours),
        )
    response = client.get(infrastructure.get_absolute_url())
    assertContains(response, "Usually answers within 20 hours")
    assertContains(
        response,
        reverse("access:request_create", args=[infrastructure.slug])
        + f"?service={service.slug}",
    )
