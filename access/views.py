from typing import Any

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import Organisation, User
from accounts.permissions import AnyUser
from catalogue.models import Infrastructure
from core.files import accel_redirect
from core.parsing import parse_ids

from . import services, shortlist
from .filters import RequestFilter
from .forms import AccessRequestForm, MessageForm, TransitionForm
from .models import AccessRequest, Event, Message
from .querysets import AccessRequestQuerySet

PAGE_SIZE = 25


@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest, slug: str) -> HttpResponse:
    infrastructure = get_object_or_404(Infrastructure.objects.published(), slug=slug)
    initial = _initial(request) | {
        "service": infrastructure.services.filter(
            slug=request.GET.get("service", "")
        ).first(),
        "equipment": infrastructure.equipment.filter(
            slug=request.GET.get("equipment", "")
        ).first(),
    }
    return _ask(request, [infrastructure], initial, "access/request_form.html")


@require_http_methods(["GET", "POST"])
def brief_create(request: HttpRequest) -> HttpResponse:
    """One brief to several infrastructures of the shortlist."""
    listed = list(shortlist.infrastructures(request))
    if request.method == "GET":
        return _ask(request, listed, _initial(request), listed=listed)
    chosen = request.POST.getlist("to")
    selected = [i for i in listed if str(i.pk) in chosen]
    refused = None
    if not 1 <= len(selected) <= services.MAX_INFRASTRUCTURES_PER_BRIEF:
        refused = _("Choose between 1 and %(max)d infrastructures.") % {
            "max": services.MAX_INFRASTRUCTURES_PER_BRIEF
        }
    return _ask(request, selected, _initial(request), listed=listed, refused=refused)


def _ask(
    request: HttpRequest,
    infrastructures: list[Infrastructure],
    initial: dict[str, Any],
    template: str = "access/brief_form.html",
    *,
    listed: list[Infrastructure] | None = None,
    refused: str | None = None,
) -> HttpResponse:
    """The request form for ``infrastructures``; on a valid POST, send it."""
    user = request.user if request.user.is_authenticated else None
    data = request.POST if request.method == "POST" else None
    form = AccessRequestForm(
        data,
        request.FILES or None,
        infrastructures=infrastructures or listed or [],
        user=user,
        initial=initial,
    )
    status = 200
    if refused:
        form.is_valid()
        form.add_error(None, refused)
        status = 400
    elif form.is_valid():
        if _within_rate_limits(request, user):
            sent = services.access_request_create(
                infrastructures=infrastructures,
                data=form.request_data() | {"organisation": _company(user)},
                user=user,
                language=get_language() or "",
                attachment=form.cleaned_data.get("attachment"),
            )
            return _sent(request, sent, user)
        form.add_error(
            None,
            _("Too many requests were sent from here. Please try again in an hour."),
        )
        status = 429
    elif data is not None:
        status = 400
    context = {"form": form, "infrastructures": infrastructures, "listed": listed}
    return render(request, template, context, status=status)


def _within_rate_limits(request: HttpRequest, user: User | None) -> bool:
    """Per IP address for everyone, and per account for signed-in users."""
    if not ratelimit.consume(request, action="access_request"):
        return False
    return user is None or ratelimit.consume(
        request, action="access_request_account", user=user
    )


def _company(user: AnyUser | None) -> Organisation | None:
    """The company a signed-in SME works for, from their profile."""
    if user is None or not user.is_authenticated:
        return None
    membership = user.company_memberships.select_related("organisation").first()
    return membership.organisation if membership else None


def _initial(request: HttpRequest) -> dict[str, Any]:
    if not request.user.is_authenticated:
        return {}
    user = request.user
    company = _company(user)
    return {
        "contact_email": user.email,
        "contact_name": user.get_full_name(),
        "company_name": company.name if company else "",
    }


def _sent(
    request: HttpRequest, sent: list[AccessRequest], user: User | None
) -> HttpResponse:
    if user is None:
        request.session["access_sent_to"] = sent[0].contact_email
        return redirect("access:request_sent")
    shortlist.remove(request, [r.infrastructure_id for r in sent])
    messages.success(
        request,
        _(
            "Your request was sent. You will get an email when the infrastructure answers."
        ),
    )
    if len(sent) == 1:
        return redirect(sent[0])
    return redirect("access:my_requests")


@require_GET
def request_sent(request: HttpRequest) -> HttpResponse:
    email = request.session.get("access_sent_to")
    return render(request, "access/request_sent.html", {"email": email})


@require_http_methods(["GET", "POST"])
def request_confirm(request: HttpRequest, token: str) -> HttpResponse:
    # A GET only shows a button: mail scanners that open links confirm nothing.
    if request.method == "GET":
        return render(request, "access/request_confirm.html", {"token": token})
    try:
        confirmed = services.access_request_confirm(token=token)
    except ValidationError as error:
        return render(
            request,
            "access/request_confirm.html",
            {"token": token, "error": error.messages[0]},
            status=400,
        )
    request.session.pop("access_sent_to", None)
    return render(request, "access/request_confirmed.html", {"confirmed": confirmed})


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "access/privacy.html")


@require_GET
def shortlist_detail(request: HttpRequest) -> HttpResponse:
    context = {
        "listed": shortlist.infrastructures(request),
        "max_brief": services.MAX_INFRASTRUCTURES_PER_BRIEF,
    }
    return render(request, "access/shortlist.html", context)


@require_POST
def shortlist_add(request: HttpRequest, slug: str) -> HttpResponse:
    infrastructure = get_object_or_404(Infrastructure.objects.published(), slug=slug)
    try:
        shortlist.add(request, infrastructure)
    except shortlist.ShortlistFull:
        messages.error(
            request, _("Your shortlist is full: remove an infrastructure first.")
        )
    else:
        messages.success(
            request, _("%(name)s is on your shortlist.") % {"name": infrastructure.name}
        )
    return redirect(_safe_next(request) or infrastructure.get_absolute_url())


@require_POST
def shortlist_remove(request: HttpRequest) -> HttpResponse:
    ids = parse_ids(request.POST.getlist("remove"))
    shortlist.remove(request, ids)
    return redirect("access:shortlist_detail")


@login_required
@require_GET
def my_requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    requests = AccessRequest.objects.for_requester(request.user)
    return _request_list(request, requests, "access/my_requests.html", staff=False)


@login_required
@require_GET
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    requests = AccessRequest.objects.for_staff(request.user)
    return _request_list(request, requests, "access/inbox.html", staff=True)


def _request_list(
    request: AuthenticatedHttpRequest,
    requests: AccessRequestQuerySet,
    template: str,
    *,
    staff: bool,
) -> HttpResponse:
    infrastructures = Infrastructure.objects.editable_by(request.user).order_by("name")
    data = request.GET.copy()
    if staff and "state" not in data:
        data["state"] = "open"
    filterset = RequestFilter(data, queryset=requests, infrastructures=infrastructures)
    if not filterset.is_valid():
        messages.warning(
            request, _("Some filters were not understood and are ignored.")
        )
        filterset = RequestFilter(
            {"state": data.get("state")} if staff else None,
            queryset=requests,
            infrastructures=infrastructures,
        )
    rows = filterset.qs.with_list_relations().order_by("-submitted_at", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page": page, "staff": staff}
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def request_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    requests = AccessRequest.objects.for_requester(request.user)
    return _detail(request, get_object_or_404(requests, pk=pk), staff=False)


@login_required
@require_http_methods(["GET", "POST"])
def inbox_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    requests = AccessRequest.objects.for_staff(request.user)
    return _detail(request, get_object_or_404(requests, pk=pk), staff=True)


def _detail(
    request: AuthenticatedHttpRequest, access_request: AccessRequest, *, staff: bool
) -> HttpResponse:
    roles = frozenset({services.STAFF if staff else services.REQUESTER})
    message_form = MessageForm(staff=staff)
    transition_form = TransitionForm()
    status = 200
    if request.method == "POST":
        try:
            if "action" in request.POST:
                transition_form = TransitionForm(request.POST)
                _transition(request, access_request, transition_form)
            else:
                message_form = MessageForm(request.POST, request.FILES, staff=staff)
                _post_message(request, access_request, message_form)
            return redirect(request.path)
        except ValidationError:
            status = 400
    context = {
        "access_request": access_request,
        "staff": staff,
        "thread": _thread(access_request, staff=staff),
        "actions": services.available_actions(
            access_request=access_request, roles=roles
        ),
        "message_form": message_form,
        "transition_form": transition_form,
    }
    return render(request, "access/request_detail.html", context, status=status)


def _transition(
    request: AuthenticatedHttpRequest,
    access_request: AccessRequest,
    form: TransitionForm,
) -> None:
    if not form.is_valid():
        raise ValidationError("invalid")
    try:
        services.access_request_transition(
            access_request=access_request,
            action=form.cleaned_data["action"],
            user=request.user,
            note=form.cleaned_data["note"],
        )
    except PermissionDenied:
        form.add_error(None, _("You cannot do this on this request."))
        raise ValidationError("denied") from None
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        raise
    messages.success(request, _("Done."))


def _post_message(
    request: AuthenticatedHttpRequest, access_request: AccessRequest, form: MessageForm
) -> None:
    if not form.is_valid():
        raise ValidationError("invalid")
    if not ratelimit.consume(request, action="access_message", user=request.user):
        form.add_error(None, _("Too many messages. Please wait a few minutes."))
        raise ValidationError("rate")
    try:
        services.message_post(
            access_request=access_request,
            user=request.user,
            body=form.cleaned_data["body"],
            internal=form.cleaned_data.get("internal", False),
            attachment=form.cleaned_data.get("attachment"),
        )
    except ValidationError as error:
        form.add_error(None, error)
        raise
    messages.success(request, _("Your message was sent."))


def _thread(access_request: AccessRequest, *, staff: bool) -> list[Message | Event]:
    """Messages and events in the order they happened; internal notes for staff."""
    notes = access_request.messages.select_related("author")
    if not staff:
        notes = notes.filter(internal=False)
    entries: list[Message | Event] = [
        *notes,
        *access_request.events.select_related("actor"),
    ]
    return sorted(entries, key=lambda entry: (entry.created_at, entry.pk))


@login_required
@require_GET
def attachment(
    request: AuthenticatedHttpRequest, pk: int, message: int | None = None
) -> HttpResponse | FileResponse:
    """A request's or a message's attachment, for the people who may read it."""
    visible = AccessRequest.objects.for_staff(
        request.user
    ) | AccessRequest.objects.for_requester(request.user)
    access_request = get_object_or_404(visible, pk=pk)
    staff = services.STAFF in services.roles_of(
        user=request.user, access_request=access_request
    )
    if message is None:
        stored = access_request.attachment
    else:
        notes = Message.objects.filter(request=access_request)
        if not staff:
            notes = notes.filter(internal=False)
        stored = get_object_or_404(notes, pk=message).attachment
    if not stored:
        raise Http404
    assert stored.name is not None  # a stored file has a name
    sent = accel_redirect(
        storage="private",
        name=stored.name,
        disposition="attachment",
        filename=stored.name.rsplit("/", 1)[-1],
    )
    if sent is not None:
        return sent
    return FileResponse(
        stored.open("rb"), as_attachment=True, filename=stored.name.rsplit("/", 1)[-1]
    )


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next", "")
    # A path only: ``redirect()`` would look a bare word up as a URL name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return None
