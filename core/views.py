from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

from .logs import request_id


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, with the request's id for the user to quote. Rendered
    without context processors, which may be what failed."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"request_id": request_id.get()}))
