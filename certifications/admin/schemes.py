"""Admin: certification schemes, reference data edited by platform admins."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin_base import (
    ReferenceAdmin,
    ScopedInline,
)
from certifications.models import (
    Scheme,
    SchemeDocument,
    SchemeMilestone,
)

# --- Schemes: reference data, edited by platform admins ---


class SchemeMilestoneInline(ScopedInline):
    model = SchemeMilestone
    edited_by = "superuser"
    fields = ["order", "name_id", "name_en"]


class SchemeDocumentInline(ScopedInline):
    model = SchemeDocument
    edited_by = "superuser"
    fields = ["code", "name_id", "name_en", "required", "sensitive"]


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
