import re
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from access import services
from access.models import AccessRequest, Event, State
from access.querysets import add_working_days
from tests.factories import (
    make_access_request,
    make_account,
    make_infrastructure,
    make_partner_admin,
    make_service,
    make_staff,
)

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
REQUEST_DATA = {
    "need": "Fatigue tests on 12 printed brackets.",
    "timeframe": "3m",
    "budget_band": "5k-20k",
    "company_name": "Acme Additive Srl",
    "contact_name": "Giulia Rossi",
    "contact_email": "giulia@acme.example",
    "contact_phone": "",
    "consent_share": True,
    "privacy_accepted": True,
}

# Who may do what from each state: written out here, independently of the table in
# the service, so a change to the workflow has to change both.
ALLOWED = {
    "unconfirmed": {"system": {"confirm", "expire"}},
    "submitted": {
        "staff": {"start_review", "request_information", "send_offer", "decline"},
        "requester": {"withdraw"},
    },
    "in_review": {
        "staff": {"request_information", "send_offer", "decline"},
        "requester": {"withdraw"},
    },
    "needs_information": {
        "staff": {"send_offer", "decline"},
        "requester": {"provide_information", "withdraw"},
    },
    "offer_sent": {"staff": {"decline"}, "requester": {"accept", "withdraw"}},
    "accepted": {"staff": {"start_work"}, "requester": {"withdraw"}},
    "in_progress": {"staff": {"complete"}},
    "completed": {},
    "declined": {},
    "withdrawn": {},
    "expired": {},
}
ROLES = [
    "staff",
    "editor",
    "requester",
    "other_staff",
    "partner_admin",
    "sme",
    "system",
]


def _actor(role: str, access_request: AccessRequest):
    infrastructure = access_request.infrastructure
    return {
        "staff": lambda: make_staff(infrastructure=infrastructure),
        "editor": lambda: make_staff(infrastructure=infrastructure, role="editor"),
        "requester": lambda: access_request.requester,
        "other_staff": lambda: make_staff(infrastructure=make_infrastructure()),
        "partner_admin": lambda: make_partner_admin(region="ITH5"),
        "sme": lambda: make_account(),
        "system": lambda: None,
    }[role]()


@pytest.mark.parametrize("state", list(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_transition_table_allows_exactly_the_expected_actions(state, role):
    table_role = {"editor": "staff"}.get(role, role)
    expected = ALLOWED[state].get(table_role, set())
    for action in services.TRANSITIONS:
        access_request = make_access_request(requester=make_account(), state=state)
        actor = _actor(role, access_request)
        try:
            moved = services.access_request_transition(
                access_request=access_request, action=action, user=actor, note="Why."
            )
        except (PermissionDenied, ValidationError):
            assert action not in expected, f"{role} could not {action} from {state}"
            access_request.refresh_from_db()
            assert access_request.state == state
            assert not access_request.events.exists()
        else:
            assert action in expected, f"{role} could {action} from {state}"
            assert moved.state == services.TRANSITIONS[action].target
            event = Event.objects.get(request=access_request)
            assert (event.actor, event.from_state, event.to_state, event.note) == (
                actor,
                state,
                moved.state,
                "Why.",
            )


@pytest.mark.parametrize("action", ["request_information", "send_offer", "decline"])
def test_actions_that_answer_need_a_note(action):
    access_request = make_access_request(requester=make_account())
    staff = make_staff(infrastructure=access_request.infrastructure)
    with pytest.raises(ValidationError) as error:
        services.access_request_transition(
            access_request=access_request, action=action, user=staff, note="  "
        )
    assert "note" in error.value.message_dict
    access_request.refresh_from_db()
    assert access_request.state == State.SUBMITTED


def test_decline_keeps_the_reason_and_counts_as_a_first_response():
    access_request = make_access_request(requester=make_account())
    staff = make_staff(infrastructure=access_request.infrastructure)
    services.access_request_transition(
        access_request=access_request,
        action="decline",
        user=staff,
        note="Our furnace is out of service until March.",
    )
    access_request.refresh_from_db()
    assert access_request.decline_reason == "Our furnace is out of service until March."
    assert access_request.first_response_at is not None


def test_signed_in_request_goes_to_every_staff_member_in_their_language(queued):
    infrastructure = make_infrastructure()
    manager = make_staff(infrastructure=infrastructure)
    editor = make_staff(infrastructure=infrastructure, role="editor")
    editor.preferred_language = "it"
    editor.save()
    sme = make_account(email="giulia@acme.example")
    service = make_service(infrastructure=infrastructure)

    (access_request,) = services.access_request_create(
        infrastructures=[infrastructure],
        data=REQUEST_DATA | {"service": service},
        user=sme,
    )

    assert access_request.state == State.SUBMITTED
    assert access_request.submitted_at is not None
    assert access_request.response_due_at is not None
    assert access_request.response_due_at > access_request.submitted_at
    emails = queued()
    assert sorted(to for to, _subject in emails) == sorted(
        [[manager.email], [editor.email]]
    )
    assert all(access_request.reference in subject for _to, subject in emails)
    from notifications.models import OutgoingEmail

    assert OutgoingEmail.objects.get(to=[editor.email]).language == "it"
    assert service.name in OutgoingEmail.objects.get(to=[manager.email]).body


def test_request_to_a_listing_without_staff_goes_to_its_public_contact(queued):
    infrastructure = make_infrastructure(contact_email="lab@uni.example")
    services.access_request_create(
        infrastructures=[infrastructure], data=REQUEST_DATA, user=make_account()
    )
    assert [to for to, _subject in queued()] == [["lab@uni.example"]]


def test_guest_request_waits_for_confirmation_then_reaches_the_staff(queued):
    infrastructure = make_infrastructure()
    manager = make_staff(infrastructure=infrastructure)

    (access_request,) = services.access_request_create(
        infrastructures=[infrastructure], data=REQUEST_DATA, user=None, language="en"
    )

    assert access_request.state == State.UNCONFIRMED
    assert access_request.submitted_at is None
    assert queued() == [
        (["giulia@acme.example"], "[RII portal] Please confirm your access request")
    ]
    # The link the guest follows, from the email (a token made now may carry a
    # later second than the one sent).
    link = re.search(r"/requests/confirm/([^/\s]+)/", _last_body())
    assert link, _last_body()
    token = link.group(1)

    services.access_request_confirm(token=token)

    access_request.refresh_from_db()
    assert access_request.state == State.SUBMITTED
    assert access_request.submitted_at is not None
    assert queued()[-1][0] == [manager.email]
    with pytest.raises(ValidationError, match="already confirmed"):
        services.access_request_confirm(token=token)


def test_confirmation_link_expires_after_seven_days():
    (access_request,) = services.access_request_create(
        infrastructures=[make_infrastructure()], data=REQUEST_DATA, user=None
    )
    token = services.confirmation_token(access_request.brief)
    eight_days = timedelta(days=8).total_seconds()
    with (
        mock.patch("django.core.signing.time.time", return_value=_now() + eight_days),
        pytest.raises(ValidationError, match="expired"),
    ):
        services.access_request_confirm(token=token)


def test_forged_confirmation_link_is_refused():
    with pytest.raises(ValidationError, match="not valid"):
        services.access_request_confirm(token="not-a-token")


def test_unconfirmed_requests_expire_after_seven_days_and_never_reach_the_staff(
    queued,
):
    infrastructure = make_infrastructure()
    make_staff(infrastructure=infrastructure)
    (old,) = services.access_request_create(
        infrastructures=[infrastructure], data=REQUEST_DATA, user=None
    )
    (recent,) = services.access_request_create(
        infrastructures=[infrastructure], data=REQUEST_DATA, user=None
    )
    AccessRequest.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=7, minutes=1)
    )

    assert services.access_requests_expire() == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.state, recent.state) == (State.EXPIRED, State.UNCONFIRMED)
    assert all("confirm" in subject for _to, subject in queued())
    with pytest.raises(ValidationError):
        services.access_request_confirm(token=services.confirmation_token(old.brief))


def test_one_brief_makes_one_request_per_infrastructure_with_one_attachment():
    infrastructures = [make_infrastructure() for _ in range(3)]
    pdf = SimpleUploadedFile("spec.pdf", b"%PDF-1.4\n...\n%%EOF", "application/pdf")

    requests = services.access_request_create(
        infrastructures=infrastructures,
        data=REQUEST_DATA,
        user=make_account(),
        attachment=pdf,
    )

    assert [r.infrastructure for r in requests] == infrastructures
    assert len({r.brief for r in requests}) == 1
    assert len({r.attachment.name for r in requests}) == 1
    assert requests[2].attachment.open("rb").read().startswith(b"%PDF-1.4")


def test_a_brief_goes_to_at_most_five_infrastructures():
    with pytest.raises(ValidationError):
        services.access_request_create(
            infrastructures=[make_infrastructure() for _ in range(6)],
            data=REQUEST_DATA,
            user=make_account(),
        )
    assert not AccessRequest.objects.exists()


def test_guest_who_signs_up_with_the_same_address_sees_their_confirmed_requests():
    (confirmed,) = services.access_request_create(
        infrastructures=[make_infrastructure()], data=REQUEST_DATA, user=None
    )
    services.access_request_confirm(token=services.confirmation_token(confirmed.brief))
    services.access_request_create(
        infrastructures=[make_infrastructure()], data=REQUEST_DATA, user=None
    )
    someone_else = make_access_request()

    user = make_account(email="Giulia@Acme.example")

    assert list(AccessRequest.objects.for_requester(user)) == [confirmed]
    assert someone_else not in AccessRequest.objects.for_requester(user)
    assert "requester" in services.roles_of(user=user, access_request=confirmed)


def test_staff_message_is_a_first_response_but_an_internal_note_is_not(queued):
    sme = make_account()
    access_request = make_access_request(requester=sme)
    manager = make_staff(infrastructure=access_request.infrastructure)
    colleague = make_staff(infrastructure=access_request.infrastructure)

    services.message_post(
        access_request=access_request, user=manager, body="Looks odd.", internal=True
    )
    access_request.refresh_from_db()
    assert access_request.first_response_at is None
    assert [to for to, _subject in queued()] == [[colleague.email]]

    services.message_post(
        access_request=access_request, user=manager, body="Which alloy?"
    )
    access_request.refresh_from_db()
    assert access_request.first_response_at is not None
    assert sorted(to for to, _subject in queued()[1:]) == sorted(
        [[sme.email], [colleague.email]]
    )


def test_sme_cannot_write_internal_notes_and_strangers_cannot_write_at_all():
    requester = make_account()
    access_request = make_access_request(requester=requester)
    with pytest.raises(PermissionDenied):
        services.message_post(
            access_request=access_request,
            user=requester,
            body="Hidden?",
            internal=True,
        )
    with pytest.raises(PermissionDenied):
        services.message_post(
            access_request=access_request, user=make_account(), body="Hello"
        )
    assert not access_request.messages.exists()


def test_sme_answer_to_a_question_puts_the_request_back_in_review():
    requester = make_account()
    access_request = make_access_request(requester=requester, state="needs_information")
    services.message_post(
        access_request=access_request,
        user=requester,
        body="Ti-6Al-4V, 12 samples.",
    )
    access_request.refresh_from_db()
    assert access_request.state == State.IN_REVIEW
    assert access_request.events.get().action == "provide_information"


def test_working_days_skip_weekends():
    friday = datetime(2026, 11, 20, 10, 0, tzinfo=BRUSSELS)
    assert add_working_days(friday, 1) == datetime(2026, 11, 23, 10, 0, tzinfo=BRUSSELS)
    assert add_working_days(friday, 5) == datetime(2026, 11, 27, 10, 0, tzinfo=BRUSSELS)
    assert add_working_days(friday, 10) == datetime(2026, 12, 4, 10, 0, tzinfo=BRUSSELS)


def test_unanswered_requests_remind_staff_after_5_and_tell_partner_admins_after_10(
    queued,
):
    infrastructure = make_infrastructure(region="ITH55")
    manager = make_staff(infrastructure=infrastructure)
    admin = make_partner_admin(region="ITH5")
    make_partner_admin(region="NL41")
    now = timezone.now()
    six_days = make_access_request(
        infrastructure=infrastructure, submitted_at=now - timedelta(days=9)
    )
    eleven_days = make_access_request(
        infrastructure=infrastructure, submitted_at=now - timedelta(days=16)
    )
    answered = make_access_request(
        infrastructure=infrastructure,
        submitted_at=now - timedelta(days=16),
        first_response_at=now - timedelta(days=15),
    )
    fresh = make_access_request(infrastructure=infrastructure)

    assert services.access_requests_remind() == (2, 1)
    assert services.access_requests_remind() == (0, 0)

    emails = queued()
    reminders = [to for to, subject in emails if "Reminder" in subject]
    escalations = [(to, s) for to, s in emails if "Unanswered" in s]
    assert reminders == [[manager.email], [manager.email]]
    assert (
        escalations == [([admin.email], escalations[0][1])]
        and eleven_days.reference in escalations[0][1]
    )
    assert six_days.reference not in escalations[0][1]
    assert set(AccessRequest.objects.overdue()) == {six_days, eleven_days}
    assert answered not in AccessRequest.objects.overdue()
    assert fresh not in AccessRequest.objects.overdue()


def test_median_response_time_shows_from_three_requests():
    infrastructure = make_infrastructure()
    now = timezone.now()
    for hours in (1, 2):
        make_access_request(
            infrastructure=infrastructure,
            submitted_at=now - timedelta(days=3),
            first_response_at=now - timedelta(days=3) + timedelta(hours=hours),
        )
    make_access_request(  # more than a year ago: not counted
        infrastructure=infrastructure,
        submitted_at=now - timedelta(days=400),
        first_response_at=now - timedelta(days=399),
    )
    assert infrastructure.access_requests.median_first_response() is None

    make_access_request(
        infrastructure=infrastructure,
        submitted_at=now - timedelta(days=2),
        first_response_at=now - timedelta(days=2) + timedelta(hours=10),
    )
    assert infrastructure.access_requests.median_first_response() == timedelta(hours=2)


def _now() -> float:
    import time

    return time.time()


def _last_body() -> str:
    from notifications.models import OutgoingEmail

    return OutgoingEmail.objects.latest("pk").body


def test_closing_an_account_withdraws_open_requests_and_forgets_the_contact():
    from accounts.personal_data import user_data_export
    from accounts.services import user_delete

    sme = make_account(email="giulia@acme.example")
    open_request = make_access_request(requester=sme, contact_phone="+39 051 1")
    done = make_access_request(requester=sme, state="completed")
    (as_guest,) = services.access_request_create(
        infrastructures=[make_infrastructure()], data=REQUEST_DATA, user=None
    )
    services.access_request_confirm(token=services.confirmation_token(as_guest.brief))
    exported = user_data_export(user=sme)
    assert {r["reference"] for r in exported["access_requests"]} == {
        open_request.reference,
        done.reference,
        as_guest.reference,
    }

    user_delete(user=sme)

    for access_request in (open_request, done, as_guest):
        access_request.refresh_from_db()
        assert access_request.contact_email == sme.email  # the anonymised address
        assert "giulia" not in access_request.contact_email
        assert access_request.contact_phone == ""
        assert access_request.need  # the infrastructure keeps what was asked
    assert (open_request.state, done.state, as_guest.state) == (
        State.WITHDRAWN,
        State.COMPLETED,
        State.WITHDRAWN,
    )


def test_housekeeping_command_expires_and_reminds():
    from io import StringIO

    from django.core.management import call_command

    infrastructure = make_infrastructure()
    make_staff(infrastructure=infrastructure)
    make_access_request(
        infrastructure=infrastructure, submitted_at=timezone.now() - timedelta(days=9)
    )
    stale = make_access_request(state="unconfirmed")
    AccessRequest.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - timedelta(days=8)
    )
    out = StringIO()
    call_command("access_housekeeping", stdout=out)
    assert out.getvalue().strip() == "1 expired, 1 reminders, 0 escalations."
    stale.refresh_from_db()
    assert stale.state == State.EXPIRED
