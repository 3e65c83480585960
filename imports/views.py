import csv
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import permissions
from accounts.models import User
from catalogue.search import search_catalogue

from .exports import SEARCH_EXPORTS, infrastructures_export
from .forms import ColumnMappingForm, ImportUploadForm, SavedMappingForm
from .models import ImportJob
from .resources import neutralised
from .services import (
    guess_mapping,
    import_job_create,
    import_job_left_out,
    import_job_preview,
    import_job_sample,
    import_job_start,
)

SEARCH_EXPORT_LIMIT = 5000


def import_permission_required(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    @staff_member_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not permissions.may_import(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _importer(request: HttpRequest) -> User:
    """The signed-in importer of an import view."""
    assert isinstance(request.user, User)
    return request.user


def _render(
    request: HttpRequest, template: str, context: dict[str, Any]
) -> HttpResponse:
    return render(request, template, {**admin.site.each_context(request), **context})


def _job(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)


@import_permission_required
@require_http_methods(["GET", "POST"])
def job_create(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, user=_importer(request)
    )
    if form.is_valid():
        try:
            job = import_job_create(
                user=_importer(request),
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                region=form.cleaned_data["region"],
                new_status=form.cleaned_data["new_status"],
                infrastructure=form.cleaned_data["infrastructure"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("imports:job_mapping", pk=job.pk)
    return _render(request, "imports/job_form.html", {"form": form})


@import_permission_required
@require_http_methods(["GET", "POST"])
def job_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if job.is_active or not job.file:
        return redirect(job)
    saved = SavedMappingForm(request.GET or None, job=job, user=_importer(request))
    initial = job.mapped_columns or guess_mapping(job.kind, job.columns)
    if saved.is_valid():
        initial = saved.cleaned_data["mapping"].columns
    form = ColumnMappingForm(request.POST or None, job=job, initial_mapping=initial)
    if form.is_valid():
        import_job_preview(
            job=job,
            user=_importer(request),
            mapped_columns=form.mapped_columns(),
            save_as=form.cleaned_data["save_as"],
        )
        return redirect(job)
    rows = zip(form.column_fields, import_job_sample(job), strict=False)
    context = {
        "job": job,
        "form": form,
        "saved": saved,
        "rows": [(column, form[name], sample) for (column, name), sample in rows],
    }
    return _render(request, "imports/job_mapping.html", context)


@import_permission_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    listings = job.infrastructures.order_by("name")[:50]
    return _render(
        request, "imports/job_detail.html", {"job": job, "listings": listings}
    )


@import_permission_required
@require_GET
def job_progress(request: HttpRequest, pk: int) -> JsonResponse:
    job = _job(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "active": job.is_active,
            "percent": job.percent,
            "processed": job.processed_rows,
            "total": job.total_rows,
            "text": _("%(processed)s of %(total)s rows")
            % {"processed": job.processed_rows, "total": job.total_rows},
        }
    )


@import_permission_required
@require_POST
def job_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if job.status != ImportJob.Status.PREVIEWED or not job.file:
        messages.error(request, _("Only a previewed file can be imported."))
        return redirect(job)
    import_job_start(
        job=job,
        dry_run=False,
        accept_duplicates=request.POST.get("accept_duplicates") == "on",
    )
    messages.success(request, _("The import has started."))
    return redirect(job)


@import_permission_required
@require_GET
def job_left_out(request: HttpRequest, pk: int) -> HttpResponse:
    """The rows the preview or import left out, as CSV, with their reasons."""
    job = _job(request, pk)
    rows = list(import_job_left_out(job))
    if not rows:
        raise Http404(_("There are no left-out rows to download."))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stem = Path(job.file_name).stem or "import"
    response["Content-Disposition"] = f'attachment; filename="{stem}-left-out.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerows([neutralised(cell) for cell in row] for row in rows)
    return response


@require_GET
def search_export(request: HttpRequest, file_format: str) -> HttpResponse:
    """The current /infrastructures/ search as a file: published listings only."""
    export = SEARCH_EXPORTS.get(file_format)
    if export is None:
        raise Http404
    results = search_catalogue(request.GET)
    if results.total > SEARCH_EXPORT_LIMIT:
        context = {"search": results, "limit": SEARCH_EXPORT_LIMIT}
        return render(request, "imports/export_too_large.html", context, status=400)
    ids = list(results.ordered_ids()) if results.total else []
    content_type = export.file_format().get_content_type()
    response = HttpResponse(
        infrastructures_export(ids, export), content_type=content_type
    )
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response
