from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import BadRequest
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.static import serve

from accounts import permissions
from catalogue.models import Concept, Equipment, Infrastructure, Region, Service
from catalogue.querysets import total_of, with_counts
from core.files import accel_redirect
from core.pagecache import GENERATION_KEY

# The catalogue's totals of services and equipment, with the generation of the
# page cache they were counted in: publishing or changing a listing moves it on.
ITEM_TOTALS_KEY = "home:item-totals"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    published = Infrastructure.objects.published()
    by_region = published.counts_by_region()
    context = {
        "partner_regions": with_counts(
            Region.objects.partners().order_by("name_en"), by_region, key="code"
        ),
        "kets": with_counts(
            Concept.objects.kets_current(),
            published.counts_by_concept("kets"),
            key="pk",
        ),
        "infrastructure_count": total_of(by_region),
        **_item_totals(published),
    }
    return render(request, "home.html", context)


def _item_totals(published: QuerySet[Infrastructure]) -> dict[str, int]:
    """The services and equipment items of published listings: counted once per
    change of the catalogue (they are the home page's two slowest statements, a
    scan of every service and item) and read from the cache in between."""
    stored = cache.get_many([GENERATION_KEY, ITEM_TOTALS_KEY])
    generation = stored.get(GENERATION_KEY, 0)
    cached = stored.get(ITEM_TOTALS_KEY)
    if cached is not None and cached[0] == generation:
        return cached[1]
    totals = {
        "service_count": Service.objects.filter(infrastructure__in=published).count(),
        "equipment_count": Equipment.objects.filter(
            infrastructure__in=published
        ).count(),
    }
    cache.set(ITEM_TOTALS_KEY, (generation, totals), None)
    return totals


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
