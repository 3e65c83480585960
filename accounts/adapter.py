"""django-allauth's hooks: its emails go through the portal's outbox."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.utils import translation

from notifications.services import (
    email_language,
    email_queue_message,
    language_of_address,
)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
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
        with translation.override(language):
            message = self.render_mail(
                template_prefix,
                email,
                {
                    "request": request,
                    "email": email,
                    "current_site": get_current_site(request),
                    **context,
                },
            )
        email_queue_message(message=message, language=language)
