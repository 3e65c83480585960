"""django-allauth's hooks: its emails go through the portal's outbox, with links
to PORTAL_SITE_URL, never to the host a request named; failed sign-ins are counted
per address and client IP; the client IP comes from X-Forwarded-For only when a
trusted proxy sent the request; after signing in each person lands where their
work is."""

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailConfirmation
from allauth.core import context as allauth_context
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from notifications.services import (
    email_language,
    email_queue_message,
    language_of_address,
)

from .models import InfrastructureMembership, RegionAdministration, User
from .permissions import requested_by_q


def site_url(url: str) -> str:
    """``url`` (absolute or a path) on the portal's public address."""
    bits = urlsplit(url)
    path = bits.path + (f"?{bits.query}" if bits.query else "")
    return settings.PORTAL_SITE_URL.rstrip("/") + path


class _Site:
    """What allauth's templates read of ``current_site``."""

    def __init__(self) -> None:
        self.domain = urlsplit(settings.PORTAL_SITE_URL).netloc
        self.name = "RII portal"

    def __str__(self) -> str:
        return self.domain


def _from_trusted_proxy(request: HttpRequest) -> bool:
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        peer in ipaddress.ip_network(proxy, strict=False)
        for proxy in settings.PORTAL_TRUSTED_PROXIES
    )


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        """The client's address for rate limits: allauth's reading of
        X-Forwarded-For (ALLAUTH_TRUSTED_PROXY_COUNT) when the request comes from
        one of PORTAL_TRUSTED_PROXIES, else the address that connected, which a
        client reaching the portal directly cannot choose."""
        if _from_trusted_proxy(request):
            return super().get_client_ip(request)
        address = request.META.get("REMOTE_ADDR", "")
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return str(address)

    def _get_login_attempts_cache_key(
        self, request: HttpRequest, **credentials: Any
    ) -> str:
        # The "key" of ACCOUNT_RATE_LIMITS["login_failed"] (allauth's only hook for
        # it): address and client IP together, so failures from an attacker's
        # address never refuse the owner signing in from theirs; the per-IP
        # limits slow the attacker down.
        account_key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account_key}:{self.get_client_ip(request)}"

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Where a sign-in without an explicit ``next`` lands (allauth lets
        ``next`` win before asking): partner admins and superusers on the
        moderation queue, RII staff on their workspace, SMEs with open access
        requests on "My requests", everyone else where LOGIN_REDIRECT_URL says."""
        user = request.user
        assert isinstance(user, User)
        if user.is_superuser or RegionAdministration.objects.filter(user=user).exists():
            return reverse("admin:catalogue_infrastructure_moderation")
        if InfrastructureMembership.objects.filter(user=user).exists():
            return reverse("workspace:dashboard")
        if _has_open_access_requests(user):
            return reverse("access:my_requests")
        return super().get_login_redirect_url(request)

    def get_reset_password_from_key_url(self, key: str) -> str:
        return site_url(super().get_reset_password_from_key_url(key))

    def get_email_confirmation_url(
        self, request: HttpRequest, emailconfirmation: EmailConfirmation
    ) -> str:
        return site_url(super().get_email_confirmation_url(request, emailconfirmation))

    def send_mail(
        self, template_prefix: str, email: str, context: dict[str, Any]
    ) -> None:
        """Render allauth's email in the recipient's language and queue it.

        The language is the preferred one of the account the email is about, or
        of the account with that address, else the language of the page the
        visitor is on. The email leaves once the request's writes are committed.
        """
        user = context.get("user")
        language = email_language(
            getattr(user, "preferred_language", "")
            or language_of_address(email)
            or translation.get_language()
        )
        request = allauth_context.request
        # Links allauth built from the request (sign-up, password reset) point to
        # the public address instead.
        context = {key: _rebased(value, request) for key, value in context.items()}
        with translation.override(language):
            message = self.render_mail(
                template_prefix,
                email,
                {
                    "request": request,
                    "email": email,
                    "current_site": _Site(),
                    **context,
                },
            )
        email_queue_message(message=message, language=language)


def _has_open_access_requests(user: User) -> bool:
    # Looked up by name: access sits above accounts in the layering.
    access_request = apps.get_model("access", "AccessRequest")
    return bool(access_request.objects.filter(requested_by_q(user)).open().exists())


def _rebased(value: Any, request: HttpRequest | None) -> Any:
    if (
        isinstance(value, str)
        and request is not None
        and value.startswith(("http://", "https://"))
        and urlsplit(value).netloc == request.get_host()
    ):
        return site_url(value)
    return value
