from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from .filters import SORTS
from .models import Concept, Infrastructure, Region, RIS3Priority
from .schema_org import infrastructure_json_ld
from .search import search_catalogue


@require_GET
@vary_on_headers("HX-Request")
def infrastructure_list(request: HttpRequest) -> HttpResponse:
    results = search_catalogue(request.GET)
    template = "catalogue/infrastructure_list.html"
    if request.headers.get("HX-Request") and not request.headers.get(
        "HX-History-Restore-Request"
    ):
        template += "#search-body"
    return render(request, template, {"search": results, "sorts": SORTS})


@require_GET
def infrastructure_detail(request: HttpRequest, slug: str) -> HttpResponse:
    infrastructure = get_object_or_404(
        Infrastructure.objects.published().with_detail_relations(), slug=slug
    )
    priorities = RIS3Priority.objects.for_region(infrastructure.region)
    return render(
        request,
        "catalogue/infrastructure_detail.html",
        {
            "infrastructure": infrastructure,
            "ris3_priorities": priorities,
            "json_ld_data": infrastructure_json_ld(request, infrastructure),
        },
    )


@require_GET
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region, code=code.upper())
    return render(request, "catalogue/region_detail.html", {"region": region})


@require_GET
def technology_detail(request: HttpRequest, code: str) -> HttpResponse:
    ket = get_object_or_404(Concept.objects.in_scheme("ket"), code=code.upper())
    return render(request, "catalogue/technology_detail.html", {"ket": ket})
