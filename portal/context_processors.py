from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {"MAP_TILE_URL": settings.MAP_TILE_URL}
