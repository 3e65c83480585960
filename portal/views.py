from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

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
