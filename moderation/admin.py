"""The partner admins' console: the listings' admin, with the moderation queue,
the counts per region and status, decisions on one listing or a selection, and
what changed since the last approval."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts import permissions
from accounts.models import User
from accounts.scoping import RegionScopedAdmin
from catalogue import services
from catalogue.admin import (
    EquipmentInline,
    ModerationDecisionInline,
    PhotoInline,
    RefreshesSearch,
    ServiceInline,
)
from catalogue.completeness import completeness
from catalogue.models import Infrastructure, ModerationDecision

from . import queue

Action = ModerationDecision.Action


# Sections of the change page shown closed (as <details>, which needs no
# JavaScript): the name, status and lifecycle, and the review dates, stay open.
# The admin opens a section holding a field with an error.
COLLAPSED = ["collapse"]


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
            return queryset.unverified_since(queue.verification_due_before())
        return queryset


class RegionWithinFilter(admin.SimpleListFilter):
    """Listings of a region or of any region under it."""

    title = _("region and below")
    parameter_name = "within"

    def lookups(self, request, model_admin):
        return [(region.code, str(region)) for region in _dashboard_regions(request)]

    def queryset(self, request, queryset):
        code = self.value()
        if code:
            return queryset.filter(permissions.within("region", [code]))
        return queryset


def _admin_user(request: HttpRequest) -> User:
    """The user of an admin page: the admin site lets only signed-in staff in."""
    assert isinstance(request.user, User)
    return request.user


def _dashboard_regions(request: HttpRequest) -> models.QuerySet:
    return queue.dashboard_regions(_admin_user(request))


class DecisionForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the staff"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 70}),
        help_text=_("Emailed to the staff and shown in their workspace."),
    )


@admin.register(Infrastructure)
class InfrastructureAdmin(RegionScopedAdmin, RefreshesSearch, SimpleHistoryAdmin):
    def listings_showing(self, objects: Iterable[Any]) -> Iterable[int]:
        return [obj.pk for obj in objects]

    def save_model(self, request, obj, form, change) -> None:
        services.listing_save(infrastructure=obj, source=services.ADMIN)

    list_display = ["name", "acronym", "host", "region", "city", "status", "updated_at"]
    list_filter = [
        QueueFilter,
        "status",
        "changed_since_review",
        RegionWithinFilter,
        # Every term of the vocabulary: finding the terms in use read every row.
        "kets",
        "types",
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
    show_full_result_count = False
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
    object_history_list_template = "admin/catalogue/infrastructure/_history_list.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "acronym",
                    "host",
                    "status",
                    "lifecycle",
                    "lifecycle_note",
                ]
            },
        ),
        (
            _("Location"),
            {
                "classes": COLLAPSED,
                "fields": ["region", "address", "city", "latitude", "longitude"],
            },
        ),
        (
            _("Description"),
            {
                "classes": COLLAPSED,
                "fields": [
                    "summary",
                    "summary_from_description",
                    "description",
                    "website",
                    "access_policy",
                    "sme_offer",
                ],
            },
        ),
        (
            _("Classification"),
            {
                "classes": COLLAPSED,
                "fields": [
                    "types",
                    "structure",
                    "kets",
                    "scientific_domains",
                    "ris3_priorities",
                    "languages",
                ],
            },
        ),
        (
            _("Contact"),
            {
                "classes": COLLAPSED,
                "fields": ["contact_email", "contact_name", "contact_phone"],
            },
        ),
        (_("Media"), {"classes": COLLAPSED, "fields": ["logo", "brochure"]}),
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
        sections = queue.queue_sections(_admin_user(request))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Moderation"),
            "opts": self.opts,
            "sections": [
                (key, QUEUE_TITLES[key], section.count(), _first_rows(key, section))
                for key, section in sections.items()
            ],
            "regions": [
                (region, [(s, getattr(region, f"count_{s}")) for s in STATUSES])
                for region in queue.region_counts(_admin_user(request))
            ],
            "statuses": Infrastructure.Status.choices,
        }
        return TemplateResponse(request, "admin/catalogue/moderation.html", context)

    def decide_view(self, request: HttpRequest, object_id: str, action: str):
        """Confirm a decision on one listing, with a message to its staff."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None or action not in services.DECISIONS:
            raise Http404
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        change_url = reverse("admin:catalogue_infrastructure_change", args=[obj.pk])
        if action not in services.allowed_decisions(obj):
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
                services.infrastructure_transition(
                    infrastructure=obj,
                    action=action,
                    user=_admin_user(request),
                    message=form.cleaned_data["message"],
                )
            except ValidationError as error:
                form.add_error(_error_field(error), error)
            else:
                self.message_user(request, services.transition_summary(action, 1))
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
            "message_required": action in services.MESSAGE_REQUIRED,
            "target": Infrastructure.Status(services.DECISIONS[action].target).label,
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
        allowed = services.allowed_decisions(obj)
        return {
            "decisions": [(action, Action(action).label) for action in allowed],
            "can_revert": Action.REVERT in allowed,
            "changes": services.changes_since_approval(obj),
        }

    # --- Bulk decisions ----------------------------------------------------------

    def _decide_selected(self, request, queryset, action: str):
        message = ""
        if action in services.MESSAGE_REQUIRED:
            form = DecisionForm(request.POST if "confirm" in request.POST else None)
            if not form.is_valid() or not form.cleaned_data["message"].strip():
                if form.is_bound:
                    form.add_error("message", services.MESSAGE_MISSING)
                return self._decision_page(
                    request, list(queryset), action, form, single=False
                )
            message = form.cleaned_data["message"]
        done, refused = services.infrastructures_transition(
            infrastructures=queryset,
            action=action,
            user=_admin_user(request),
            message=message,
        )
        if done:
            self.message_user(request, services.transition_summary(action, done))
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


def _first_rows(key: str, section: models.QuerySet) -> list:
    """The first rows of a queue section; listings with what they still lack."""
    if key == "overdue":
        return list(section[:QUEUE_ROWS])
    listings = list(section.with_completeness_counts()[:QUEUE_ROWS])  # type: ignore[attr-defined]
    for listing in listings:
        listing.completeness = completeness(listing)
    return listings
