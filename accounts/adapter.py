"""django-allauth's hooks: its emails go through the portal's outbox, with links
to PORTAL_SITE_URL, never to the host a request named."""

from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailConfirmation
from allauth.core import context as allauth_context
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from notifications.services import (
    email_language,
    email_queue_message,
    language_of_address,
)


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


class AccountAdapter(DefaultAccountAdapter):
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


def _rebased(value: Any, request: HttpRequest | None) -> Any:
    if (
        isinstance(value, str)
        and request is not None
        and value.startswith(("http://", "https://"))
        and urlsplit(value).netloc == request.get_host()
    ):
        return site_url(value)
    return value
