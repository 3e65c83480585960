"""The life of a listing: one table of every status change, by its staff or by the
partner admins of its region, and the one service that applies it."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import permissions
from accounts.models import User
from accounts.permissions import MODERATOR, STAFF_ROLES
from notifications.services import email_queue_to_users

from ..completeness import missing_to_publish
from ..models import Infrastructure, ModerationAction, ModerationDecision
from . import history
from .changes import search_refresh_on_commit

Status = Infrastructure.Status
Action = ModerationAction
MODERATORS = frozenset({MODERATOR})


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    roles: frozenset[str]  # who may: staff roles, or MODERATOR
    label: str | Promise = ""
    stamps: tuple[str, ...] = ()  # date fields set to now
    message_required: bool = False  # the staff must be told why
    email_template: str = ""  # emailed to the staff with the message

    @property
    def is_decision(self) -> bool:
        """A partner admin's decision: recorded, and it ends the review."""
        return self.roles == MODERATORS


# Every status change of a listing: action -> from which statuses, to which one,
# who may, which dates it sets. Staff submit and confirm in the workspace; partner
# admins (and superusers) decide in the admin. A rejected submission is archived
# rather than sent back to draft: a draft is the staff's to resubmit at once, which
# is what "request changes" is for; a rejection ends the review.
TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(
        sources=frozenset({Status.DRAFT, Status.CHANGES_REQUESTED}),
        target=Status.PENDING,
        roles=STAFF_ROLES,
        label=_("Submit for review"),
    ),
    "confirm_accurate": Transition(
        sources=frozenset({Status.PUBLISHED}),
        target=Status.PUBLISHED,
        roles=STAFF_ROLES,
        label=_("Confirm still accurate"),
        stamps=("verified_at",),
    ),
    Action.APPROVE: Transition(
        sources=frozenset({Status.PENDING, Status.PUBLISHED}),
        target=Status.PUBLISHED,
        roles=MODERATORS,
        label=Action.APPROVE.label,
        stamps=("verified_at",),
    ),
    Action.REQUEST_CHANGES: Transition(
        sources=frozenset({Status.PENDING, Status.PUBLISHED}),
        target=Status.CHANGES_REQUESTED,
        roles=MODERATORS,
        label=Action.REQUEST_CHANGES.label,
        message_required=True,
        email_template="catalogue/email/changes_requested",
    ),
    Action.REJECT: Transition(
        sources=frozenset({Status.PENDING, Status.CHANGES_REQUESTED}),
        target=Status.ARCHIVED,
        roles=MODERATORS,
        label=Action.REJECT.label,
        message_required=True,
        email_template="catalogue/email/rejected",
    ),
    Action.ARCHIVE: Transition(
        sources=frozenset(
            {Status.DRAFT, Status.PENDING, Status.CHANGES_REQUESTED, Status.PUBLISHED}
        ),
        target=Status.ARCHIVED,
        roles=MODERATORS,
        label=Action.ARCHIVE.label,
    ),
    Action.REVERT: Transition(
        sources=frozenset({Status.PENDING, Status.CHANGES_REQUESTED, Status.PUBLISHED}),
        target=Status.PUBLISHED,
        roles=MODERATORS,
        label=Action.REVERT.label,
        stamps=("verified_at",),
    ),
}
# The partner admins' part of the table.
DECISIONS: dict[str, Transition] = {
    action: transition
    for action, transition in TRANSITIONS.items()
    if transition.is_decision
}
MESSAGE_REQUIRED = frozenset(
    action for action, transition in TRANSITIONS.items() if transition.message_required
)
NOT_ALLOWED = _("This cannot be done while the listing is “%(status)s”.")
NOT_ALLOWED_DECISION = _(
    "“%(action)s” is not possible while the listing is “%(status)s”."
)
MESSAGE_MISSING = _("Write a message telling the staff what to change and why.")
INCOMPLETE = _("Complete the listing first; it has no %(missing)s.")


def allowed_actions(
    infrastructure: Infrastructure, *, roles: Iterable[str] | None = None
) -> list[str]:
    """The actions the status of a listing allows (to ``roles``, if given), in table
    order; a revert needs an approved version."""
    held = None if roles is None else frozenset(roles)
    allowed = [
        action
        for action, transition in TRANSITIONS.items()
        if infrastructure.status in transition.sources
        and (held is None or transition.roles & held)
    ]
    if (
        Action.REVERT in allowed
        and history.last_approved_version(infrastructure) is None
    ):
        allowed.remove(Action.REVERT)
    return allowed


def allowed_decisions(infrastructure: Infrastructure) -> list[str]:
    """The partner admins' decisions the status of a listing allows."""
    return allowed_actions(infrastructure, roles=MODERATORS)


def infrastructure_transition(
    *,
    infrastructure: Infrastructure,
    action: str,
    user: User,
    message: str = "",
) -> ModerationDecision | None:
    """Move a listing through ``TRANSITIONS[action]``.

    Raise PermissionDenied unless ``user`` holds one of the transition's roles on
    the listing (its staff; a partner admin of its region), ValidationError if its
    status does not allow it or a required message is missing. A partner admin's
    decision is recorded (returned), ends the review (``changed_since_review``),
    saves the version with the action as its history reason, and emails the staff
    the message of a request for changes or a rejection.
    """
    transition = TRANSITIONS[action]
    message = message.strip()
    with transaction.atomic():
        current = Infrastructure.objects.select_for_update().get(pk=infrastructure.pk)
        if not transition.roles & permissions.listing_roles(user, current):
            raise PermissionDenied
        if current.status not in transition.sources:
            raise ValidationError(
                NOT_ALLOWED_DECISION if transition.is_decision else NOT_ALLOWED,
                params={
                    "action": transition.label,
                    "status": current.get_status_display(),
                },
                code="transition_not_allowed",
            )
        if transition.message_required and not message:
            raise ValidationError(MESSAGE_MISSING, code="message_required")
        missing = missing_to_publish(current)
        if transition.target in (Status.PENDING, Status.PUBLISHED) and missing:
            raise ValidationError(
                INCOMPLETE, params={"missing": ", ".join(missing)}, code="incomplete"
            )
        from_status = current.status
        if action == Action.REVERT:
            history.revert(current)
        now = timezone.now()
        current.status = transition.target
        for stamp in transition.stamps:
            setattr(current, stamp, now)
        decision = None
        if transition.is_decision:
            if current.status == Status.PUBLISHED and from_status != Status.PUBLISHED:
                current.published_at = now
            current.changed_since_review = False
            current._change_reason = action  # type: ignore[attr-defined]
            current._history_user = user  # type: ignore[attr-defined]
            current.save()
            decision = ModerationDecision.objects.create(
                infrastructure=current,
                decided_by=user,
                action=action,
                from_status=from_status,
                to_status=current.status,
                message=message,
            )
            if transition.email_template:
                _email_staff(decision, template=transition.email_template)
        else:
            current.save(update_fields=["status", *transition.stamps, "updated_at"])
        search_refresh_on_commit([current.pk])
    infrastructure.status = current.status
    return decision


def infrastructures_transition(
    *,
    infrastructures: Iterable[Infrastructure],
    action: str,
    user: User,
    message: str = "",
) -> tuple[int, list[str]]:
    """Apply one action to several listings; return how many took it and, for
    each listing that could not, why."""
    done, refused = 0, []
    for infrastructure in infrastructures:
        try:
            infrastructure_transition(
                infrastructure=infrastructure, action=action, user=user, message=message
            )
        except (ValidationError, PermissionDenied) as error:
            reason = (
                " ".join(error.messages)
                if isinstance(error, ValidationError)
                else _("You do not administer its region.")
            )
            refused.append(f"{infrastructure}: {reason}")
        else:
            done += 1
    return done, refused


def transition_summary(action: str, done: int) -> str:
    return ngettext(
        "%(action)s: %(count)d listing.", "%(action)s: %(count)d listings.", done
    ) % {"action": TRANSITIONS[action].label, "count": done}


def _email_staff(decision: ModerationDecision, *, template: str) -> None:
    infrastructure = decision.infrastructure
    staff = User.objects.filter(
        infrastructure_memberships__infrastructure=infrastructure, is_active=True
    )
    email_queue_to_users(
        users=staff,
        template=template,
        context={
            "infrastructure_name": infrastructure.name,
            "infrastructure_slug": infrastructure.slug,
            "message": decision.message,
            "status": infrastructure.get_status_display(),
        },
    )
