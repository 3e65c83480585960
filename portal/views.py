from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.static import serve

from accounts import permissions
from catalogue.models import Concept, Equipment, Infrastructure, Region, Service
from catalogue.querysets import once_per_change, total_of, with_counts
from core.files import accel_redirect


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    published = Infrastructure.objects.published()
    by_region = published.counts_by_region()
    totals = once_per_change("home:totals", lambda: _totals(published))
    context = {
        "partner_regions": with_counts(
            Region.objects.partners().order_by("name_en"), by_region, key="code"
        ),
        "kets": with_counts(Concept.objects.kets_current(), totals["kets"], key="pk"),
        "infrastructure_count": total_of(by_region),
        "service_count": totals["services"],
        "equipment_count": totals["equipment"],
    }
    return render(request, "home.html", context)


def _totals(published: QuerySet[Infrastructure]) -> dict[str, Any]:
    """The catalogue-wide counts of the home page that read every tag, service
    and equipment item (its slowest statements): counted once per change."""
    return {
        "kets": published.counts_by_concept("kets"),  # type: ignore[attr-defined]
        "services": Service.objects.filter(infrastructure__in=published).count(),
        "equipment": Equipment.objects.filter(infrastructure__in=published).count(),
    }


@require_GET
def media(request: HttpRequest, path: str) -> HttpResponseBase:
    """An uploaded file of a listing, looked up by the exact name it is stored
    under. The files of a listing that is not published are shown only to those
    who may see the listing: its staff and the partner admins of its region."""
    name = _stored_name(path)
    owner = _media_owner(name)
    if owner is None or (
        not owner.is_published
        and not permissions.may_preview_listing(request.user, owner)
    ):
        raise Http404
    if (sent := accel_redirect(storage="media", name=name)) is not None:
        return sent
    response = serve(request, name, document_root=str(settings.MEDIA_ROOT))
    if name.lower().endswith(".pdf"):
        response["Content-Disposition"] = "inline"
    return response


# Each kind of upload has its folder (``upload_to``), so one column is looked up.
_MEDIA_FIELDS = {"logos": "logo", "brochures": "brochure", "photos": "photos__image"}


def _stored_name(path: str) -> str:
    """``path`` if it is a name files are stored under: one known folder, one file
    name, nothing a file system or ``serve()`` would normalise (empty, "." or ".."
    segments, a trailing slash, backslashes)."""
    folder, _, file_name = path.partition("/")
    if (
        folder not in _MEDIA_FIELDS
        or not file_name
        or "/" in file_name
        or "\\" in path
        or file_name in (".", "..")
    ):
        raise BadRequest("Not the name of a stored file.")
    return path


def _media_owner(name: str) -> Infrastructure | None:
    """The listing that stores a file under exactly ``name``, if any."""
    folder = name.partition("/")[0]
    return Infrastructure.objects.filter(**{_MEDIA_FIELDS[folder]: name}).first()
