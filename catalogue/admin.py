from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts import permissions
from accounts.models import Organisation
from accounts.scoping import RegionScopedAdmin, ScopedInfrastructureAdmin
from core.admin import ReadOnlyAdmin

from . import services, vocabulary
from .models import (
    Concept,
    Equipment,
    GoodPractice,
    Infrastructure,
    ModerationDecision,
    Photo,
    Region,
    RIS3Priority,
    Service,
)

Action = ModerationDecision.Action


class RefreshesSearch:
    """Keeps search records current after an admin saves or deletes objects: the
    listings that show an object are refreshed (in a background task when they are
    many), never the whole index inside the request."""

    def listings_showing(self, objects: Iterable[Any]) -> Iterable[int]:
        """The ids of the listings whose search record shows ``objects``."""
        raise NotImplementedError

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        services.search_refresh_on_commit(self.listings_showing([form.instance]))

    def delete_model(self, request, obj) -> None:
        ids = list(self.listings_showing([obj]))
        super().delete_model(request, obj)  # type: ignore[misc]
        services.search_refresh_on_commit(ids)

    def delete_queryset(self, request, queryset) -> None:
        ids = list(self.listings_showing(queryset))
        super().delete_queryset(request, queryset)  # type: ignore[misc]
        services.search_refresh_on_commit(ids)


class ItemAdmin(RefreshesSearch):
    """Services and equipment: shown by their own listing."""

    def listings_showing(self, objects: Iterable[Any]) -> Iterable[int]:
        return {obj.infrastructure_id for obj in objects}


class ReferenceDataAdmin(RefreshesSearch, admin.ModelAdmin):
    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        transaction.on_commit(vocabulary.forget)


@admin.register(Region)
class RegionAdmin(ReferenceDataAdmin):
    def listings_showing(self, objects: Iterable[Any]) -> Iterable[int]:
        # A listing's search text names its region and every region above it.
        codes = [region.code for region in objects]
        return Infrastructure.objects.filter(
            permissions.within("region", codes)
        ).values_list("pk", flat=True)

    list_display = ["code", "name", "name_en", "level", "country_code", "is_partner"]
    list_filter = ["level", "is_partner", "country_code"]
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        source = _autocomplete_source(request, self.admin_site)
        if source is not None:
            source_admin, field = source
            choices = source_admin.scoped_choices(field, request)
            if choices is not None:
                queryset = queryset & choices
        return queryset, may_have_duplicates


def _autocomplete_source(request: HttpRequest, site: admin.AdminSite):
    """The region-scoped admin and field an autocomplete request comes from."""
    match = request.resolver_match
    if match is None or match.url_name != "autocomplete":
        return None
    for model, model_admin in site._registry.items():
        if (
            isinstance(model_admin, RegionScopedAdmin)
            and model._meta.app_label == request.GET.get("app_label")
            and model._meta.model_name == request.GET.get("model_name")
        ):
            try:
                return model_admin, model._meta.get_field(request.GET["field_name"])
            except (KeyError, LookupError):
                return None
    return None


@admin.register(Concept)
class ConceptAdmin(ReferenceDataAdmin):
    def listings_showing(self, objects: Iterable[Any]) -> Iterable[int]:
        return Infrastructure.objects.naming_concepts(
            [concept.pk for concept in objects]
        ).values_list("pk", flat=True)

    list_display = ["label", "code", "scheme", "collection", "parent", "order"]
    list_filter = ["scheme", "collection"]
    search_fields = ["label", "code", "alt_labels"]
    autocomplete_fields = ["parent", "maps_to"]
    list_select_related = ["parent"]


@admin.register(RIS3Priority)
class RIS3PriorityAdmin(RegionScopedAdmin, RefreshesSearch, admin.ModelAdmin):
    def listings_showing(self, objects: Iterable[Any]) -> Iterable[int]:
        return Infrastructure.objects.filter(
            ris3_priorities__in=[priority.pk for priority in objects]
        ).values_list("pk", flat=True)

    list_display = ["name", "region", "order"]
    list_filter = [("region", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "description", "region__code", "region__name"]
    autocomplete_fields = ["region", "nabs_chapters", "nace_sections", "kets"]
    list_select_related = ["region"]


class LabelledRowForm(forms.ModelForm):
    """A tabular inline shows each field's label only as its column heading: every
    input of a row also carries it, so that screen readers name it (WCAG 4.1.2)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", str(field.label))


class LabelledRowFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        for name in ("DELETE", "ORDER"):
            if name in form.fields:
                form.fields[name].widget.attrs.setdefault(
                    "aria-label", str(form.fields[name].label)
                )


class LabelledTabularInline(admin.TabularInline):
    form = LabelledRowForm
    formset = LabelledRowFormSet


class FirstRowsFormSet(LabelledRowFormSet):
    """The first ``max_rows`` items of a listing, in their usual order: a listing
    may have hundreds, and a form row each made its change page take seconds. The
    page links to the change list of all of them (``total_rows`` tells how many)."""

    max_rows = 10

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            items = super().get_queryset()
            self.total_rows = items.count()
            self._queryset = items[: self.max_rows]
        return self._queryset


class FirstRowsInline(LabelledTabularInline):
    """A tabular inline of a listing's first items, with a link to the change list
    of all of them, where each is edited on its own page."""

    formset = FirstRowsFormSet
    template = "admin/catalogue/edit_inline/first_rows_tabular.html"


class ServiceInline(FirstRowsInline):
    """A listing's services as one row each: the everyday terms edited in place, the
    rest on the service's own page (its link). A listing may offer dozens of services,
    and a full form with five vocabulary pickers per service made the page slow (each
    picker looks up its values: hundreds of queries). New services are added from the
    services list, with the listing chosen there."""

    model = Service
    extra = 0
    show_change_link = True
    fields = [
        "name",
        "service_type",
        "access_mode",
        "price_band",
        "sme_rate_available",
        "lead_time_days",
    ]
    readonly_fields = ["service_type", "access_mode"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("service_type", "access_mode")
        )

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class EquipmentInline(FirstRowsInline):
    """A listing's equipment as one row each, like its services: the category is
    chosen on the item's own page, and new items are added from the equipment list."""

    model = Equipment
    extra = 0
    show_change_link = True
    fields = ["name", "category", "manufacturer", "model", "quantity", "access"]
    readonly_fields = ["category"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("category")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class PhotoInline(LabelledTabularInline):
    """Photos are uploaded in the staff workspace, which checks and re-encodes them;
    here they are described, ordered or removed."""

    model = Photo
    extra = 0
    fields = ["image", "alt_text", "caption", "order"]
    readonly_fields = ["image"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ModerationDecisionInline(ReadOnlyAdmin, FirstRowsInline):
    """The decisions taken on a listing, newest first."""

    model = ModerationDecision
    extra = 0
    fields = readonly_fields = (
        "created_at",
        "decided_by",
        "action",
        "from_status",
        "to_status",
        "message",
    )
    verbose_name_plural = _("moderation decisions")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("decided_by")


@admin.register(Service)
class ServiceAdmin(
    ScopedInfrastructureAdmin,
    ItemAdmin,
    SimpleHistoryAdmin,
):
    list_display = [
        "name",
        "infrastructure",
        "service_type",
        "price_band",
        "sme_rate_available",
        "lead_time_days",
    ]
    list_filter = [
        "price_band",
        "sme_rate_available",
        "nda_available",
        "ip_default",
        # Every term of the vocabulary: finding the terms in use read every row.
        "service_type",
        "access_mode",
    ]
    search_fields = ["name", "description", "infrastructure__name"]
    autocomplete_fields = [
        "infrastructure",
        "service_type",
        "access_mode",
        "kets",
        "languages",
        "target_users",
    ]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["infrastructure", "service_type"]
    # Counting 100,000 rows twice (filtered and in all) took longer than the page.
    show_full_result_count = False


@admin.register(Equipment)
class EquipmentAdmin(
    ScopedInfrastructureAdmin,
    ItemAdmin,
    SimpleHistoryAdmin,
):
    list_display = [
        "name",
        "infrastructure",
        "category",
        "manufacturer",
        "model",
        "year_commissioned",
        "access",
    ]
    list_filter = [
        "access",
        "training_required",
        "category",
    ]
    search_fields = [
        "name",
        "technique",
        "manufacturer",
        "model",
        "uniquip_id",
        "infrastructure__name",
    ]
    autocomplete_fields = ["infrastructure", "category", "services"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["infrastructure", "category"]
    show_full_result_count = False


@admin.register(GoodPractice)
class GoodPracticeAdmin(RegionScopedAdmin, admin.ModelAdmin):
    list_display = ["title", "region", "infrastructure", "updated_at"]
    list_filter = [("region", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "summary", "what_worked"]
    autocomplete_fields = ["region", "infrastructure"]
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["region", "infrastructure"]


@admin.register(ModerationDecision)
class ModerationDecisionAdmin(
    ReadOnlyAdmin, ScopedInfrastructureAdmin, admin.ModelAdmin
):
    """Every decision, for reading: decisions are taken on the listings."""

    list_display = ["created_at", "infrastructure", "action", "to_status", "decided_by"]
    list_filter = ["action", "to_status"]
    search_fields = ["infrastructure__name", "message", "decided_by__email"]
    list_select_related = ["infrastructure", "decided_by"]
    date_hierarchy = "created_at"


@admin.register(Organisation)
class OrganisationAdmin(RegionScopedAdmin, RefreshesSearch, admin.ModelAdmin):
    """Organisations located in the user's regions or hosting an RII there; their
    location may lie anywhere (a host is often elsewhere than its RII)."""

    region_choice_fields = ()

    def scope(self, queryset, request):
        codes = self.administered_codes(request)
        if codes is None:
            return queryset
        hosts = Infrastructure.objects.filter(permissions.within("region", codes))
        return queryset.filter(
            permissions.within("region", codes) | Q(pk__in=hosts.values("host_id"))
        )

    def listings_showing(self, objects: Iterable[Any]) -> Iterable[int]:
        # A listing's search text names its host.
        return Infrastructure.objects.filter(
            host__in=[organisation.pk for organisation in objects]
        ).values_list("pk", flat=True)

    list_display = ["name", "kind", "size_class", "country", "region"]
    list_filter = ["kind", "size_class", ("country", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "vat_id", "registration_id"]
    autocomplete_fields = ["country", "region"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["country", "region"]
