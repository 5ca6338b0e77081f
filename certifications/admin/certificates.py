"""Admin: certificates, written by the grant and changed only through their services.

The certificate page shows everything read-only and offers the moves its status allows,
each on a form page: suspend, reinstate, revoke (after a confirmation), correct the expiry,
record a surveillance audit, open a renewal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.admin_base import ScopedAdmin
from certifications import selectors, services
from certifications.admin.common import dry_run, page_context
from certifications.models import Case, Certificate
from cohorts.admin.running.common import form_page

C = Certificate.Status


def _text(label, rows=3):
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": rows, "cols": 60})
    )


def _date(label, help_text=""):
    return forms.DateField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class CertificateReasonForm(forms.Form):
    reason = _text(gettext_lazy("reason"))


class CertificateExpiryForm(forms.Form):
    expiry_date = _date(gettext_lazy("valid until"))
    no_expiry = forms.BooleanField(label=gettext_lazy("does not expire"), required=False)
    reason = _text(gettext_lazy("reason for the correction"))

    def clean(self):
        data = super().clean()
        if data.get("expiry_date") is None and not data.get("no_expiry"):
            self.add_error("expiry_date", _("Give the new expiry date, or tick “does not expire”."))
        if data.get("expiry_date") is not None and data.get("no_expiry"):
            self.add_error("no_expiry", _("Either a date or “does not expire”, not both."))
        return data


class SurveillanceForm(forms.Form):
    audit_date = _date(gettext_lazy("audit date"))
    note = _text(gettext_lazy("note (kept on the timeline)"), rows=2)


class RenewalForm(forms.Form):
    note = _text(gettext_lazy("note (kept on the timeline)"), rows=2)


@dataclass(frozen=True)
class CertificateAct:
    name: str
    label: str
    form: type[forms.Form]
    run: Callable
    applies: Callable[[Certificate], bool]
    confirm: bool = False


def _renewable(certificate: Certificate) -> bool:
    return certificate.status != C.REVOKED and not any(
        case.status in Case.OPEN_STATUSES for case in certificate.renewals.all()
    )


ACTS = {
    act.name: act
    for act in (
        CertificateAct(
            "suspend",
            gettext_lazy("Suspend"),
            CertificateReasonForm,
            lambda c, actor, d: services.certificate_suspend(
                certificate=c, actor=actor, reason=d["reason"]
            ),
            lambda c: c.status == C.ACTIVE,
        ),
        CertificateAct(
            "reinstate",
            gettext_lazy("Reinstate"),
            CertificateReasonForm,
            lambda c, actor, d: services.certificate_reinstate(
                certificate=c, actor=actor, reason=d["reason"]
            ),
            lambda c: c.status == C.SUSPENDED,
        ),
        CertificateAct(
            "revoke",
            gettext_lazy("Revoke"),
            CertificateReasonForm,
            lambda c, actor, d: services.certificate_revoke(
                certificate=c, actor=actor, reason=d["reason"]
            ),
            lambda c: c.status in (C.ACTIVE, C.SUSPENDED),
            confirm=True,
        ),
        CertificateAct(
            "correct-expiry",
            gettext_lazy("Correct the expiry date"),
            CertificateExpiryForm,
            lambda c, actor, d: services.certificate_correct_expiry(
                certificate=c, actor=actor, expiry_date=d["expiry_date"], reason=d["reason"]
            ),
            lambda c: c.status != C.REVOKED,
        ),
        CertificateAct(
            "surveillance",
            gettext_lazy("Record a surveillance audit"),
            SurveillanceForm,
            lambda c, actor, d: services.certificate_record_surveillance(
                certificate=c, actor=actor, audit_date=d["audit_date"], note=d["note"]
            ),
            lambda c: c.status == C.ACTIVE and bool(c.case.scheme.surveillance_months),
        ),
        CertificateAct(
            "renew",
            gettext_lazy("Open a renewal"),
            RenewalForm,
            lambda c, actor, d: services.certificate_open_renewal(
                certificate=c, actor=actor, note=d["note"]
            ),
            _renewable,
        ),
    )
}
DONE_MESSAGES = {
    "suspend": gettext_lazy("The certificate is suspended."),
    "reinstate": gettext_lazy("The certificate is active again."),
    "revoke": gettext_lazy("The certificate is revoked."),
    "correct-expiry": gettext_lazy("The expiry date is corrected."),
    "surveillance": gettext_lazy("The surveillance audit is recorded."),
    "renew": gettext_lazy("The renewal is opened as a new request."),
}


def _revoke_consequences(certificate: Certificate, data: dict) -> list[str]:
    return [
        _("Certificate %(number)s becomes “%(status)s”; this cannot be undone.")
        % {"number": certificate.number, "status": C.REVOKED.label},
        _("It no longer counts as held, also where another scheme requires it."),
        _("It cannot be renewed; a new request would start again."),
        _("The reason is kept on the timeline: %(reason)s") % data,
    ]


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
    date_hierarchy = "issue_date"
    fields = [
        "number",
        "case",
        "status",
        "filing_date",
        "issue_date",
        "expiry_date",
        "next_surveillance_date",
    ]
    # Written by the grant; every later change is one of the services offered on its page.
    readonly_fields = fields

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=selectors.certificates_visible_to(request.user).values("pk"))

    def editable_queryset(self, request, queryset):
        managed = selectors.certificates_managed_by(request.user)
        return queryset.filter(pk__in=managed.values("pk"))

    def has_add_permission(self, request, *args):
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/act/<slug:act>/",
                self.admin_site.admin_view(self.act_view),
                name="certifications_certificate_act",
            ),
            *super().get_urls(),
        ]

    def act_links(self, certificate) -> list[tuple[str, str, str]]:
        return [
            (
                reverse("admin:certifications_certificate_act", args=[certificate.pk, act.name]),
                str(act.label),
                act.name,
            )
            for act in ACTS.values()
            if act.applies(certificate)
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        certificate = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        if certificate is not None and self.has_change_permission(request, certificate):
            extra_context["act_links"] = self.act_links(certificate)
        return super().change_view(request, object_id, form_url, extra_context)

    def act_view(self, request, pk, act):
        certificate = get_object_or_404(
            self.get_queryset(request).select_related("case__scheme", "case__enterprise"), pk=pk
        )
        if not self.has_change_permission(request, certificate):
            raise PermissionDenied
        spec = ACTS.get(act)
        if spec is None:
            raise Http404
        change_url = reverse("admin:certifications_certificate_change", args=[certificate.pk])
        if request.method != "POST" and not spec.applies(certificate):
            messages.error(
                request,
                _("This cannot be done to a certificate that is “%(status)s”.")
                % {"status": certificate.get_status_display()},
            )
            return HttpResponseRedirect(change_url)
        form = spec.form(request.POST or None)
        context = {"certificate": certificate, "act": spec, "form": form}
        if request.method == "POST" and "edit" not in request.POST:

            def run(data):
                return spec.run(certificate, request.user, data)

            if spec.confirm and "confirm" not in request.POST:
                if form_page(form, lambda data: dry_run(lambda: run(data))) is not None:
                    return self._render(
                        request,
                        "admin/certifications/certificate/act_confirm.html",
                        _("Confirm: %(act)s") % {"act": spec.label},
                        consequences=_revoke_consequences(certificate, form.cleaned_data),
                        **context,
                    )
            else:
                done = form_page(form, run)
                if done is not None:
                    messages.success(request, DONE_MESSAGES[spec.name])
                    if isinstance(done, Case):
                        return HttpResponseRedirect(
                            reverse("admin:certifications_case_change", args=[done.pk])
                        )
                    return HttpResponseRedirect(change_url)
        return self._render(
            request,
            "admin/certifications/certificate/act.html",
            str(spec.label),
            expiry=date_format(certificate.expiry_date) if certificate.expiry_date else None,
            **context,
        )

    def _render(self, request, template, title, **extra):
        return TemplateResponse(request, template, page_context(self, request, title, **extra))
