from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models.functions import Lower
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.querysets import open_request_count
from accounts import permissions
from accounts.http import AuthenticatedHttpRequest
from catalogue import services
from catalogue.completeness import completeness
from catalogue.models import Infrastructure
from core.parsing import parse_id

from .forms import (
    BrochureForm,
    EquipmentForm,
    InfrastructureForm,
    LogoForm,
    PhotoForm,
    ServiceForm,
    VersionedModelForm,
)

DASHBOARD_PAGE_SIZE = 25
DIRECTIONS: tuple[services.Direction, ...] = ("up", "down")
MEDIA_FIELDS: tuple[services.MediaField, ...] = ("logo", "brochure")


def _editable(request: AuthenticatedHttpRequest, slug: str) -> Infrastructure:
    """The listing ``slug`` if the user may edit it; a 404 for everyone else."""
    listings = Infrastructure.objects.editable_by(request.user).with_role_of(
        request.user
    )
    return get_object_or_404(listings, slug=slug)


def _manages(request: AuthenticatedHttpRequest, infrastructure: Infrastructure) -> bool:
    return permissions.is_manager(request.user, infrastructure.member_role)


def _data(request: AuthenticatedHttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _overview(infrastructure: Infrastructure, anchor: str = "") -> str:
    url = reverse("workspace:infrastructure_detail", args=[infrastructure.slug])
    return f"{url}#{anchor}" if anchor else url


def _submit[M: models.Model, F: VersionedModelForm](
    form: F,
    save: Callable[[dict[str, Any]], M],
    reload: Callable[[], F] | None = None,
) -> tuple[M | None, F]:
    """Validate ``form`` and ``save`` its data: the saved object, or None and the
    form to show again."""
    if not form.is_valid():
        return None, form
    if form.instance.pk is not None and not form.has_changed():
        # Nothing to apply: saving would mark a published listing changed.
        return form.instance, form
    try:
        return save(form.model_data), form
    except services.EditConflict:
        # Someone saved after this form was checked: check it against their version.
        assert reload is not None  # only an edit can conflict
        form = reload()
        form.is_valid()
    except ValidationError as error:
        form.add_error(None, error.messages)
    return None, form


@login_required
@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    listings = (
        Infrastructure.objects.editable_by(request.user)
        .with_role_of(request.user)
        .with_completeness_counts()
        .with_latest_feedback()
        .annotate(open_requests=open_request_count())
        .select_related("host")
        .order_by(Lower("name"), "pk")
    )
    page = Paginator(listings, DASHBOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(listing, completeness(listing)) for listing in page]
    return render(request, "workspace/dashboard.html", {"page": page, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def infrastructure_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = InfrastructureForm(_data(request))
    saved, form = _submit(
        form,
        lambda data: services.infrastructure_create(data=data, user=request.user),
    )
    if saved:
        messages.success(
            request,
            _(
                "“%(name)s” was saved as a draft. Add its services and equipment, "
                "then submit it for review."
            )
            % {"name": saved},
        )
        return redirect(_overview(saved))
    return render(
        request,
        "workspace/object_form.html",
        {"form": form, "title": _("Add an infrastructure")},
    )


@login_required
@require_GET
def infrastructure_detail(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    listings = Infrastructure.objects.editable_by(request.user).with_role_of(
        request.user
    )
    infrastructure = get_object_or_404(
        listings.with_completeness_counts()
        .with_latest_feedback()
        .select_related("host", "region"),
        slug=slug,
    )
    transitions = services.TRANSITIONS
    context = {
        "infrastructure": infrastructure,
        "completeness": completeness(infrastructure),
        "services": infrastructure.services.select_related("service_type"),
        "equipment": infrastructure.equipment.select_related("category"),
        "can_submit": infrastructure.status in transitions["submit"].sources,
        "can_confirm": infrastructure.status in transitions["confirm_accurate"].sources,
        "manages": _manages(request, infrastructure),
    }
    return render(request, "workspace/infrastructure_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def infrastructure_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    infrastructure = _editable(request, slug)
    status_before = infrastructure.status
    form = InfrastructureForm(_data(request), instance=infrastructure)
    saved, form = _submit(
        form,
        lambda data: services.infrastructure_update(
            infrastructure=infrastructure, data=data
        ),
        reload=lambda: InfrastructureForm(
            request.POST, instance=_editable(request, slug)
        ),
    )
    if saved:
        if saved.status != status_before == Infrastructure.Status.PUBLISHED:
            messages.warning(
                request,
                _(
                    "Your changes were saved. The listing moved to a region with "
                    "other partner admins: it is offline until they approve it."
                ),
            )
        elif saved.is_published and form.has_changed():
            messages.success(
                request,
                _(
                    "Your changes are online. They are flagged for review by the "
                    "partner admin of your region."
                ),
            )
        else:
            messages.success(request, _("Your changes were saved."))
        return redirect(_overview(saved))
    context = {
        "form": form,
        "infrastructure": infrastructure,
        "title": _("Edit details"),
    }
    return render(request, "workspace/object_form.html", context)


def _transition(
    request: AuthenticatedHttpRequest, slug: str, *, action: str, done: str
) -> HttpResponse:
    infrastructure = _editable(request, slug)
    try:
        services.infrastructure_transition(
            infrastructure=infrastructure, action=action, user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(_overview(infrastructure))


@login_required
@require_POST
def infrastructure_submit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    done = _(
        "Submitted for review. The partner admin of your region will publish it "
        "or ask for changes."
    )
    return _transition(request, slug, action="submit", done=done)


@login_required
@require_POST
def infrastructure_confirm(
    request: AuthenticatedHttpRequest, slug: str
) -> HttpResponse:
    done = _("Thank you: the listing is marked as verified today.")
    return _transition(request, slug, action="confirm_accurate", done=done)


@login_required
@require_GET
def member_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    infrastructure = _editable(request, slug)
    if not _manages(request, infrastructure):
        raise PermissionDenied
    # "manager" sorts after "editor": managers first.
    members = infrastructure.memberships.select_related("user").order_by(
        "-role", "user__email"
    )
    context = {"infrastructure": infrastructure, "members": members}
    return render(request, "workspace/member_list.html", context)


# --- Logo, photos, brochure ----------------------------------------------------

MEDIA_FORMS = {"logo": LogoForm, "photo": PhotoForm, "brochure": BrochureForm}


@login_required
@require_http_methods(["GET", "POST"])
def infrastructure_media(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    infrastructure = _editable(request, slug)
    forms = {name: form(prefix=name) for name, form in MEDIA_FORMS.items()}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in MEDIA_FORMS:
            forms[action] = MEDIA_FORMS[action](
                request.POST, request.FILES, prefix=action
            )
        done = _media_change(request, infrastructure, action, forms.get(action))
        if done is None:
            return HttpResponseBadRequest(_("Unknown action."))
        if done:
            messages.success(request, done)
            return redirect(request.path)
    context = {
        "infrastructure": infrastructure,
        "photos": infrastructure.photos.all(),
        "forms": forms,
    }
    return render(request, "workspace/infrastructure_media.html", context)


def _media_change(
    request: AuthenticatedHttpRequest,
    infrastructure: Infrastructure,
    action: str,
    form: Any,
) -> str | None:
    """Apply ``action``: a message once done, "" if ``form`` has errors to show,
    None for an unknown action."""
    if form is not None and not form.is_valid():
        return ""
    if action == "photo":
        services.photo_add(infrastructure=infrastructure, **form.cleaned_data)
        return _("The photo was added.")
    if action in ("remove_photo", "move_photo"):
        pk = request.POST.get("photo", "")
        photo = get_object_or_404(infrastructure.photos, pk=parse_id(pk))
        if action == "remove_photo":
            services.photo_delete(photo=photo)
            return _("The photo was removed.")
        direction = request.POST.get("direction")
        if direction not in DIRECTIONS:
            return None
        services.photo_move(photo=photo, direction=direction)
        return _("The photo was moved.")
    field = action.removeprefix("remove_")
    if field not in MEDIA_FIELDS:
        return None
    file = form.cleaned_data[field] if form is not None else None
    services.infrastructure_media_set(
        infrastructure=infrastructure, field=field, file=file
    )
    if field == "logo":
        return _("The logo was saved.") if file else _("The logo was removed.")
    return _("The brochure was saved.") if file else _("The brochure was removed.")


# --- Services ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def service_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    infrastructure = _editable(request, slug)
    form = ServiceForm(_data(request))
    saved, form = _submit(
        form,
        lambda data: services.service_create(infrastructure=infrastructure, data=data),
    )
    if saved:
        messages.success(
            request, _("The service “%(name)s” was added.") % {"name": saved}
        )
        return redirect(_overview(infrastructure, saved.anchor))
    context = {
        "form": form,
        "infrastructure": infrastructure,
        "title": _("Add a service"),
    }
    return render(request, "workspace/object_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(
    request: AuthenticatedHttpRequest, slug: str, service_slug: str
) -> HttpResponse:
    infrastructure = _editable(request, slug)
    service = get_object_or_404(infrastructure.services, slug=service_slug)
    form = ServiceForm(_data(request), instance=service)
    saved, form = _submit(
        form,
        lambda data: services.service_update(service=service, data=data),
        reload=lambda: ServiceForm(
            request.POST, instance=infrastructure.services.get(pk=service.pk)
        ),
    )
    if saved:
        messages.success(
            request, _("The service “%(name)s” was saved.") % {"name": saved}
        )
        return redirect(_overview(infrastructure, saved.anchor))
    context = {
        "form": form,
        "infrastructure": infrastructure,
        "title": _("Edit the service “%(name)s”") % {"name": service.name},
    }
    return render(request, "workspace/object_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def service_delete(
    request: AuthenticatedHttpRequest, slug: str, service_slug: str
) -> HttpResponse:
    infrastructure = _editable(request, slug)
    service = get_object_or_404(infrastructure.services, slug=service_slug)
    if request.method == "POST":
        services.service_delete(service=service)
        messages.success(
            request, _("The service “%(name)s” was removed.") % {"name": service}
        )
        return redirect(_overview(infrastructure, "services"))
    context = {"infrastructure": infrastructure, "object": service}
    return render(request, "workspace/object_confirm_delete.html", context)


@login_required
@require_POST
def service_move(
    request: AuthenticatedHttpRequest, slug: str, service_slug: str
) -> HttpResponse:
    infrastructure = _editable(request, slug)
    service = get_object_or_404(infrastructure.services, slug=service_slug)
    direction = request.POST.get("direction")
    if direction not in DIRECTIONS:
        return HttpResponseBadRequest(_("Move up or down."))
    services.service_move(service=service, direction=direction)
    return redirect(_overview(infrastructure, service.anchor))


# --- Equipment -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def equipment_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    infrastructure = _editable(request, slug)
    form = EquipmentForm(_data(request), infrastructure=infrastructure)
    saved, form = _submit(
        form,
        lambda data: services.equipment_create(
            infrastructure=infrastructure, data=data
        ),
    )
    if saved:
        messages.success(request, _("“%(name)s” was added.") % {"name": saved})
        return redirect(_overview(infrastructure, saved.anchor))
    context = {
        "form": form,
        "infrastructure": infrastructure,
        "title": _("Add an equipment item"),
    }
    return render(request, "workspace/object_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def equipment_edit(
    request: AuthenticatedHttpRequest, slug: str, equipment_slug: str
) -> HttpResponse:
    infrastructure = _editable(request, slug)
    equipment = get_object_or_404(infrastructure.equipment, slug=equipment_slug)
    form = EquipmentForm(
        _data(request), instance=equipment, infrastructure=infrastructure
    )
    saved, form = _submit(
        form,
        lambda data: services.equipment_update(equipment=equipment, data=data),
        reload=lambda: EquipmentForm(
            request.POST,
            instance=infrastructure.equipment.get(pk=equipment.pk),
            infrastructure=infrastructure,
        ),
    )
    if saved:
        messages.success(request, _("“%(name)s” was saved.") % {"name": saved})
        return redirect(_overview(infrastructure, saved.anchor))
    context = {
        "form": form,
        "infrastructure": infrastructure,
        "title": _("Edit “%(name)s”") % {"name": equipment.name},
    }
    return render(request, "workspace/object_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def equipment_delete(
    request: AuthenticatedHttpRequest, slug: str, equipment_slug: str
) -> HttpResponse:
    infrastructure = _editable(request, slug)
    equipment = get_object_or_404(infrastructure.equipment, slug=equipment_slug)
    if request.method == "POST":
        services.equipment_delete(equipment=equipment)
        messages.success(request, _("“%(name)s” was removed.") % {"name": equipment})
        return redirect(_overview(infrastructure, "equipment"))
    context = {"infrastructure": infrastructure, "object": equipment}
    return render(request, "workspace/object_confirm_delete.html", context)


@login_required
@require_POST
def equipment_move(
    request: AuthenticatedHttpRequest, slug: str, equipment_slug: str
) -> HttpResponse:
    infrastructure = _editable(request, slug)
    equipment = get_object_or_404(infrastructure.equipment, slug=equipment_slug)
    direction = request.POST.get("direction")
    if direction not in DIRECTIONS:
        return HttpResponseBadRequest(_("Move up or down."))
    services.equipment_move(equipment=equipment, direction=direction)
    return redirect(_overview(infrastructure, equipment.anchor))
