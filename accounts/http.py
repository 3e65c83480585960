"""Request types for views."""

from django.http import HttpRequest

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind ``@login_required``: its user is signed in."""

    user: User
