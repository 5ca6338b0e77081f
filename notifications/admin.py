from django.contrib import admin

from accounts.admin_base import ScopedAdmin
from notifications.models import Reminder


@admin.register(Reminder)
class ReminderAdmin(ScopedAdmin):
    """The outbox, read by platform admins; rows are written by services, never by hand."""

    edited_by = "superuser"
    list_display = ["title", "kind", "recipient", "due_at", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "channel"]
    list_select_related = ["recipient"]
    search_fields = ["title", "unique_key", "recipient__email"]
    readonly_fields = [f.name for f in Reminder._meta.fields if f.name != "id"]

    def has_add_permission(self, request, *args):
        return False
