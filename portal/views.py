from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.static import serve

from accounts import permissions
from catalogue.models import Concept, Equipment, Infrastructure, Region, Service


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    published = Infrastructure.objects.published()
    context = {
        "partner_regions": Region.objects.partners()
        .with_counts_among(published)
        .order_by("name_en"),
        "kets": Concept.objects.kets_current().with_counts_among(published, tag="kets"),
        "infrastructure_count": published.count(),
        "service_count": Service.objects.filter(infrastructure__in=published).count(),
        "equipment_count": Equipment.objects.filter(
            infrastructure__in=published
        ).count(),
    }
    return render(request, "home.html", context)


@require_GET
def media(request: HttpRequest, path: str) -> HttpResponse:
    """An uploaded file. ``serve`` refuses paths outside MEDIA_ROOT. The files of a
    listing that is not published are shown only to those who may see the listing:
    its staff and the partner admins of its region."""
    owner = _media_owner(path)
    if (
        owner
        and not owner.is_published
        and not permissions.may_preview_listing(request.user, owner)
    ):
        raise Http404
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    if path.lower().endswith(".pdf"):
        response["Content-Disposition"] = "inline"
    return response


# Each kind of upload has its folder (``upload_to``), so one column is looked up.
_MEDIA_FIELDS = {"logos/": "logo", "brochures/": "brochure", "photos/": "photos__image"}


def _media_owner(path: str) -> Infrastructure | None:
    for folder, field in _MEDIA_FIELDS.items():
        if path.startswith(folder):
            return Infrastructure.objects.filter(**{field: path}).first()
    return None
