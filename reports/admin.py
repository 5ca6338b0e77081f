"""Funders' API keys (issued and revoked by platform admins) and the log of data pulls."""

import contextlib

from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from accounts import roles
from reports.models import EnterpriseDataPull, FunderAPIKey, ReportSnapshot

# The library's own keys belong to no funder and open nothing here: only funder keys are
# offered, so nobody issues a key that cannot work.
with contextlib.suppress(NotRegistered):
    admin.site.unregister(APIKey)


class SuperuserOnly:
    def has_module_permission(self, request):
        return roles.is_platform_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return roles.is_platform_admin(request.user)

    def has_add_permission(self, request):
        return roles.is_platform_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return roles.is_platform_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FunderAPIKey)
class FunderAPIKeyAdmin(SuperuserOnly, APIKeyModelAdmin):
    list_display = [*APIKeyModelAdmin.list_display, "funder", "last_used_at"]
    list_filter = ["funder", "revoked"]
    search_fields = [*APIKeyModelAdmin.search_fields, "funder__name", "funder__short_name"]
    list_select_related = ["funder"]

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "last_used_at")


@admin.register(EnterpriseDataPull)
class EnterpriseDataPullAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ["pulled_at", "endpoint", "api_key", "user", "query"]
    list_select_related = ["api_key", "user"]
    readonly_fields = ["pulled_at", "endpoint", "api_key", "user", "query"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReportSnapshot)
class ReportSnapshotAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ["name", "funder", "office", "created_at"]
    list_select_related = ["funder", "office"]
    readonly_fields = ["name", "funder", "office", "filters", "data", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
