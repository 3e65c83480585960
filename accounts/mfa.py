"""Two-factor enrolment of privileged accounts.

Who must set up an authenticator app, and the code emailed to the account's
verified address that must be entered before a privileged account enrols its
first authenticator: a stolen password alone must not let an attacker add their
own authenticator. The email is also the account owner's notice, sent before
anything is enrolled.
"""

import secrets
import time
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from notifications.services import email_queue

from .models import InfrastructureMembership, RegionAdministration, User

CODE_VALIDITY = timedelta(minutes=10)
# How long a confirmed session may take to finish the enrolment.
CONFIRMATION_VALIDITY = timedelta(minutes=30)
MAX_ATTEMPTS = 5
# Codes one account may ask for per window (each is an email to the owner).
SENDS_PER_WINDOW = 3
SEND_WINDOW = timedelta(minutes=10)

_PENDING = "accounts.mfa_email_code"
_CONFIRMED = "accounts.mfa_email_confirmed"


class MfaEmailCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the email"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )


def has_authenticator(user: User) -> bool:
    return Authenticator.objects.filter(
        user=user, type=Authenticator.Type.TOTP
    ).exists()


def is_rii_staff(user: User) -> bool:
    """Staff of a listing, who read its confidential access requests."""
    return InfrastructureMembership.objects.filter(user=user).exists()


def is_privileged(user: User) -> bool:
    """Accounts whose first authenticator needs the emailed proof: admin users
    (partner admins, superusers) and, when ``PORTAL_REQUIRE_STAFF_MFA`` is on,
    RII staff."""
    return (
        user.is_superuser
        or user.is_staff
        or RegionAdministration.objects.filter(user=user).exists()
        or (settings.PORTAL_REQUIRE_STAFF_MFA and is_rii_staff(user))
    )


def is_email_confirmed(request: HttpRequest) -> bool:
    mark = request.session.get(_CONFIRMED)
    return (
        isinstance(mark, dict)
        and mark.get("user") == request.user.pk
        and mark.get("until", 0) > time.time()
    )


def needs_email_proof(request: HttpRequest, user: User) -> bool:
    return (
        is_privileged(user)
        and not has_authenticator(user)
        and not is_email_confirmed(request)
    )


def verified_address(user: User) -> str | None:
    """The account's verified primary address (else another verified one)."""
    address = (
        EmailAddress.objects.filter(user=user, verified=True)
        .order_by("-primary", "pk")
        .values_list("email", flat=True)
        .first()
    )
    return address


def _digest(code: str) -> str:
    return salted_hmac("accounts.mfa.email_code", code, algorithm="sha256").hexdigest()


def mfa_email_code_send(*, request: HttpRequest, user: User) -> bool:
    """Email a new six-digit code to ``user``'s verified address, replacing any
    earlier one; False (and nothing sent) when the account asked for too many
    codes lately or has no verified address."""
    address = verified_address(user)
    if address is None:
        return False
    key = f"accounts:mfa-email-code-sends:{user.pk}"
    window = int(SEND_WINDOW.total_seconds())
    cache.add(key, 0, window)
    if cache.incr(key) > SENDS_PER_WINDOW:
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    request.session[_PENDING] = {
        "user": user.pk,
        "digest": _digest(code),
        "until": time.time() + CODE_VALIDITY.total_seconds(),
        "attempts": 0,
    }
    email_queue(
        to=[address],
        template="accounts/email/mfa_enrolment",
        context={
            "code": code,
            "valid_minutes": int(CODE_VALIDITY.total_seconds() // 60),
            "password_link": settings.PORTAL_SITE_URL.rstrip("/")
            + reverse("account_change_password"),
        },
        language=user.preferred_language or None,
    )
    return True


def mfa_email_code_check(*, request: HttpRequest, user: User, code: str) -> None:
    """Mark the session as confirmed by email if ``code`` is the pending one.

    Raises ValidationError (codes ``missing``, ``expired``, ``too_many``,
    ``incorrect``) otherwise. A code works once, in the session it was asked
    for, for ``CODE_VALIDITY``; after ``MAX_ATTEMPTS`` wrong ones it is dropped.
    """
    pending = request.session.get(_PENDING)
    if not isinstance(pending, dict) or pending.get("user") != user.pk:
        raise ValidationError(
            _("This code is not valid any more. Ask for a new code."),
            code="missing",
        )
    if pending["until"] <= time.time():
        del request.session[_PENDING]
        raise ValidationError(
            _("This code has expired. Ask for a new code."), code="expired"
        )
    if not constant_time_compare(_digest(code.strip()), pending["digest"]):
        pending["attempts"] += 1
        if pending["attempts"] >= MAX_ATTEMPTS:
            del request.session[_PENDING]
            raise ValidationError(
                _("Too many incorrect codes. Ask for a new code."), code="too_many"
            )
        request.session[_PENDING] = pending
        raise ValidationError(_("This code is incorrect."), code="incorrect")
    del request.session[_PENDING]
    request.session[_CONFIRMED] = {
        "user": user.pk,
        "until": time.time() + CONFIRMATION_VALIDITY.total_seconds(),
    }
