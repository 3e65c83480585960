"""Who hears about what in the access-request workflow. Every email is queued in the
caller's transaction and sent after it commits."""

from collections.abc import Sequence
from typing import Any

from django.db.models import Q
from django.urls import reverse

from accounts.models import User
from notifications.services import email_queue, email_queue_to_users

from .models import AccessRequest, Message


def staff_of(access_request: AccessRequest, *, exclude: User | None = None):
    users = User.objects.filter(
        is_active=True,
        infrastructure_memberships__infrastructure=access_request.infrastructure_id,
    ).order_by("pk")
    return users.exclude(pk=exclude.pk) if exclude else users


def partner_admins_of(access_request: AccessRequest):
    code = access_request.infrastructure.region_id
    regions = Q()
    for length in range(2, len(code) + 1):
        regions |= Q(region_administrations__region_id=code[:length])
    return User.objects.filter(regions, is_active=True).distinct().order_by("pk")


def new_request(access_request: AccessRequest) -> None:
    _to_staff(access_request, "access/email/new_request")


def confirm_brief(requests: Sequence[AccessRequest], *, token: str) -> None:
    first = requests[0]
    email_queue(
        to=[first.contact_email],
        template="access/email/confirm",
        context={
            "requests": requests,
            "contact_name": first.contact_name,
            "confirm_path": reverse("access:request_confirm", args=[token]),
        },
        language=first.language or None,
    )


def state_changed(
    access_request: AccessRequest, *, actor: User | None, note: str, by_staff: bool
) -> None:
    context = {"note": note}
    if by_staff:
        _to_requester(access_request, "access/email/state_changed", context)
        _to_staff(access_request, "access/email/state_changed", context, but=actor)
    else:
        _to_staff(access_request, "access/email/state_changed", context)


def message_posted(message: Message) -> None:
    access_request = message.request
    context = {"message": message}
    if message.from_staff:
        if not message.internal:
            _to_requester(access_request, "access/email/message", context)
        _to_staff(access_request, "access/email/message", context, but=message.author)
    else:
        _to_staff(access_request, "access/email/message", context)


def reminder(access_request: AccessRequest) -> None:
    _to_staff(access_request, "access/email/reminder")


def escalation(access_request: AccessRequest) -> None:
    admins = partner_admins_of(access_request)
    if admins:
        email_queue_to_users(
            users=admins,
            template="access/email/escalation",
            context=_context(access_request, staff=True),
        )


def _context(access_request: AccessRequest, *, staff: bool, **extra) -> dict[str, Any]:
    path = (
        access_request.get_staff_url() if staff else access_request.get_absolute_url()
    )
    return {
        "request": access_request,
        "request_path": path,
        # A guest follows their requests online once they sign up with the address.
        "guest": not staff and access_request.requester_id is None,
        "signup_path": reverse("account_signup"),
        **extra,
    }


def _to_staff(
    access_request: AccessRequest,
    template: str,
    extra: dict[str, Any] | None = None,
    *,
    but: User | None = None,
) -> None:
    context = _context(access_request, staff=True, **(extra or {}))
    users = list(staff_of(access_request, exclude=but))
    if users:
        email_queue_to_users(users=users, template=template, context=context)
    elif but is None and access_request.infrastructure.contact_email:
        # No one manages the listing in the portal yet: its public contact hears.
        email_queue(
            to=[access_request.infrastructure.contact_email],
            template=template,
            context=context,
        )


def _to_requester(
    access_request: AccessRequest, template: str, extra: dict[str, Any]
) -> None:
    context = _context(access_request, staff=False, **extra)
    requester = access_request.requester
    if requester is not None and requester.is_active:
        email_queue_to_users(users=[requester], template=template, context=context)
    else:
        email_queue(
            to=[access_request.contact_email],
            template=template,
            context=context,
            language=access_request.language or None,
        )
