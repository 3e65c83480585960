from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


def admin_mfa_required(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Send staff without an authenticator app to set one up before the admin.

    Partner admins and superusers can change every listing of a region, so with
    ``PORTAL_REQUIRE_ADMIN_MFA`` a password alone does not open the admin.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.PORTAL_REQUIRE_ADMIN_MFA
            and user.is_authenticated
            and user.is_staff
            and request.path.startswith(reverse("admin:index"))
            and not Authenticator.objects.filter(
                user=user, type=Authenticator.Type.TOTP
            ).exists()
        ):
            messages.warning(
                request,
                _(
                    "Set up two-factor authentication with an authenticator app "
                    "before you use the administration."
                ),
            )
            return redirect("mfa_activate_totp")
        return get_response(request)

    return middleware
