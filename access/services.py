"""Writes of the access-request workflow: asking, confirming, answering, reminding."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.models import User
from catalogue.models import Infrastructure

from . import notify
from .models import AccessRequest, Event, Message, ShortlistEntry, State
from .querysets import ESCALATION_WORKING_DAYS, REMINDER_WORKING_DAYS, add_working_days

MAX_INFRASTRUCTURES_PER_BRIEF = 5
CONFIRMATION_VALIDITY = timedelta(days=7)
_CONFIRMATION_SALT = "access.confirm-brief"

# Who may act on a request: the infrastructure's staff (managers and editors), the
# SME who asked, or the portal itself (a guest's confirmation link, expiry).
STAFF = "staff"
REQUESTER = "requester"
SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    label: Any
    note_label: Any = None  # set when the action needs a note (a reason, an offer)
    style: str = "primary"
    # False for a transition made by another action (the SME's reply to a question).
    button: bool = True


_ANSWERABLE = frozenset({State.SUBMITTED, State.IN_REVIEW, State.NEEDS_INFORMATION})

# The whole workflow: action -> from which states, to which one, who may.
TRANSITIONS: dict[str, Transition] = {
    "confirm": Transition(
        frozenset({State.UNCONFIRMED}),
        State.SUBMITTED,
        frozenset({SYSTEM}),
        _("Confirm"),
    ),
    "expire": Transition(
        frozenset({State.UNCONFIRMED}),
        State.EXPIRED,
        frozenset({SYSTEM}),
        _("Expire"),
    ),
    "start_review": Transition(
        frozenset({State.SUBMITTED}),
        State.IN_REVIEW,
        frozenset({STAFF}),
        _("Start review"),
    ),
    "request_information": Transition(
        frozenset({State.SUBMITTED, State.IN_REVIEW}),
        State.NEEDS_INFORMATION,
        frozenset({STAFF}),
        _("Ask for information"),
        note_label=_("What do you need to know?"),
        style="secondary",
    ),
    "provide_information": Transition(
        frozenset({State.NEEDS_INFORMATION}),
        State.IN_REVIEW,
        frozenset({REQUESTER}),
        _("Send the information"),
        button=False,
    ),
    "send_offer": Transition(
        _ANSWERABLE,
        State.OFFER_SENT,
        frozenset({STAFF}),
        _("Send an offer"),
        note_label=_("The offer: what you will do, when, and at what cost"),
    ),
    "accept": Transition(
        frozenset({State.OFFER_SENT}),
        State.ACCEPTED,
        frozenset({REQUESTER}),
        _("Accept the offer"),
        style="success",
    ),
    "start_work": Transition(
        frozenset({State.ACCEPTED}),
        State.IN_PROGRESS,
        frozenset({STAFF}),
        _("Start the work"),
    ),
    "complete": Transition(
        frozenset({State.IN_PROGRESS}),
        State.COMPLETED,
        frozenset({STAFF}),
        _("Mark as completed"),
        style="success",
    ),
    "decline": Transition(
        _ANSWERABLE | {State.OFFER_SENT},
        State.DECLINED,
        frozenset({STAFF}),
        _("Decline"),
        note_label=_("Why the request is declined"),
        style="outline-danger",
    ),
    "withdraw": Transition(
        _ANSWERABLE | {State.OFFER_SENT, State.ACCEPTED},
        State.WITHDRAWN,
        frozenset({REQUESTER}),
        _("Withdraw the request"),
        style="outline-danger",
    ),
}


def roles_of(*, user: User | None, access_request: AccessRequest) -> frozenset[str]:
    """The roles ``user`` holds on ``access_request``: staff, requester, both or none."""
    roles = set()
    if permissions.staffs_listing(user, access_request.infrastructure_id):
        roles.add(STAFF)
    if permissions.is_requester(
        user,
        requester_id=access_request.requester_id,
        contact_email=access_request.contact_email,
    ):
        roles.add(REQUESTER)
    return frozenset(roles)


def available_actions(
    *, access_request: AccessRequest, roles: frozenset[str]
) -> dict[str, Transition]:
    """The transitions ``roles`` may make from the request's current state."""
    return {
        action: transition
        for action, transition in TRANSITIONS.items()
        if transition.button
        and access_request.state in transition.sources
        and roles & transition.roles
    }


def access_request_create(
    *,
    infrastructures: Sequence[Infrastructure],
    data: dict[str, Any],
    user: User | None,
    language: str = "",
    attachment: UploadedFile | None = None,
) -> list[AccessRequest]:
    """Store one request per infrastructure for the same brief. A signed-in user's
    requests go to the infrastructures at once; a guest's wait, unconfirmed, until the
    link emailed to them is followed."""
    if not 1 <= len(infrastructures) <= MAX_INFRASTRUCTURES_PER_BRIEF:
        raise ValidationError(
            _("Send a request to between 1 and %(max)d infrastructures."),
            params={"max": MAX_INFRASTRUCTURES_PER_BRIEF},
            code="brief_size",
        )
    brief = uuid.uuid4()
    state = State.SUBMITTED if user else State.UNCONFIRMED
    requests: list[AccessRequest] = []
    with transaction.atomic():
        for infrastructure in infrastructures:
            access_request = AccessRequest(
                infrastructure=infrastructure,
                requester=user,
                brief=brief,
                language=language,
                state=state,
                **data,
            )
            if attachment is not None:
                if requests:  # one stored file for the whole brief
                    access_request.attachment.name = requests[0].attachment.name
                else:
                    assert attachment.name is not None  # an upload has a name
                    access_request.attachment.save(
                        attachment.name, attachment, save=False
                    )
            if user:
                _stamp_submission(access_request, timezone.now())
            access_request.full_clean()
            access_request.save()
            Event.objects.create(
                request=access_request,
                actor=user,
                action="create",
                from_state=state,
                to_state=state,
            )
            requests.append(access_request)
        if user:
            for access_request in requests:
                notify.new_request(access_request)
        else:
            notify.confirm_brief(requests, token=confirmation_token(brief))
    return requests


def confirmation_token(brief: uuid.UUID) -> str:
    return signing.dumps(str(brief), salt=_CONFIRMATION_SALT, compress=True)


def access_request_confirm(*, token: str) -> list[AccessRequest]:
    """Send a guest's brief on to its infrastructures. Raise ValidationError if the
    link is forged, expired or already used."""
    try:
        brief = signing.loads(
            token,
            salt=_CONFIRMATION_SALT,
            max_age=CONFIRMATION_VALIDITY,
        )
    except signing.SignatureExpired as error:
        raise ValidationError(
            _("This confirmation link has expired. Please send your request again."),
            code="expired",
        ) from error
    except signing.BadSignature as error:
        raise ValidationError(
            _("This confirmation link is not valid."), code="invalid"
        ) from error
    with transaction.atomic():
        pending = list(
            AccessRequest.objects.select_for_update()
            .filter(brief=brief, state=State.UNCONFIRMED)
            .order_by("pk")
        )
        if not pending:
            raise ValidationError(
                _("This request was already confirmed or has expired."),
                code="used",
            )
        return [
            access_request_transition(access_request=r, action="confirm", user=None)
            for r in pending
        ]


def access_request_transition(
    *,
    access_request: AccessRequest,
    action: str,
    user: User | None,
    note: str = "",
) -> AccessRequest:
    """Move a request through ``TRANSITIONS[action]``, if its state and the roles of
    ``user`` allow it (``user`` None is the portal itself). Record the event and tell
    the other side."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(_("Unknown action."), code="unknown_action")
    note = note.strip()
    with transaction.atomic():
        current = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
        roles = (
            frozenset({SYSTEM})
            if user is None
            else roles_of(user=user, access_request=current)
        )
        if not roles & transition.roles:
            raise PermissionDenied
        if current.state not in transition.sources:
            raise ValidationError(
                _("This cannot be done while the request is “%(state)s”."),
                params={"state": current.get_state_display()},
                code="transition_not_allowed",
            )
        if transition.note_label and not note:
            raise ValidationError(
                {
                    "note": _("Please fill in: %(what)s.")
                    % {"what": transition.note_label}
                }
            )
        previous = current.state
        now = timezone.now()
        current.state = transition.target
        if action == "confirm":
            _stamp_submission(current, now)
        if action == "decline":
            current.decline_reason = note
        acting_as_staff = STAFF in roles and STAFF in transition.roles
        if acting_as_staff and current.first_response_at is None:
            current.first_response_at = now
        current.full_clean()
        current.save()
        Event.objects.create(
            request=current,
            actor=user,
            action=action,
            from_state=previous,
            to_state=current.state,
            note=note,
        )
        if action == "confirm":
            notify.new_request(current)
        elif action != "expire":
            notify.state_changed(
                current, actor=user, note=note, by_staff=acting_as_staff
            )
    return current


def message_post(
    *,
    access_request: AccessRequest,
    user: User,
    body: str,
    internal: bool = False,
    attachment: UploadedFile | None = None,
) -> Message:
    """Add a message to the request's thread and tell the other side; an internal
    note is shown and sent to the infrastructure's staff only. The SME's reply to a
    question moves the request back into review."""
    roles = roles_of(user=user, access_request=access_request)
    if not roles:
        raise PermissionDenied
    from_staff = STAFF in roles
    if internal and not from_staff:
        raise PermissionDenied
    with transaction.atomic():
        current = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
        if current.state in (State.UNCONFIRMED, State.EXPIRED):
            raise ValidationError(
                _("This request has not reached the infrastructure."), code="closed"
            )
        message = Message(
            request=current,
            author=user,
            from_staff=from_staff,
            internal=internal,
            body=body.strip(),
        )
        if attachment is not None:
            assert attachment.name is not None  # an upload has a name
            message.attachment.save(attachment.name, attachment, save=False)
        message.full_clean()
        message.save()
        if from_staff and not internal and current.first_response_at is None:
            current.first_response_at = timezone.now()
            current.save(update_fields=["first_response_at", "updated_at"])
        notify.message_posted(message)
        if (
            not from_staff
            and current.state == State.NEEDS_INFORMATION
            and REQUESTER in roles
        ):
            access_request_transition(
                access_request=current, action="provide_information", user=user
            )
    return message


def access_requests_expire(*, now: datetime | None = None) -> int:
    """Expire guests' requests left unconfirmed for ``CONFIRMATION_VALIDITY``."""
    cutoff = (now or timezone.now()) - CONFIRMATION_VALIDITY
    stale = AccessRequest.objects.filter(
        state=State.UNCONFIRMED, created_at__lt=cutoff
    ).order_by("pk")
    count = 0
    for access_request in stale.iterator():
        access_request_transition(
            access_request=access_request, action="expire", user=None
        )
        count += 1
    return count


def access_requests_remind(*, now: datetime | None = None) -> tuple[int, int]:
    """Remind the staff of requests unanswered after ``REMINDER_WORKING_DAYS``
    working days, and tell the region's partner admins after
    ``ESCALATION_WORKING_DAYS``. Each is sent once per request. Return the counts."""
    now = now or timezone.now()
    reminded = escalated = 0
    unanswered = AccessRequest.objects.awaiting_first_response()
    for access_request in unanswered.filter(
        response_due_at__lt=now, reminded_at__isnull=True
    ).with_list_relations():
        with transaction.atomic():
            access_request.reminded_at = now
            access_request.save(update_fields=["reminded_at", "updated_at"])
            notify.reminder(access_request)
        reminded += 1
    for access_request in unanswered.filter(
        escalation_due_at__lt=now, escalated_at__isnull=True
    ).with_list_relations():
        with transaction.atomic():
            access_request.escalated_at = now
            access_request.save(update_fields=["escalated_at", "updated_at"])
            notify.escalation(access_request)
        escalated += 1
    return reminded, escalated


def _stamp_submission(access_request: AccessRequest, now: datetime) -> None:
    access_request.submitted_at = now
    access_request.response_due_at = add_working_days(now, REMINDER_WORKING_DAYS)
    access_request.escalation_due_at = add_working_days(now, ESCALATION_WORKING_DAYS)


def requester_forget(*, user: User, anonymous_email: str) -> int:
    """Withdraw a departing user's open requests and strip their contact details from
    all of them; the infrastructures keep what was asked. Return how many."""
    mine = list(AccessRequest.objects.for_requester(user).order_by("pk"))
    mine += AccessRequest.objects.filter(
        requester=user, state__in=(State.UNCONFIRMED, State.EXPIRED)
    )
    for access_request in mine:
        if "withdraw" in available_actions(
            access_request=access_request, roles=frozenset({REQUESTER})
        ):
            access_request_transition(
                access_request=access_request,
                action="withdraw",
                user=user,
                note=str(_("The requester closed their account.")),
            )
    ShortlistEntry.objects.filter(user=user).delete()
    return AccessRequest.objects.filter(pk__in=[r.pk for r in mine]).update(
        requester=user,
        contact_name=_("Deleted user"),
        contact_email=anonymous_email,
        contact_phone="",
        updated_at=timezone.now(),
    )
