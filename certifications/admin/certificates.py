"""Admin: certificates, read from their requests and changed by services."""

from django.contrib import admin

from accounts.admin_base import (
    ScopedAdmin,
)
from certifications import selectors
from certifications.admin.common import cases_managed
from certifications.models import (
    Case,
    Certificate,
)


@admin.register(Certificate)
class CertificateAdmin(ScopedAdmin):
    list_display = [
        "number",
        "case",
        "status",
        "issue_date",
        "expiry_date",
        "next_surveillance_date",
    ]
    list_filter = ["status", "case__scheme__family", "expiry_date"]
    list_select_related = ["case__enterprise", "case__scheme"]
    search_fields = ["number", "case__enterprise__name", "case__enterprise__nib"]
    autocomplete_fields = ["case"]
    date_hierarchy = "issue_date"
    # Suspending, withdrawing and renewing a certificate are services of their own; until
    # then the status and the dates it follows from are shown, not typed.
    readonly_fields = ["status", "expiry_date", "next_surveillance_date"]
    scoped_choices = {
        "case": lambda request: cases_managed(request).filter(status=Case.Status.GRANTED),
    }

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=selectors.certificates_visible_to(request.user).values("pk"))

    def editable_queryset(self, request, queryset):
        managed = selectors.certificates_managed_by(request.user)
        return queryset.filter(pk__in=managed.values("pk"))
