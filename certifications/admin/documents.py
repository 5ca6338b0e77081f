"""Admin: request documents, private, uploaded and reviewed through the services.

A document is added by ``document_upload`` (its type read from its content) and reviewed by
``document_review``; no form writes a document row or its review directly. Files open
through the permission-checked view, never by a URL of their own.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.admin_base import ScopedAdmin, ScopedInline
from certifications import selectors, services
from certifications.admin.common import cases_managed
from certifications.models import CaseDocument, SchemeDocument
from cohorts.admin.running.common import ServiceFormMixin, refusal_onto_form

REVIEW_DECISIONS = [
    ("", "—"),
    (CaseDocument.Review.APPROVED, CaseDocument.Review.APPROVED.label),
    (CaseDocument.Review.CHANGES_NEEDED, CaseDocument.Review.CHANGES_NEEDED.label),
]


def with_may_open(queryset, request):
    """Each document knows whether this user may open its file (one subquery)."""
    openable = selectors.case_documents_openable_by(request.user).filter(pk=OuterRef("pk"))
    return queryset.annotate(may_open=Exists(openable))


def _requirement_label(document: SchemeDocument) -> str:
    kind = _("required") if document.required else _("optional")
    return f"{document.name} ({kind})"


class DocumentUploadForm(forms.ModelForm):
    """A new document: its file is checked here (type from content, size, empty) so a
    refusal sits beside the file field and nothing is stored."""

    title = forms.CharField(
        label=gettext_lazy("title"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Leave empty to use the name of the document asked for."),
    )

    class Meta:
        model = CaseDocument
        fields = ["requirement", "title", "file"]

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            try:
                services.document_file_check(upload)
            except ValidationError as error:
                refusal_onto_form(self, error)
        if not data.get("title"):
            requirement = data.get("requirement")
            if requirement is None:
                self.add_error("title", _("Name the document."))
            else:
                data["title"] = requirement.name[:200]
        return data


class DocumentReviewForm(forms.ModelForm):
    """A review: approve, or ask for changes saying what."""

    decision = forms.ChoiceField(
        label=gettext_lazy("decision"), choices=REVIEW_DECISIONS, required=False
    )
    comment = forms.CharField(
        label=gettext_lazy("comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 30}),
    )

    class Meta:
        model = CaseDocument
        fields: list[str] = []

    def clean(self):
        data = super().clean()
        if (
            data.get("decision") == CaseDocument.Review.CHANGES_NEEDED
            and not (data.get("comment") or "").strip()
        ):
            self.add_error("comment", _("Say what needs to change."))
        return data


class DocumentDisplayMixin:
    """Read-only columns shared by the inline and the document admin."""

    @admin.display(description=gettext_lazy("document"))
    def document(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        name = obj.original_name or obj.title
        parts = [format_html("<strong>{}</strong>", obj.title)]
        if not obj.file:
            parts.append(format_html("<em>{}</em>", _("the file was removed")))
        elif getattr(obj, "may_open", False):
            url = reverse("certifications:document", args=[obj.pk])
            parts.append(
                format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, name)
            )
        else:
            parts.append(format_html("{}", name))
        parts.append(format_html("{}", filesizeformat(obj.size)))
        if obj.sensitive:
            parts.append(format_html('<span class="nk-sensitive">{}</span>', _("sensitive")))
        return format_html_join(mark_safe("<br>"), "{}", ((p,) for p in parts))

    @admin.display(description=gettext_lazy("uploaded"))
    def uploaded(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        who = obj.uploaded_by.get_full_name() if obj.uploaded_by else "—"
        when = date_format(timezone.localtime(obj.uploaded_at), "DATETIME_FORMAT")
        return format_html("{}<br>{}", who, when)

    @admin.display(description=gettext_lazy("review"))
    def review_state(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        lines = [obj.get_review_display()]
        if obj.review_note:
            lines.append(obj.review_note)
        if obj.reviewed_by:
            lines.append(
                f"{obj.reviewed_by.get_full_name()}, "
                f"{date_format(timezone.localtime(obj.reviewed_at), 'DATE_FORMAT')}"
                if obj.reviewed_at
                else obj.reviewed_by.get_full_name()
            )
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))


class CaseDocumentReviewInline(DocumentDisplayMixin, ScopedInline):
    """The request's documents, each with its review; decided through ``document_review``."""

    model = CaseDocument
    form = DocumentReviewForm
    classes = ["nk-quiet-original"]
    can_delete = False
    verbose_name = gettext_lazy("document")
    verbose_name_plural = gettext_lazy("documents")
    readonly_fields = ["document", "uploaded", "review_state"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("uploaded_by", "reviewed_by")
        return with_may_open(queryset, request)

    def get_fields(self, request, obj=None):
        fields = ["document", "uploaded", "review_state"]
        if obj is not None and obj.is_open and self.has_change_permission(request, obj):
            fields += ["decision", "comment"]
        return fields

    def has_add_permission(self, request, obj=None):
        return False


class CaseDocumentUploadInline(ScopedInline):
    """Adding documents to an open request, through ``document_upload``."""

    model = CaseDocument
    form = DocumentUploadForm
    extra = 1
    can_delete = False
    verbose_name = gettext_lazy("new document")
    verbose_name_plural = gettext_lazy("add documents")
    fields = ["requirement", "title", "file"]

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("requirement")
        if field is not None:
            field.queryset = (
                SchemeDocument.objects.filter(scheme_id=obj.scheme_id)
                if obj is not None
                else SchemeDocument.objects.none()
            )
            field.label_from_instance = _requirement_label
        return formset


def save_document_formset(request, formset) -> bool:
    """Run a document inline's rows through the services; True when it was one of them."""
    case = formset.instance
    # What the admin's change message reads from a saved formset: the services wrote the rows.
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    if issubclass(formset.form, DocumentReviewForm):
        for form in formset.forms:
            decision = form.cleaned_data.get("decision")
            if decision:
                services.document_review(
                    document=form.instance,
                    actor=request.user,
                    decision=decision,
                    comment=form.cleaned_data.get("comment", ""),
                )
        return True
    if issubclass(formset.form, DocumentUploadForm):
        for form in formset.forms:
            if form.has_changed() and form.cleaned_data.get("file"):
                services.document_upload(
                    case=case,
                    actor=request.user,
                    file=form.cleaned_data["file"],
                    requirement=form.cleaned_data.get("requirement"),
                    title=form.cleaned_data.get("title", ""),
                )
        return True
    return False


# --- The documents list ---------------------------------------------------------------------


class CaseDocumentAddForm(DocumentUploadForm):
    class Meta:
        model = CaseDocument
        fields = ["case", "requirement", "title", "file"]


@admin.register(CaseDocument)
class CaseDocumentAdmin(ServiceFormMixin, DocumentDisplayMixin, ScopedAdmin):
    list_display = ["title", "case", "requirement", "review", "sensitive", "uploaded_at"]
    list_filter = ["review", "sensitive"]
    list_select_related = ["case__enterprise", "case__scheme", "requirement"]
    search_fields = ["title", "case__enterprise__name", "case__enterprise__nib"]
    autocomplete_fields = ["case"]
    scoped_choices = {"case": cases_managed}

    def get_queryset(self, request):
        # No select_related here: the list applies its own ``list_select_related`` only to a
        # queryset that has none yet.
        return with_may_open(super().get_queryset(request), request)

    def visible_queryset(self, request, queryset):
        documents = selectors.case_documents_visible_to(request.user)
        return queryset.filter(pk__in=documents.values("pk"))

    def editable_queryset(self, request, queryset):
        return queryset.filter(case__in=cases_managed(request).values("pk"))

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = DocumentReviewForm if obj is not None else CaseDocumentAddForm
        form = super().get_form(request, obj, change=change, **kwargs)
        field = form.base_fields.get("requirement")
        if field is not None:
            field.queryset = SchemeDocument.objects.select_related("scheme")
            field.label_from_instance = lambda d: f"{d.scheme} — {_requirement_label(d)}"
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["case", "requirement", "title", "file"]
        fields = ["case", "document", "uploaded", "review_state"]
        if obj.case.is_open and self.has_change_permission(request, obj):
            fields += ["decision", "comment"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["case", "document", "uploaded", "review_state"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            document = services.document_upload(
                case=data["case"],
                actor=request.user,
                file=data["file"],
                requirement=data.get("requirement"),
                title=data.get("title", ""),
            )
            obj.pk = document.pk
        elif data.get("decision"):
            services.document_review(
                document=obj,
                actor=request.user,
                decision=data["decision"],
                comment=data.get("comment", ""),
            )

    def save_related(self, request, form, formsets, change):
        """The services wrote everything there is to write."""
