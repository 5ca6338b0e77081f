from django.contrib import admin

from accounts.admin_base import ScopedAdmin
from notifications.models import Reminder


@admin.register(Reminder)
class ReminderAdmin(ScopedAdmin):
    """The outbox, read-only: rows are written by services, never by hand.

    Platform admins and national viewers read every row; office staff read the reminders
    addressed to them.
    """

    edited_by = "nobody"
    list_display = ["title", "kind", "recipient", "due_at", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "channel"]
    list_select_related = ["recipient"]
    search_fields = ["title", "unique_key", "recipient__email"]
    date_hierarchy = "due_at"
    readonly_fields = [f.name for f in Reminder._meta.fields if f.name != "id"]

    def visible_queryset(self, request, queryset):
        return queryset.filter(recipient=request.user)
