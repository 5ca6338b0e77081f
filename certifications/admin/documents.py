"""Admin: request documents, private and reviewed."""

from django.contrib import admin

from accounts.admin_base import (
    ScopedAdmin,
    ScopedInline,
)
from certifications import selectors
from certifications.admin.common import cases_managed
from certifications.models import (
    CaseDocument,
    SchemeDocument,
)


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


@admin.register(CaseDocument)
class CaseDocumentAdmin(ScopedAdmin):
    list_display = ["title", "case", "requirement", "review", "uploaded_by", "uploaded_at"]
    list_filter = ["review"]
    list_select_related = ["case__enterprise", "case__scheme", "requirement", "uploaded_by"]
    search_fields = ["title", "case__enterprise__name", "case__enterprise__nib"]
    autocomplete_fields = ["case"]
    readonly_fields = ["uploaded_by", "uploaded_at", "reviewed_by"]
    scoped_choices = {"case": cases_managed}

    def visible_queryset(self, request, queryset):
        documents = selectors.case_documents_visible_to(request.user)
        return queryset.filter(pk__in=documents.values("pk"))

    def editable_queryset(self, request, queryset):
        return queryset.filter(case__in=cases_managed(request).values("pk"))

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
