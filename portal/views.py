from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.static import serve

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
    """An uploaded file. ``serve`` refuses paths outside MEDIA_ROOT; a reverse proxy
    may take this over at larger scale."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    if path.lower().endswith(".pdf"):
        response["Content-Disposition"] = "inline"
    return response
