"""Region scoping of the Django admin: every admin of a model bound to a NUTS
region mixes in ``RegionScopedAdmin``, so that partner admins see, pick and change
only what lies in the regions they administer (``permissions.administered_codes``)."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from . import permissions
from .models import RegionAdministration


def _region_model() -> Any:
    """The NUTS region model (``catalogue.Region``), as memberships name it."""
    return RegionAdministration._meta.get_field("region").related_model


if TYPE_CHECKING:
    # What the mixin is mixed into, so that type checking sees its super().
    _AdminBase = admin.ModelAdmin[Any]
else:
    _AdminBase = object


class RegionScopedAdmin(_AdminBase):
    """Limits an admin to the regions its user administers: change lists, forms,
    actions, autocompletes, history and exports all read ``get_queryset``, and the
    choices of related objects come from their own admin's scope, so a partner
    admin can neither see nor pick anything outside their regions. Superusers see
    everything.

    ``region_field`` is the lookup from the model to its Region; the region
    fields listed in ``region_choice_fields`` offer only the user's regions.
    """

    region_field = "region"
    region_choice_fields: tuple[str, ...] = ("region",)

    def administered_codes(self, request: HttpRequest) -> list[str] | None:
        return permissions.administered_codes(request.user)

    def scope(self, queryset, request: HttpRequest):
        codes = self.administered_codes(request)
        if codes is None:
            return queryset
        return queryset.filter(permissions.within(self.region_field, codes))

    def get_queryset(self, request: HttpRequest):
        return self.scope(super().get_queryset(request), request)

    def scoped_choices(self, db_field, request: HttpRequest):
        """The objects a form of this admin may link ``db_field`` to, or None."""
        if db_field.related_model is _region_model():
            if db_field.name not in self.region_choice_fields:
                return None
            codes = self.administered_codes(request)
            regions = _region_model()._default_manager.all()
            return (
                regions
                if codes is None
                else regions.filter(permissions.within("", codes))
            )
        target = self.admin_site._registry.get(db_field.related_model)
        if isinstance(target, RegionScopedAdmin):
            return target.get_queryset(request)
        return None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = self.scoped_choices(db_field, request)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        choices = self.scoped_choices(db_field, request)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def history_view(self, request, object_id, extra_context=None):
        # django-simple-history falls back to the history of any object.
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Old versions are for reading: a listing returns to its last approved
        # version through the "revert" decision, which is recorded.
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        if request.method != "GET":
            raise PermissionDenied
        # A method of django-simple-history's admin, which is untyped.
        return super().history_form_view(  # type: ignore[misc]
            request, object_id, version_id, extra_context
        )

    def revert_disabled(self, request, obj=None) -> bool:
        return True


class ScopedInfrastructureAdmin(RegionScopedAdmin):
    region_field = "infrastructure__region"
    region_choice_fields = ()
