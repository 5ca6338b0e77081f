"""Admin: assistance requests, scoped to the assisting office."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts import selectors as account_selectors
from accounts.admin_base import (
    ReadOnlyInline,
    ScopedAdmin,
    ScopedRelatedFieldListFilter,
)
from accounts.models import Product
from certifications import selectors
from certifications.admin.common import cases_managed
from certifications.admin.documents import CaseDocumentInline
from certifications.models import (
    Case,
    CaseDocument,
    CaseEvent,
    SchemeMilestone,
)
from cohorts import selectors as cohort_selectors

# --- Requests: scoped to the assisting office ---


def _products_choosable(request):
    enterprises = account_selectors.enterprises_visible_to(request.user)
    return Product.objects.filter(enterprise__in=enterprises.values("pk")).select_related(
        "enterprise"
    )


class CaseForm(forms.ModelForm):
    """The admin builds the fields; this adds the checks across them."""

    def clean(self):
        cleaned = super().clean()
        enterprise = cleaned.get("enterprise")
        scheme = cleaned.get("scheme")
        products = cleaned.get("products")
        if enterprise and products is not None:
            foreign = [p.name for p in products if p.enterprise_id != enterprise.pk]
            if foreign:
                self.add_error(
                    "products",
                    _("These products belong to another enterprise: %(names)s")
                    % {"names": ", ".join(foreign)},
                )
        milestone = cleaned.get("current_milestone")
        if milestone and scheme and milestone.scheme_id != scheme.pk:
            self.add_error("current_milestone", _("This milestone belongs to another scheme."))
        renewal_of = cleaned.get("renewal_of")
        if renewal_of and enterprise and renewal_of.case.enterprise_id != enterprise.pk:
            self.add_error(
                "renewal_of", _("A renewal continues a certificate of the same enterprise.")
            )
        return cleaned


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ["created_at", "from_status", "to_status", "actor", "note"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Case)
class CaseAdmin(ScopedAdmin):
    form = CaseForm
    list_display = [
        "__str__",
        "enterprise",
        "scheme",
        "office",
        "program",
        "officer",
        "status",
        "current_milestone",
        "target_date",
        "requested_at",
    ]
    list_display_links = ["__str__"]
    list_filter = [
        "status",
        "scheme__family",
        ("scheme", ScopedRelatedFieldListFilter),
        ("office", ScopedRelatedFieldListFilter),
        ("program", ScopedRelatedFieldListFilter),
        ("subsidy_funder", ScopedRelatedFieldListFilter),
    ]
    list_select_related = [
        "enterprise",
        "scheme",
        "office",
        "program",
        "officer",
        "current_milestone",
    ]
    search_fields = [
        "enterprise__name",
        "enterprise__nib",
        "enterprise__owner_name",
        "scheme__name_id",
        "scheme__name_en",
        "scheme__code",
    ]
    date_hierarchy = "requested_at"
    autocomplete_fields = [
        "enterprise",
        "scheme",
        "program",
        "products",
        "subsidy_funder",
        "renewal_of",
    ]
    # Moving a request along is a service's job (with its event row); here it is shown only.
    readonly_fields = ["status", "requested_at", "submitted_at", "decided_at"]
    inlines = [CaseDocumentInline, CaseEventInline]
    scoped_choices = {
        "enterprise": lambda request: account_selectors.enterprises_visible_to(request.user),
        "office": lambda request: account_selectors.offices_visible_to(request.user),
        "program": lambda request: cohort_selectors.programs_managed_by(request.user),
        "officer": lambda request: account_selectors.office_staff_visible_to(request.user),
        "products": _products_choosable,
        "renewal_of": lambda request: selectors.certificates_visible_to(request.user),
    }

    def get_fieldsets(self, request, obj=None):
        request_fields = ["enterprise", "scheme", "products", "office", "program", "officer"]
        progress = ["status", "target_date", "requested_at", "submitted_at", "decided_at"]
        if obj is not None:
            progress.insert(1, "current_milestone")
        return [
            (None, {"fields": request_fields}),
            (_("Progress"), {"fields": progress}),
            (_("Cost"), {"fields": ["cost", "subsidy", "subsidy_funder"]}),
            (_("Renewal"), {"fields": ["renewal_of"]}),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        field = form.base_fields.get("current_milestone")
        if field is not None and obj is not None:
            field.queryset = SchemeMilestone.objects.filter(scheme_id=obj.scheme_id)
        return form

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        offices = sorted(roles.office_ids(request.user))
        if len(offices) == 1:
            initial.setdefault("office", offices[0])
        return initial

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=selectors.cases_visible_to(request.user).values("pk"))

    def editable_queryset(self, request, queryset):
        return queryset.filter(pk__in=cases_managed(request).values("pk"))

    def save_formset(self, request, form, formset, change):
        if formset.model is CaseDocument:
            for inline_form in formset.forms:
                document = inline_form.instance
                if not inline_form.has_changed():
                    continue
                if document.pk is None:
                    document.uploaded_by = request.user
                if "review" in inline_form.changed_data:
                    document.reviewed_by = request.user
        super().save_formset(request, form, formset, change)


@admin.register(CaseEvent)
class CaseEventAdmin(ScopedAdmin):
    """The timeline of requests: written by the services that move them, never by hand."""

    edited_by = "nobody"
    list_display = ["case", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["to_status"]
    list_select_related = ["case__enterprise", "case__scheme", "actor"]
    search_fields = ["case__enterprise__name", "note"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in CaseEvent._meta.fields if f.name != "id"]

    def visible_queryset(self, request, queryset):
        events = selectors.case_events_visible_to(request.user)
        return queryset.filter(pk__in=events.values("pk"))
