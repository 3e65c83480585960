from urllib.parse import parse_qs

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import services
from .forms import FrequencyForm, SaveSearchForm
from .models import SavedSearch


@login_required
@require_GET
def saved_searches(request: HttpRequest) -> HttpResponse:
    searches = request.user.saved_searches.all()  # type: ignore[union-attr]
    rows = [
        (search, FrequencyForm(initial={"frequency": search.frequency}))
        for search in searches
    ]
    return render(request, "alerts/saved_searches.html", {"rows": rows})


@login_required
@require_POST
def saved_search_create(request: HttpRequest) -> HttpResponse:
    form = SaveSearchForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("The search could not be saved: %(errors)s")
            % {"errors": form.errors.as_text()},
        )
        return redirect("alerts:saved_searches")
    params = parse_qs(form.cleaned_data["query"])
    try:
        search = services.saved_search_create(
            user=request.user,  # type: ignore[arg-type]
            params=params,
            name=form.cleaned_data["name"],
            frequency=form.cleaned_data["frequency"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("alerts:saved_searches")
    if search.frequency == SavedSearch.Frequency.NEVER:
        messages.success(
            request,
            _("Search “%(name)s” saved. It sends no emails.") % {"name": search.name},
        )
    else:
        messages.success(
            request,
            _(
                "Search “%(name)s” saved. You will be emailed listings that newly match it (%(frequency)s)."
            )
            % {
                "name": search.name,
                "frequency": search.get_frequency_display().lower(),
            },
        )
    return redirect("alerts:saved_searches")


@login_required
@require_POST
def saved_search_update(request: HttpRequest, pk: int) -> HttpResponse:
    search = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    form = FrequencyForm(request.POST)
    if form.is_valid():
        services.saved_search_update(
            search=search, frequency=form.cleaned_data["frequency"]
        )
        messages.success(
            request,
            _("Email alert of “%(name)s”: %(frequency)s.")
            % {
                "name": search.name,
                "frequency": search.get_frequency_display().lower(),
            },
        )
    else:
        messages.error(request, _("Choose how often to be emailed."))
    return redirect("alerts:saved_searches")


@login_required
@require_POST
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    search = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    name = search.name
    search.delete()
    messages.success(
        request,
        _("Search “%(name)s” deleted; it sends no more emails.") % {"name": name},
    )
    return redirect("alerts:saved_searches")


# Mail clients post here without a CSRF token (RFC 8058's one-click unsubscribe);
# the signed token in the address is what authorises it.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    search = services.saved_search_of_token(token)
    if search is None:
        return render(request, "alerts/unsubscribe.html", {"invalid": True}, status=404)
    done = False
    if request.method == "POST":
        services.saved_search_unsubscribe(search=search)
        done = True
    return render(request, "alerts/unsubscribe.html", {"search": search, "done": done})
