from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from accounts.scoping import RegionScopedAdmin

from .mixins import EXPORT_RESOURCES, CatalogueExportMixin
from .models import ColumnMapping, ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(RegionScopedAdmin, admin.ModelAdmin):
    """Who imported what: every import, read-only; its page shows the report."""

    list_display = [
        "file_name",
        "kind",
        "region",
        "status",
        "dry_run",
        "created_by",
        "created_at",
        "new_count",
        "updated_count",
        "error_count",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["file_name", "created_by__email", "region__code"]
    list_select_related = ["region", "created_by"]
    date_hierarchy = "created_at"
    change_list_template = "admin/imports/importjob/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: ImportJob | None = None
    ) -> bool:
        return False

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        job = self.get_object(request, object_id)
        if job is None:
            # The admin's own answer to a missing object, not in the stubs.
            return self._get_obj_does_not_exist_redirect(  # type: ignore[attr-defined]
                request, self.opts, object_id
            )
        return HttpResponseRedirect(job.get_absolute_url())


@admin.register(ColumnMapping)
class ColumnMappingAdmin(RegionScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "region", "kind", "created_by", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "region__code"]
    list_select_related = ["region", "created_by"]
    fields = ["name", "region", "kind", "columns"]
    readonly_fields = ["region", "kind"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Mappings are made on the import's column page, from a real file.
        return False


def _with_exports(model: type) -> None:
    """Give the catalogue's registered admin of ``model`` the export actions: the
    catalogue's admins are registered below this app, which adds what it owns."""
    registered = type(admin.site._registry[model])
    admin.site.unregister(model)
    # The admin's own templates go before the export mixin's.
    templates = {
        name: value
        for name, value in vars(registered).items()
        if name.endswith("_template")
    }
    exporting = type(registered.__name__, (CatalogueExportMixin, registered), templates)
    admin.site.register(model, exporting)


for _model in EXPORT_RESOURCES:
    _with_exports(_model)
