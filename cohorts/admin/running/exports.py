"""Export records and new exporters (graduations)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts import roles
from accounts import selectors as account_selectors
from accounts.admin_base import ScopedAdmin, ScopedRelatedFieldListFilter, within
from accounts.models import Product
from cohorts import selectors
from cohorts.admin.running.common import ServiceFormMixin, _managed_program_ids, form_page
from cohorts.models import (
    ExportRecord,
    Graduation,
)
from cohorts.services import exports

# --- export records ---------------------------------------------------------------------


class ExportRecordForm(forms.ModelForm):
    actor = None  # the user filling it in, set by the admin
    usd_rate = forms.DecimalField(
        label=gettext_lazy("rupiah per US dollar"),
        required=False,
        min_value=0,
        help_text=gettext_lazy(
            "For a shipment not in USD: the dollar's rate from the same source and date, "
            "unless the value in USD is given."
        ),
    )
    value_usd = forms.DecimalField(
        label=gettext_lazy("value (USD)"),
        required=False,
        help_text=gettext_lazy("Leave empty to compute it from the USD rate."),
    )
    value = forms.DecimalField(label=gettext_lazy("value"), max_digits=18, decimal_places=2)
    exchange_rate = forms.DecimalField(
        label=gettext_lazy("exchange rate (Rp per unit)"), max_digits=18, decimal_places=4
    )

    class Meta:
        model = ExportRecord
        fields = [
            "enterprise",
            "program",
            "export_date",
            "channel",
            "peb_number",
            "peb_date",
            "npe_number",
            "exporter_name",
            "invoice_or_po_number",
            "platform_name",
            "platform_order_report",
            "airway_bill_number",
            "destination_country",
            "buyer_name",
            "product",
            "hs_code",
            "value",
            "currency",
            "exchange_rate",
            "exchange_rate_date",
            "exchange_rate_source",
        ]

    def clean(self):
        """Run the service's own checks, so a refusal shows on the form with the input kept."""
        data = super().clean()
        if self.errors or self.instance.pk:
            # a reported shipment is decided on, not edited (every field is read-only then)
            return data
        try:
            record = exports.export_record_build(actor=None, **_export_arguments(data))
            exports.require_export_staff(self.actor, record.program, record.enterprise_id)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None
        return data


def _products_visible(request) -> QuerySet[Product]:
    """Products of the enterprises the user may see."""
    visible = account_selectors.enterprises_visible_to(request.user)
    return Product.objects.filter(enterprise__in=visible.values("pk"))


def _export_arguments(data: dict) -> dict:
    return {k: v for k, v in data.items() if v is not None or k in {"exchange_rate_date"}}


class ExportDecisionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


@admin.register(ExportRecord)
class ExportRecordAdmin(ServiceFormMixin, ScopedAdmin):
    form = ExportRecordForm
    list_display = [
        "enterprise",
        "export_date",
        "channel",
        "destination",
        "value_idr",
        "value_usd",
        "status",
        "peb_flagged",
        "is_new_destination",
        "decide_link",
    ]
    list_select_related = ["enterprise"]
    list_filter = [
        "status",
        "channel",
        "peb_flagged",
        "is_new_destination",
        ("program", ScopedRelatedFieldListFilter),
    ]
    search_fields = ["enterprise__name", "peb_number", "buyer_name", "airway_bill_number"]
    autocomplete_fields = ["enterprise", "product"]
    actions = ["verify_selected"]
    scoped_choices = {
        "enterprise": lambda request: account_selectors.enterprises_visible_to(request.user),
        "program": lambda request: selectors.programs_managed_by(request.user),
        "product": lambda request: _products_visible(request),
    }
    readonly_fields = [
        "value_idr",
        "value_usd",
        "status",
        "peb_flagged",
        "is_new_destination",
        "reported_by",
        "decided_by",
        "decided_at",
        "rejection_reason",
    ]

    def visible_queryset(self, request, queryset):
        return within(queryset, selectors.exports_visible_to(request.user))

    def editable_queryset(self, request, queryset):
        # Decided by the programme's office; by the registering office only when the export
        # counts for no programme (the same rule as the export services).
        return queryset.filter(program__in=_managed_program_ids(request)) | queryset.filter(
            program__isnull=True, enterprise__registered_by_id__in=roles.office_ids(request.user)
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*ExportRecordForm.Meta.fields, "usd_rate", "value_usd"]
        return [*ExportRecordForm.Meta.fields, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # a reported shipment is decided on, not edited; its history keeps every change
        return [*ExportRecordForm.Meta.fields, *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if change:
            return
        record = exports.export_record_create(
            actor=request.user, **_export_arguments(form.cleaned_data)
        )
        obj.pk = record.pk

    @admin.display(description=gettext_lazy("decision"))
    @admin.display(description=gettext_lazy("destination country"), ordering="destination_country")
    def destination(self, obj):
        # The country's own name: the admin's generic display would look the code up in the
        # field's 250 choices, normalised again for every row.
        return obj.destination_country.name

    def decide_link(self, obj):
        url = reverse("admin:cohorts_exportrecord_decide", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Verify or reject"))

    @admin.action(description=gettext_lazy("Verify the selected exports"), permissions=["change"])
    def verify_selected(self, request, queryset):
        editable = (
            self.editable_queryset(request, queryset)
            if not roles.is_platform_admin(request.user)
            else queryset
        )
        verified = 0
        for record in editable.select_related("enterprise"):
            try:
                exports.export_verify(export_record=record, actor=request.user)
                verified += 1
            except ValidationError as error:
                messages.error(request, f"{record}: {' '.join(error.messages)}")
        if verified:
            messages.success(
                request,
                ngettext("%(count)s export verified.", "%(count)s exports verified.", verified)
                % {"count": verified},
            )

    def get_urls(self):
        return [
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="cohorts_exportrecord_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, pk):
        record = get_object_or_404(self.get_queryset(request).select_related("enterprise"), pk=pk)
        may_change = self.has_change_permission(request, record)
        form = ExportDecisionForm(request.POST or None)
        if request.method == "POST":
            if not may_change:
                raise PermissionDenied

            def decide(data):
                if "verify" in request.POST:
                    exports.export_verify(export_record=record, actor=request.user)
                    return _("The export is verified.")
                if "reject" in request.POST:
                    exports.export_reject(
                        export_record=record, actor=request.user, reason=data["reason"]
                    )
                    return _("The export is rejected.")
                if "reverse" in request.POST:
                    exports.export_verification_reverse(
                        export_record=record, actor=request.user, reason=data["reason"]
                    )
                    return _("The verification was reversed.")
                return None

            done = form_page(form, decide)
            if done is not None:
                messages.success(request, done)
                return HttpResponseRedirect(request.path)
        record.refresh_from_db()
        graduation = Graduation.objects.filter(export_record=record).order_by("-created_at").first()
        return TemplateResponse(
            request,
            "admin/cohorts/export_decide.html",
            self._context(request, record, form, may_change, graduation),
        )

    def _context(self, request, record, form, may_change, graduation):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Verify or reject: %(record)s") % {"record": record},
            "record": record,
            "form": form,
            "may_change": may_change,
            "graduation": graduation,
            "evidence": [
                (ExportRecord._meta.get_field(name).verbose_name, getattr(record, name))
                for name in exports.EVIDENCE_FIELDS
                if getattr(record, name)
            ],
        }


# --- new exporters ----------------------------------------------------------------------


@admin.register(Graduation)
class GraduationAdmin(ScopedAdmin):
    """New exporters, written by the verification service only."""

    list_display = [
        "enterprise",
        "program_names",
        "graduated_on",
        "export_record",
        "repeat_exports",
        "revoked_at",
        "revoked_by",
    ]
    list_select_related = ["enterprise", "export_record__enterprise", "revoked_by"]
    list_filter = [
        ("revoked_at", admin.EmptyFieldListFilter),
        ("programs", ScopedRelatedFieldListFilter),
    ]
    search_fields = ["enterprise__name"]

    def get_queryset(self, request):
        return selectors.graduations_with_repeat_exports(
            super().get_queryset(request)
        ).prefetch_related("programs")

    def visible_queryset(self, request, queryset):
        return queryset.filter(
            pk__in=selectors.graduations_of_programs(selectors.programs_visible_to(request.user))
        )

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("programmes"))
    def program_names(self, obj):
        return ", ".join(str(program) for program in obj.programs.all())

    @admin.display(description=gettext_lazy("repeat exports within 12 months"))
    def repeat_exports(self, obj):
        return obj.repeat_exports
