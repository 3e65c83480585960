from typing import Any

from django.contrib.admin.options import (
    Action,
    ActionLocation,
    IncorrectLookupParameters,
)
from django.core.exceptions import BadRequest
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportActionMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ExportForm

from accounts import permissions
from catalogue.models import Equipment, Infrastructure, Service

from .exports import CSV_ENCODING
from .resources import (
    CatalogueResource,
    EquipmentResource,
    InfrastructureResource,
    ServiceResource,
    UniquipCatalogueResource,
    UniquipEquipmentResource,
)

EXPORT_RESOURCES: dict[type[Model], list[type[CatalogueResource]]] = {
    Infrastructure: [InfrastructureResource, UniquipCatalogueResource],
    Service: [ServiceResource],
    Equipment: [EquipmentResource, UniquipEquipmentResource],
}


class CatalogueExportMixin(ExportActionMixin):
    """Exports an admin's selection, or its filtered change list, as CSV, XLSX or
    UNIQUIP CSV. Rows come from the admin's ``get_queryset``, so a partner admin
    exports only their regions' records."""

    formats = [CSV, XLSX]
    export_form_class = ExportForm
    to_encoding = CSV_ENCODING

    def get_export_resource_classes(
        self, request: HttpRequest
    ) -> list[type[CatalogueResource]]:
        return EXPORT_RESOURCES[self.model]

    def get_actions(
        self,
        request: HttpRequest,
        action_location: ActionLocation = ActionLocation.CHANGE_LIST,
    ) -> dict[str, Action]:
        # ExportActionMixin's own version lacks the ``action_location`` argument
        # that Django 6.1 passes; this one adds the same action.
        actions = super(ExportActionMixin, self).get_actions(request, action_location)
        if action_location is ActionLocation.CHANGE_LIST and (
            self.has_export_permission(request)
        ):
            description = str(_("Export selected %(verbose_name_plural)s"))
            actions["export_admin_action"] = Action(
                func=type(self).export_admin_action,
                name="export_admin_action",
                description=description,
                plural_description=description,
                locations=[ActionLocation.CHANGE_LIST],
            )
        return actions

    def get_export_queryset(self, request: HttpRequest) -> QuerySet[Any, Any]:
        # The change list's filters come from the query string; one that is not a
        # filter (?format=0) is the client's mistake, not a server error.
        try:
            return super().get_export_queryset(request)
        except IncorrectLookupParameters as error:
            raise BadRequest(_("Unknown filter in the address.")) from error

    def get_valid_export_item_pks(self, request: HttpRequest) -> QuerySet[Any, Any]:
        # The package's default offers every row of the table; only the
        # admin's own rows may be chosen.
        return self.get_queryset(request).values_list("pk", flat=True)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "can_import": permissions.may_import(request.user),
        }
        return super().changelist_view(request, extra_context)
