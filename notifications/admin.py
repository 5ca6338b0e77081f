from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import roles
from accounts.admin_base import ScopedAdmin, within
from notifications import services
from notifications.models import Reminder
from notifications.selectors import reminders_for_offices


@admin.register(Reminder)
class ReminderAdmin(ScopedAdmin):
    """The outbox: rows are written by services, never by hand; resend and cancel go through
    the services too.

    Platform admins and national viewers read every row; office staff read the reminders sent
    to their programmes' participants and to their office's staff.
    """

    edited_by = "nobody"
    change_list_template = "notifications/admin/reminder_change_list.html"
    list_display = ["title", "kind", "recipient", "due_at", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "due_at", "channel"]
    list_select_related = ["recipient"]
    search_fields = ["title", "unique_key", "recipient__email"]
    date_hierarchy = "due_at"
    readonly_fields = [f.name for f in Reminder._meta.fields if f.name != "id"]
    actions = ["resend", "cancel"]

    def visible_queryset(self, request, queryset):
        offices = within(queryset, reminders_for_offices(roles.office_ids(request.user)))
        return offices | queryset.filter(recipient=request.user)

    def has_resend_permission(self, request):
        return roles.is_platform_admin(request.user) or roles.is_office_staff(request.user)

    has_cancel_permission = has_resend_permission

    @admin.action(description=_("Send the selected reminders again"), permissions=["resend"])
    def resend(self, request, queryset):
        count = services.reminders_resend(ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)s failed or cancelled reminder waits to be sent again.",
                "%(count)s failed or cancelled reminders wait to be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )

    @admin.action(description=_("Cancel the selected reminders"), permissions=["cancel"])
    def cancel(self, request, queryset):
        count = services.reminders_cancel(ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)s waiting or failed reminder is cancelled.",
                "%(count)s waiting or failed reminders are cancelled.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )

    def changelist_view(self, request, extra_context=None):
        counts = dict(
            self.get_queryset(request)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        status_counts = [
            (label, counts.get(value, 0), value) for value, label in Reminder.Status.choices
        ]
        return super().changelist_view(
            request, {**(extra_context or {}), "status_counts": status_counts}
        )
