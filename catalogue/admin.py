from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from imports.mixins import CatalogueExportMixin

from . import moderation, search, vocabulary
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


class RegionScopedAdmin:
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
        return moderation.administered_codes(request.user)

    def scope(self, queryset, request: HttpRequest):
        codes = self.administered_codes(request)
        if codes is None:
            return queryset
        return queryset.filter(moderation.within(self.region_field, codes))

    def get_queryset(self, request: HttpRequest):
        return self.scope(super().get_queryset(request), request)

    def scoped_choices(self, db_field, request: HttpRequest):
        """The objects a form of this admin may link ``db_field`` to, or None."""
        if db_field.related_model is Region:
            if db_field.name not in self.region_choice_fields:
                return None
            codes = self.administered_codes(request)
            regions = Region.objects.all()
            return (
                regions
                if codes is None
                else regions.filter(moderation.within("", codes))
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
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None) -> bool:
        return True


class ReadOnlyAdmin:
    """For records: shown, never added, changed or deleted in the admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ScopedInfrastructureAdmin(RegionScopedAdmin):
    region_field = "infrastructure__region"
    region_choice_fields = ()


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
    list_display = ["label", "code", "scheme", "collection", "parent", "order"]
    list_filter = ["scheme", "collection"]
    search_fields = ["label", "code", "alt_labels"]
    autocomplete_fields = ["parent", "maps_to"]
    list_select_related = ["parent"]


@admin.register(RIS3Priority)
class RIS3PriorityAdmin(RegionScopedAdmin, RefreshesSearch, admin.ModelAdmin):
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


class ModerationDecisionInline(ReadOnlyAdmin, admin.TabularInline):
    """The decisions taken on a listing, newest first."""

    model = ModerationDecision
    extra = 0
    fields = readonly_fields = [
        "created_at",
        "decided_by",
        "action",
        "from_status",
        "to_status",
        "message",
    ]
    verbose_name_plural = _("moderation decisions")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("decided_by")


class QueueFilter(admin.SimpleListFilter):
    """The sections of the moderation queue, as a change list filter."""

    title = _("moderation queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("pending", _("Pending review")),
            ("changed", _("Changed since review")),
            ("unverified", _("Not verified for 12 months")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.awaiting_review()
        if self.value() == "changed":
            return queryset.changed_after_review()
        if self.value() == "unverified":
            return queryset.unverified_since(moderation.verification_due_before())
        return queryset


class RegionWithinFilter(admin.SimpleListFilter):
    """Listings of a region or of any region under it."""

    title = _("region and below")
    parameter_name = "within"

    def lookups(self, request, model_admin):
        return [(region.code, str(region)) for region in _dashboard_regions(request)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(moderation.within("region", [self.value()]))
        return queryset


def _dashboard_regions(request: HttpRequest):
    return moderation.dashboard_regions(request.user)


class DecisionForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the staff"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 70}),
        help_text=_("Emailed to the staff and shown in their workspace."),
    )


@admin.register(Infrastructure)
class InfrastructureAdmin(
    CatalogueExportMixin, RegionScopedAdmin, RefreshesSearch, SimpleHistoryAdmin
):
    def infrastructure_ids(self, obj) -> list[int] | None:
        return [obj.pk]

    list_display = ["name", "acronym", "host", "region", "city", "status", "updated_at"]
    list_filter = [
        QueueFilter,
        "status",
        "changed_since_review",
        RegionWithinFilter,
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
    # The status and its dates change through decisions only, which are recorded.
    readonly_fields = [
        "status",
        "changed_since_review",
        "verified_at",
        "published_at",
        "logo",
        "brochure",
        "created_at",
        "updated_at",
    ]
    inlines = [ServiceInline, EquipmentInline, PhotoInline, ModerationDecisionInline]
    actions = [
        "approve_selected",
        "request_changes_selected",
        "reject_selected",
        "archive_selected",
    ]
    change_form_template = "admin/catalogue/infrastructure/change_form.html"
    object_history_template = "admin/catalogue/infrastructure/object_history.html"
    fieldsets = [
        (
            None,
            {"fields": ["name", "slug", "acronym", "host", "status"]},
        ),
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
            _("Review"),
            {
                "fields": [
                    "changed_since_review",
                    "verified_at",
                    "published_at",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "moderation/",
                view(self.moderation_view),
                name="catalogue_infrastructure_moderation",
            ),
            path(
                "<path:object_id>/decide/<str:action>/",
                view(self.decide_view),
                name="catalogue_infrastructure_decide",
            ),
            *super().get_urls(),
        ]

    # --- Pages -----------------------------------------------------------------

    def moderation_view(self, request: HttpRequest) -> HttpResponse:
        """The moderation queue, with counts per region and status."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        sections = moderation.queue_sections(request.user)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Moderation"),
            "opts": self.opts,
            "sections": [
                (key, QUEUE_TITLES[key], section.count(), section[:QUEUE_ROWS])
                for key, section in sections.items()
            ],
            "regions": [
                (region, [(s, getattr(region, f"count_{s}")) for s in STATUSES])
                for region in moderation.region_counts(request.user)
            ],
            "statuses": Infrastructure.Status.choices,
        }
        return TemplateResponse(request, "admin/catalogue/moderation.html", context)

    def decide_view(self, request: HttpRequest, object_id: str, action: str):
        """Confirm a decision on one listing, with a message to its staff."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None or action not in moderation.DECISIONS:
            raise Http404
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        change_url = reverse("admin:catalogue_infrastructure_change", args=[obj.pk])
        if action not in moderation.allowed_decisions(obj):
            self.message_user(
                request,
                _("“%(action)s” is not possible while the listing is “%(status)s”.")
                % {"action": Action(action).label, "status": obj.get_status_display()},
                messages.ERROR,
            )
            return redirect(change_url)
        form = DecisionForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                moderation.infrastructure_decide(
                    infrastructure=obj,
                    action=action,
                    user=request.user,
                    message=form.cleaned_data["message"],
                )
            except ValidationError as error:
                form.add_error(_error_field(error), error)
            else:
                self.message_user(request, moderation.decision_summary(action, 1))
                return redirect(change_url)
        return self._decision_page(request, [obj], action, form, single=True)

    def _decision_page(self, request, objects, action, form, *, single: bool):
        context = {
            **self.admin_site.each_context(request),
            "title": Action(action).label,
            "opts": self.opts,
            "objects": objects,
            "action": action,
            "action_label": Action(action).label,
            "form": form,
            "single": single,
            "message_required": action in moderation.MESSAGE_REQUIRED,
            "target": Infrastructure.Status(moderation.DECISIONS[action].target).label,
        }
        status = 400 if form.is_bound and form.errors else 200
        return TemplateResponse(
            request, "admin/catalogue/decision.html", context, status=status
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra_context = {**(extra_context or {}), **self._review_context(obj)}
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra_context = {**(extra_context or {}), **self._review_context(obj)}
        return super().history_view(request, object_id, extra_context)

    def _review_context(self, obj) -> dict:
        if obj is None:
            return {}
        allowed = moderation.allowed_decisions(obj)
        return {
            "decisions": [(action, Action(action).label) for action in allowed],
            "can_revert": Action.REVERT in allowed,
            "changes": moderation.changes_since_approval(obj),
        }

    # --- Bulk decisions ----------------------------------------------------------

    def _decide_selected(self, request, queryset, action: str):
        message = ""
        if action in moderation.MESSAGE_REQUIRED:
            form = DecisionForm(request.POST if "confirm" in request.POST else None)
            if not form.is_valid() or not form.cleaned_data["message"].strip():
                if form.is_bound:
                    form.add_error("message", moderation.MESSAGE_MISSING)
                return self._decision_page(
                    request, list(queryset), action, form, single=False
                )
            message = form.cleaned_data["message"]
        done, refused = moderation.infrastructures_decide(
            infrastructures=queryset, action=action, user=request.user, message=message
        )
        if done:
            self.message_user(request, moderation.decision_summary(action, done))
        for reason in refused:
            self.message_user(request, reason, messages.WARNING)
        return None

    @admin.action(description=_("Approve and publish"), permissions=["change"])
    def approve_selected(self, request, queryset):
        return self._decide_selected(request, queryset, Action.APPROVE)

    @admin.action(description=_("Request changes"), permissions=["change"])
    def request_changes_selected(self, request, queryset):
        return self._decide_selected(request, queryset, Action.REQUEST_CHANGES)

    @admin.action(
        description=_("Reject (archive the submission)"), permissions=["change"]
    )
    def reject_selected(self, request, queryset):
        return self._decide_selected(request, queryset, Action.REJECT)

    @admin.action(description=_("Archive"), permissions=["change"])
    def archive_selected(self, request, queryset):
        return self._decide_selected(request, queryset, Action.ARCHIVE)


QUEUE_ROWS = 20
STATUSES = Infrastructure.Status.values
QUEUE_TITLES = {
    "pending": _("Pending review"),
    "changed": _("Published listings changed since their last review"),
    "unverified": _("Listings not verified for 12 months"),
    "overdue": _("Access requests overdue for a response"),
}


def _error_field(error: ValidationError) -> str | None:
    return "message" if getattr(error, "code", None) == "message_required" else None


@admin.register(Service)
class ServiceAdmin(
    CatalogueExportMixin,
    ScopedInfrastructureAdmin,
    RefreshesSearch,
    SimpleHistoryAdmin,
):
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
class EquipmentAdmin(
    CatalogueExportMixin,
    ScopedInfrastructureAdmin,
    RefreshesSearch,
    SimpleHistoryAdmin,
):
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
