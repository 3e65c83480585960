from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    CompanyMembership,
    InfrastructureMembership,
    Invitation,
    RegionAdministration,
    User,
)
from .scoping import ScopedInfrastructureAdmin


class InfrastructureMembershipInline(admin.TabularInline):
    model = InfrastructureMembership
    extra = 0
    autocomplete_fields = ["infrastructure"]


class RegionAdministrationInline(admin.TabularInline):
    model = RegionAdministration
    extra = 0
    autocomplete_fields = ["region"]


class CompanyMembershipInline(admin.TabularInline):
    model = CompanyMembership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Personal information"),
            {"fields": ["first_name", "last_name", "preferred_language"]},
        ),
        (
            _("Permissions"),
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]
    inlines = [
        InfrastructureMembershipInline,
        RegionAdministrationInline,
        CompanyMembershipInline,
    ]


@admin.register(InfrastructureMembership)
class InfrastructureMembershipAdmin(ScopedInfrastructureAdmin, admin.ModelAdmin):
    list_display = ["user", "infrastructure", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "infrastructure__name"]
    autocomplete_fields = ["user", "infrastructure"]
    list_select_related = ["user", "infrastructure"]


@admin.register(RegionAdministration)
class RegionAdministrationAdmin(admin.ModelAdmin):
    list_display = ["user", "region", "created_at"]
    search_fields = ["user__email", "region__code", "region__name"]
    autocomplete_fields = ["user", "region"]
    list_select_related = ["user", "region"]


@admin.register(CompanyMembership)
class CompanyMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "job_title", "created_at"]
    search_fields = ["user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(ScopedInfrastructureAdmin, admin.ModelAdmin):
    list_display = ["email", "infrastructure", "role", "created_at", "accepted_at"]
    list_filter = ["role"]
    search_fields = ["email", "infrastructure__name"]
    autocomplete_fields = ["infrastructure", "invited_by", "accepted_by"]
    list_select_related = ["infrastructure"]
    readonly_fields = ["accepted_at", "accepted_by"]
