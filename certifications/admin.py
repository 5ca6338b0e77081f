"""Admin: certification schemes (superusers) and assistance requests (the assisting office)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts import selectors as account_selectors
from accounts.admin_base import (
    ReadOnlyInline,
    ReferenceAdmin,
    ScopedAdmin,
    ScopedInline,
    ScopedRelatedFieldListFilter,
)
from accounts.models import Product
from certifications import selectors
from certifications.models import (
    Case,
    CaseDocument,
    CaseEvent,
    Certificate,
    Scheme,
    SchemeDocument,
    SchemeMilestone,
)
from cohorts import selectors as cohort_selectors

# --- Schemes: reference data, edited by platform admins ---


class SchemeMilestoneInline(ScopedInline):
    model = SchemeMilestone
    edited_by = "superuser"
    fields = ["order", "name_id", "name_en"]


class SchemeDocumentInline(ScopedInline):
    model = SchemeDocument
    edited_by = "superuser"
    fields = ["code", "name_id", "name_en", "required"]


class SchemeForm(forms.ModelForm):
    """The admin builds the fields; this adds the checks across them."""

    def clean_prerequisites(self):
        prerequisites = self.cleaned_data.get("prerequisites")
        own_pk = self.instance.pk
        if prerequisites is not None and own_pk and prerequisites.filter(pk=own_pk).exists():
            raise forms.ValidationError(_("A scheme cannot be its own prerequisite."))
        return prerequisites


@admin.register(Scheme)
class SchemeAdmin(ReferenceAdmin):
    form = SchemeForm
    list_display = [
        "name_id",
        "name_en",
        "code",
        "family",
        "issuing_body",
        "validity_months",
        "validity_from",
        "is_active",
    ]
    list_filter = ["family", "validity_from", "is_active"]
    search_fields = ["name_id", "name_en", "code", "issuing_body"]
    autocomplete_fields = ["prerequisites"]
    inlines = [SchemeMilestoneInline, SchemeDocumentInline]


# --- Requests: scoped to the assisting office ---


def _cases_managed(request):
    return selectors.cases_managed_by(request.user)


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


class CaseDocumentInline(ScopedInline):
    model = CaseDocument
    fields = ["title", "requirement", "file", "review", "review_note", "uploaded_by", "uploaded_at"]
    readonly_fields = ["uploaded_by", "uploaded_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("requirement", "uploaded_by")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("requirement")
        if field is not None:
            field.queryset = (
                SchemeDocument.objects.filter(scheme_id=obj.scheme_id)
                if obj is not None
                else SchemeDocument.objects.none()
            )
        return formset


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
        return queryset.filter(pk__in=_cases_managed(request).values("pk"))

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
        "case": lambda request: _cases_managed(request).filter(status=Case.Status.GRANTED),
    }

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=selectors.certificates_visible_to(request.user).values("pk"))

    def editable_queryset(self, request, queryset):
        managed = selectors.certificates_managed_by(request.user)
        return queryset.filter(pk__in=managed.values("pk"))


@admin.register(CaseDocument)
class CaseDocumentAdmin(ScopedAdmin):
    list_display = ["title", "case", "requirement", "review", "uploaded_by", "uploaded_at"]
    list_filter = ["review"]
    list_select_related = ["case__enterprise", "case__scheme", "requirement", "uploaded_by"]
    search_fields = ["title", "case__enterprise__name", "case__enterprise__nib"]
    autocomplete_fields = ["case"]
    readonly_fields = ["uploaded_by", "uploaded_at", "reviewed_by"]
    scoped_choices = {"case": _cases_managed}

    def visible_queryset(self, request, queryset):
        documents = selectors.case_documents_visible_to(request.user)
        return queryset.filter(pk__in=documents.values("pk"))

    def editable_queryset(self, request, queryset):
        return queryset.filter(case__in=_cases_managed(request).values("pk"))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        field = form.base_fields.get("requirement")
        if field is not None and obj is not None:
            field.queryset = SchemeDocument.objects.filter(scheme_id=obj.case.scheme_id)
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        if "review" in form.changed_data:
            obj.reviewed_by = request.user
        super().save_model(request, obj, form, change)


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
