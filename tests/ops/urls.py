"""A URL that fails, for the error page's test."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

handler500 = "core.views.server_error"


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("broken on purpose")


urlpatterns = [path("broken/", broken)]
