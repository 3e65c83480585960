from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


@register(deploy=True)
def check_site_url(**kwargs) -> list[CheckMessage]:
    """Links in emails must lead to the public portal, not to the server itself."""
    if urlsplit(settings.PORTAL_SITE_URL).hostname in LOCAL_HOSTS | {None}:
        return [
            Warning(
                f"PORTAL_SITE_URL is {settings.PORTAL_SITE_URL!r}: links in emails "
                "will not open for their recipients.",
                hint="Set PORTAL_SITE_URL to the portal's public address.",
                id="notifications.W001",
            )
        ]
    return []
