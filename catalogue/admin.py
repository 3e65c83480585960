from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from . import search, vocabulary
from .models import (
    Concept,
    Equipment,
    GoodPractice,
    Infrastructure,
    Photo,
    Region,
    RIS3Priority,
    Service,
)


class RefreshesSearch:
    """Keeps search records current after an admin saves or deletes objects."""

    def infrastructure_ids(self, obj) -> list[int] | None:
        """The infrastructures whose record depends on ``obj``; None means all."""
        return None

    def _refresh(self, ids: list[int] | None) -> None:
        transaction.on_commit(lambda: search.refresh(ids))

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        self._refresh(self.infrastructure_ids(form.instance))

    def delete_model(self, request, obj) -> None:
        ids = self.infrastructure_ids(obj)
        super().delete_model(request, obj)
        self._refresh(ids)

    def delete_queryset(self, request, queryset) -> None:
        super().delete_queryset(request, queryset)
        self._refresh(None)


class ReferenceDataAdmin(RefreshesSearch, admin.ModelAdmin):
    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        transaction.on_commit(vocabulary.forget)


@admin.register(Region)
class RegionAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "name_en", "level", "country_code", "is_partner"]
    list_filter = ["level", "is_partner", "country_code"]
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(Concept)
class ConceptAdmin(ReferenceDataAdmin):
    list_display = ["label", "code", "scheme", "collection", "parent", "order"]
    list_filter = ["scheme", "collection"]
    search_fields = ["label", "code", "alt_labels"]
    autocomplete_fields = ["parent", "maps_to"]
    list_select_related = ["parent"]


@admin.register(RIS3Priority)
class RIS3PriorityAdmin(RefreshesSearch, admin.ModelAdmin):
    list_display = ["name", "region", "order"]
    list_filter = [("region", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "description", "region__code", "region__name"]
    autocomplete_fields = ["region", "nabs_chapters", "nace_sections", "kets"]
    list_select_related = ["region"]


class ServiceInline(admin.StackedInline):
    model = Service
    extra = 0
    show_change_link = True
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = [
        "service_type",
        "access_mode",
        "kets",
        "languages",
        "target_users",
    ]


class EquipmentInline(admin.TabularInline):
    model = Equipment
    extra = 0
    show_change_link = True
    fields = ["name", "slug", "category", "manufacturer", "model", "quantity", "access"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["category"]


class PhotoInline(admin.TabularInline):
    """Photos are uploaded in the staff workspace, which checks and re-encodes them;
    here they are described, ordered or removed."""

    model = Photo
    extra = 0
    fields = ["image", "alt_text", "caption", "order"]
    readonly_fields = ["image"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Infrastructure)
class InfrastructureAdmin(RefreshesSearch, admin.ModelAdmin):
    def infrastructure_ids(self, obj) -> list[int] | None:
        return [obj.pk]

    list_display = ["name", "acronym", "host", "region", "city", "status", "updated_at"]
    list_filter = [
        "status",
        "changed_since_review",
        ("region", admin.RelatedOnlyFieldListFilter),
        ("kets", admin.RelatedOnlyFieldListFilter),
        ("types", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "acronym", "city", "host__name", "region__code"]
    autocomplete_fields = [
        "host",
        "region",
        "types",
        "structure",
        "kets",
        "scientific_domains",
        "ris3_priorities",
        "languages",
    ]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["host", "region"]
    date_hierarchy = "updated_at"
    readonly_fields = ["logo", "brochure", "created_at", "updated_at"]
    inlines = [ServiceInline, EquipmentInline, PhotoInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "acronym", "host", "status"]}),
        (
            _("Location"),
            {"fields": ["region", "address", "city", "latitude", "longitude"]},
        ),
        (
            _("Description"),
            {
                "fields": [
                    "summary",
                    "description",
                    "website",
                    "access_policy",
                    "sme_offer",
                ]
            },
        ),
        (
            _("Classification"),
            {
                "fields": [
                    "types",
                    "structure",
                    "kets",
                    "scientific_domains",
                    "ris3_priorities",
                    "languages",
                ]
            },
        ),
        (_("Contact"), {"fields": ["contact_email", "contact_name", "contact_phone"]}),
        (_("Media"), {"fields": ["logo", "brochure"]}),
        (
            _("Dates"),
            {"fields": ["verified_at", "published_at", "created_at", "updated_at"]},
        ),
    ]


@admin.register(Service)
class ServiceAdmin(RefreshesSearch, admin.ModelAdmin):
    def infrastructure_ids(self, obj) -> list[int] | None:
        return [obj.infrastructure_id]

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
        ("service_type", admin.RelatedOnlyFieldListFilter),
        ("access_mode", admin.RelatedOnlyFieldListFilter),
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


@admin.register(Equipment)
class EquipmentAdmin(RefreshesSearch, admin.ModelAdmin):
    def infrastructure_ids(self, obj) -> list[int] | None:
        return [obj.infrastructure_id]

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
        ("category", admin.RelatedOnlyFieldListFilter),
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


@admin.register(GoodPractice)
class GoodPracticeAdmin(admin.ModelAdmin):
    list_display = ["title", "region", "infrastructure", "updated_at"]
    list_filter = [("region", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "summary", "what_worked"]
    autocomplete_fields = ["region", "infrastructure"]
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["region", "infrastructure"]
