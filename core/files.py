"""Files sent by the proxy in front (nginx's ``X-Accel-Redirect``) after the
portal has decided who may have them: the worker is not held while a large file
goes out, and the proxy handles ranges and slow clients."""

import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse


def accel_redirect(
    *, storage: str, name: str, disposition: str = "inline", filename: str = ""
) -> HttpResponse | None:
    """A response that asks the proxy to send ``name`` of the storage ``storage``
    ("media" or "private") from ``PORTAL_X_ACCEL_REDIRECT<storage>/<name>``;
    ``None`` when that setting is empty (the portal sends the file itself)."""
    prefix = settings.PORTAL_X_ACCEL_REDIRECT
    if not prefix:
        return None
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = HttpResponse(content_type=content_type)
    response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{storage}/{quote(name)}"
    if filename:
        response["Content-Disposition"] = (
            f"{disposition}; filename*=UTF-8''{quote(filename)}"
        )
    else:
        response["Content-Disposition"] = disposition
    return response
