from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import mfa


def admin_mfa_required(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Send staff without an authenticator app to set one up before the admin.

    Partner admins and superusers can change every listing of a region, so with
    ``PORTAL_REQUIRE_ADMIN_MFA`` a password alone does not open the admin; RII
    staff read confidential access requests, so with ``PORTAL_REQUIRE_STAFF_MFA``
    it does not open the workspace or the inbox either. A privileged account
    enrols its first authenticator only after proving it reads its email.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return get_response(request)
        path = request.path
        if path == reverse("mfa_activate_totp"):
            if mfa.needs_email_proof(request, user):
                return redirect("accounts:mfa_enrolment_confirm")
        elif (
            path == reverse("account_email")
            and request.method == "POST"
            and mfa.is_privileged(user)
            and not mfa.has_authenticator(user)
        ):
            # Else a stolen password could add the thief's address, verify it and
            # receive the code that lets them enrol their authenticator.
            messages.error(
                request,
                _(
                    "Set up two-factor authentication before you change the email "
                    "addresses of this account."
                ),
            )
            return redirect("mfa_activate_totp")
        elif (
            settings.PORTAL_REQUIRE_ADMIN_MFA
            and user.is_staff
            and path.startswith(reverse("admin:index"))
            and not mfa.has_authenticator(user)
        ) or (
            settings.PORTAL_REQUIRE_STAFF_MFA
            and path.startswith(reverse("workspace:dashboard"))
            and mfa.is_rii_staff(user)
            and not mfa.has_authenticator(user)
        ):
            messages.warning(
                request,
                _(
                    "Set up two-factor authentication with an authenticator app "
                    "before you use this part of the portal."
                ),
            )
            return redirect("mfa_activate_totp")
        return get_response(request)

    return middleware
