"""The admin base every app's ModelAdmin builds on: permissions come from roles, not groups.

- platform admins (superusers) change everything;
- national viewers read everything and change nothing;
- office staff read what ``visible_queryset`` lets through and change what
  ``editable_queryset`` lets through, on models whose ``edited_by`` is "office";
- models with ``edited_by = "superuser"`` (schemes, funders, offices, staff accounts) are
  read-only to everybody else.
Foreign-key dropdowns are narrowed by ``scoped_choices``; autocomplete goes through the
related model's own admin and so through its ``get_queryset``.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from simple_history.admin import SimpleHistoryAdmin

from accounts import roles


class ScopedAdminMixin:
    edited_by = "office"  # or "superuser"
    deletable_by_staff = False
    # field name -> callable(request) returning the queryset offered in its dropdown
    scoped_choices: dict = {}

    def visible_queryset(self, request, queryset: QuerySet) -> QuerySet:
        """What office staff may see; the default hides everything."""
        return queryset.none()

    def editable_queryset(self, request, queryset: QuerySet) -> QuerySet:
        return self.visible_queryset(request, queryset)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if roles.reads_everything(request.user):
            return queryset
        return self.visible_queryset(request, queryset)

    def has_module_permission(self, request):
        return roles.may_use_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return roles.may_use_admin(request.user)

    def _may_write(self, request) -> bool:
        user = request.user
        if roles.is_platform_admin(user):
            return True
        if self.edited_by == "superuser" or not roles.may_use_admin(user):
            return False
        return roles.is_office_staff(user)

    def has_add_permission(self, request, *args):
        return self._may_write(request)

    def has_change_permission(self, request, obj=None):
        if not self._may_write(request):
            return False
        if obj is None or roles.is_platform_admin(request.user):
            return True
        model = type(obj)
        return self.editable_queryset(request, model._default_manager.filter(pk=obj.pk)).exists()

    def has_delete_permission(self, request, obj=None):
        if roles.is_platform_admin(request.user):
            return True
        return self.deletable_by_staff and self.has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        chooser = self.scoped_choices.get(db_field.name)
        if chooser is not None and not roles.is_platform_admin(request.user):
            kwargs["queryset"] = chooser(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        chooser = self.scoped_choices.get(db_field.name)
        if chooser is not None and not roles.is_platform_admin(request.user):
            kwargs["queryset"] = chooser(request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """A scoped ModelAdmin with the history view."""


class ScopedInline(ScopedAdminMixin, admin.TabularInline):
    """A scoped inline: it may be changed by whoever may change its parent."""

    extra = 0

    def get_queryset(self, request):
        return super(ScopedAdminMixin, self).get_queryset(request)

    def has_change_permission(self, request, obj=None):
        return self._may_write(request)

    def has_add_permission(self, request, obj=None):
        return self._may_write(request)


class ReferenceAdmin(ScopedAdmin):
    """Reference data: everyone in the admin reads it, superusers change it."""

    edited_by = "superuser"

    def visible_queryset(self, request, queryset):
        return queryset
