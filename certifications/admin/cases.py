"""Admin: certification requests ("Pengajuan"), scoped to the assisting office.

A request is opened through ``case_request`` and corrected through ``case_update``; its
officer through ``cases_assign_officer``; its status and step only on the move and step pages
(``moves.py``); its documents through the upload and review services (``documents.py``).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts import roles
from accounts import selectors as account_selectors
from accounts.admin_base import (
    ReadOnlyInline,
    ScopedAdmin,
    ScopedRelatedFieldListFilter,
    within,
)
from accounts.formatting import rupiah
from accounts.models import Product, User
from certifications import selectors, services
from certifications.admin.common import cases_managed, page_context
from certifications.admin.documents import (
    CaseDocumentReviewInline,
    CaseDocumentUploadInline,
    save_document_formset,
)
from certifications.admin.moves import CaseMovesMixin
from certifications.admin.pipeline import CasePipelineMixin
from certifications.models import Case, CaseEvent
from cohorts import selectors as cohort_selectors
from cohorts.admin.running.common import ServiceFormMixin, posted_id, refusal_onto_form

# --- Filters ----------------------------------------------------------------------------------


class OfficerFilter(admin.SimpleListFilter):
    title = gettext_lazy("officer")
    parameter_name = "officer"

    def lookups(self, request, model_admin):
        listed = model_admin.scoped_queryset(request).values("officer")
        officers = User.objects.filter(pk__in=listed).order_by("full_name", "email")
        return [("none", _("No officer")), *((str(u.pk), u.get_full_name()) for u in officers)]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(officer__isnull=True)
        officer = posted_id(self.value() or "", "")
        return queryset.filter(officer_id=officer) if officer else queryset


class DueFilter(admin.SimpleListFilter):
    title = gettext_lazy("dates")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Past the target date")),
            ("revision", _("Revision due within 7 days")),
            ("idle", _("Untouched for 14 days")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        due = {
            "overdue": lambda: selectors.cases_overdue(today=today),
            "revision": lambda: selectors.revisions_near_deadline(today=today, within_days=7),
            "idle": lambda: selectors.cases_idle(now=timezone.now(), days=14),
        }.get(self.value())
        return queryset.filter(pk__in=due().values("pk")) if due else queryset


class CertificateFilter(admin.SimpleListFilter):
    title = gettext_lazy("certificate")
    parameter_name = "certificate"

    def lookups(self, request, model_admin):
        return [
            ("90", _("Expires within 90 days")),
            ("30", _("Expires within 30 days")),
            ("7", _("Expires within 7 days")),
            ("surveillance", _("Surveillance due within 30 days")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        value = self.value()
        if value in {"90", "30", "7"}:
            certificates = selectors.certificates_expiring(today=today, within_days=int(value))
        elif value == "surveillance":
            certificates = selectors.certificates_surveillance_due(today=today, within_days=30)
        else:
            return queryset
        return queryset.filter(certificate__in=certificates.values("pk"))


# --- Forms and inlines ------------------------------------------------------------------------


def _products_choosable(request):
    enterprises = account_selectors.enterprises_visible_to(request.user)
    return Product.objects.filter(enterprise__in=enterprises.values("pk")).select_related(
        "enterprise"
    )


class CaseForm(forms.ModelForm):
    """The admin builds the fields; this adds the checks across them."""

    note = forms.CharField(
        label=gettext_lazy("note (kept on the timeline)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )

    def clean(self):
        cleaned = super().clean()
        enterprise = cleaned.get("enterprise") or (
            self.instance.enterprise if self.instance.pk else None
        )
        products = cleaned.get("products")
        if enterprise and products is not None:
            foreign = [p.name for p in products if p.enterprise_id != enterprise.pk]
            if foreign:
                self.add_error(
                    "products",
                    _("These products belong to another enterprise: %(names)s")
                    % {"names": ", ".join(foreign)},
                )
        return cleaned


class AssignOfficerForm(forms.Form):
    officer = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=gettext_lazy("officer"),
        error_messages={"required": gettext_lazy("Choose the officer.")},
    )

    def __init__(self, *args, officers: QuerySet[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.fields["officer"].label_from_instance = lambda user: user.get_full_name()


class CaseTimelineInline(ReadOnlyInline):
    """Every step of the request as the services recorded it: what, who, when."""

    model = CaseEvent
    classes = ["nk-quiet-original"]
    verbose_name = gettext_lazy("timeline entry")
    verbose_name_plural = gettext_lazy("timeline")
    fields = ["when", "what", "who", "note"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def get_queryset(self, request):
        # The inline names each row by its ``__str__``, which names the request.
        return (
            super()
            .get_queryset(request)
            .select_related("actor", "case__scheme", "case__enterprise")
        )

    @admin.display(description=gettext_lazy("when"))
    def when(self, obj):
        return date_format(timezone.localtime(obj.created_at), "DATETIME_FORMAT")

    @admin.display(description=gettext_lazy("what happened"))
    def what(self, obj):
        return obj.summary

    @admin.display(description=gettext_lazy("by"))
    def who(self, obj):
        return obj.actor.get_full_name() if obj.actor else _("the system")


# --- The request admin ------------------------------------------------------------------------

ADD_FIELDS = ["enterprise", "scheme", "products", "office", "program", "officer", "target_date"]
MONEY_FIELDS = ["cost", "subsidy", "subsidy_funder"]
PROGRESS_FIELDS = [
    "status",
    "current_milestone",
    "target_date",
    "revision_deadline",
    "requested_at",
    "submitted_at",
    "decided_at",
    "last_activity_at",
    "certificate_link",
]
# Shown, never typed, once the request exists: each has a service or is the request itself.
CHANGE_READONLY = [
    "enterprise",
    "scheme",
    "office",
    "status",
    "current_milestone",
    "revision_deadline",
    "requested_at",
    "submitted_at",
    "decided_at",
    "last_activity_at",
    "renewal_of",
    "certificate_link",
]


@admin.register(Case)
class CaseAdmin(CasePipelineMixin, CaseMovesMixin, ServiceFormMixin, ScopedAdmin):
    form = CaseForm
    list_display = [
        "request",
        "progress",
        "officer_name",
        "target_date",
        "money",
    ]
    list_display_links = ["request"]
    list_filter = [
        "status",
        ("scheme", ScopedRelatedFieldListFilter),
        OfficerFilter,
        DueFilter,
        CertificateFilter,
        "scheme__family",
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
    autocomplete_fields = ["enterprise", "scheme", "program", "products", "subsidy_funder"]
    actions = ["assign_officer"]
    scoped_choices = {
        "enterprise": lambda request: account_selectors.enterprises_visible_to(request.user),
        "office": lambda request: account_selectors.offices_visible_to(request.user),
        "program": lambda request: cohort_selectors.programs_managed_by(request.user),
        "officer": lambda request: account_selectors.office_staff_visible_to(request.user),
        "products": _products_choosable,
        "renewal_of": lambda request: selectors.certificates_visible_to(request.user),
    }

    # --- list columns

    @admin.display(description=gettext_lazy("request"), ordering="enterprise__name")
    def request(self, obj):
        return format_html(
            '<strong>{}</strong><br><span class="nk-quiet">{}</span>', obj.enterprise, obj.scheme
        )

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def progress(self, obj):
        step = obj.current_milestone
        return format_html(
            '<span class="nk-status nk-status-{}">{}</span><br><span class="nk-quiet">{}</span>',
            obj.status,
            obj.get_status_display(),
            f"{step.order}. {step.name}" if step else "",
        )

    @admin.display(description=gettext_lazy("officer"), ordering="officer__full_name")
    def officer_name(self, obj):
        return obj.officer.get_full_name() if obj.officer else "—"

    @admin.display(description=gettext_lazy("cost / subsidy"), ordering="cost")
    def money(self, obj):
        if not obj.cost:
            return "—"
        return f"{rupiah(obj.cost)} / {rupiah(obj.subsidy)}"

    def get_list_display(self, request):
        # Staff see their own office's requests; those who read every office see which.
        if roles.reads_everything(request.user) or len(roles.office_ids(request.user)) > 1:
            return [*self.list_display[:1], "office", *self.list_display[1:]]
        return self.list_display

    @admin.display(description=gettext_lazy("certificate"))
    def certificate_link(self, obj):
        certificate = getattr(obj, "certificate", None) if obj.pk else None
        if certificate is None:
            return "—"
        url = reverse("admin:certifications_certificate_change", args=[certificate.pk])
        return format_html(
            '<a href="{}">{}</a> ({})', url, certificate.number, certificate.get_status_display()
        )

    # --- scope

    def visible_queryset(self, request, queryset):
        return within(queryset, selectors.cases_visible_to(request.user))

    def editable_queryset(self, request, queryset):
        return queryset.filter(pk__in=cases_managed(request).values("pk"))

    # --- the form

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ADD_FIELDS}),
                (_("Cost"), {"fields": MONEY_FIELDS}),
                (None, {"fields": ["note"]}),
            ]
        fieldsets = [
            (
                None,
                {"fields": ["enterprise", "scheme", "products", "office", "program", "officer"]},
            ),
            (_("Progress"), {"fields": PROGRESS_FIELDS}),
            (_("Cost"), {"fields": MONEY_FIELDS}),
        ]
        if obj.renewal_of_id:
            fieldsets.append((_("Renewal"), {"fields": ["renewal_of"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return CHANGE_READONLY if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            officer = form.base_fields.get("officer")
            if officer is not None:
                officer.queryset = selectors.staff_of_every_office({obj.office_id})
            program = form.base_fields.get("program")
            if program is not None:
                program.queryset = program.queryset.filter(office_id=obj.office_id)
        return form

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        offices = sorted(roles.office_ids(request.user))
        if len(offices) == 1:
            initial.setdefault("office", offices[0])
        return initial

    def get_inlines(self, request, obj=None):
        if obj is None:
            return []
        inlines = [CaseDocumentReviewInline, CaseTimelineInline]
        if obj.is_open and self.has_change_permission(request, obj):
            inlines.insert(1, CaseDocumentUploadInline)
        return inlines

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            case = services.case_request(
                actor=request.user,
                products=data.get("products") or (),
                note=data.get("note", ""),
                **{name: data.get(name) for name in ADD_FIELDS if name != "products"},
                **{name: data.get(name) for name in MONEY_FIELDS},
            )
            obj.pk = case.pk
            return
        services.case_update(
            case=obj,
            actor=request.user,
            products=data["products"] if "products" in form.fields else None,
            **{name: data[name] for name in services.CASE_EDITABLE_FIELDS if name in form.fields},
        )
        if "officer" in form.changed_data:
            services.cases_assign_officer(
                cases=Case.objects.filter(pk=obj.pk), officer=data["officer"], actor=request.user
            )

    def save_related(self, request, form, formsets, change):
        # The products went through the service with the rest of the form. The inlines come
        # reviews first, uploads after, so a refused review leaves no file behind.
        for formset in formsets:
            if not save_document_formset(request, formset):
                self.save_formset(request, form, formset, change=change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if case is not None:
            may_change = self.has_change_permission(request, case)
            extra_context.update(
                case=case,
                may_change=may_change,
                move_links=self.move_links(request, case) if may_change else [],
                step_url=(
                    reverse("admin:certifications_case_step", args=[case.pk])
                    if may_change and case.is_open and case.scheme.milestones.exists()
                    else None
                ),
                submission=services.case_submission_check(case=case) if case.is_open else None,
                revision_note=(
                    case.events.filter(to_status=Case.Status.REVISION).latest("pk").note
                    if case.status == Case.Status.REVISION
                    else ""
                ),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "pipeline_url": reverse("admin:certifications_pipeline"),
        }
        return super().changelist_view(request, extra_context)

    # --- bulk assignment

    @admin.action(description=gettext_lazy("Assign an officer"), permissions=["change"])
    def assign_officer(self, request, queryset):
        cases = queryset
        if not roles.is_platform_admin(request.user):
            cases = self.editable_queryset(request, queryset)
        cases = cases.select_related("enterprise", "scheme", "office", "officer")
        offices = set(cases.values_list("office_id", flat=True))
        officers = selectors.staff_of_every_office(offices)
        if not officers.exists():
            messages.error(
                request, _("No officer works for every office of the selected requests.")
            )
            return None
        form = AssignOfficerForm(
            request.POST if "apply" in request.POST else None, officers=officers
        )
        if form.is_bound and form.is_valid():
            try:
                changed = services.cases_assign_officer(
                    cases=cases, officer=form.cleaned_data["officer"], actor=request.user
                )
            except ValidationError as error:
                refusal_onto_form(form, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s request now has %(officer)s as its officer.",
                        "%(count)s requests now have %(officer)s as their officer.",
                        changed,
                    )
                    % {"count": changed, "officer": form.cleaned_data["officer"].get_full_name()},
                )
                return None
        return TemplateResponse(
            request,
            "admin/certifications/case/assign_officer.html",
            page_context(
                self,
                request,
                _("Assign an officer"),
                cases=list(cases),
                form=form,
                action_checkbox_name=admin.helpers.ACTION_CHECKBOX_NAME,
                selected=[str(pk) for pk in queryset.values_list("pk", flat=True)],
            ),
        )


@admin.register(CaseEvent)
class CaseEventAdmin(ScopedAdmin):
    """The timeline of requests: written by the services that move them, never by hand."""

    edited_by = "nobody"
    list_display = ["case", "kind", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["kind", "to_status"]
    list_select_related = ["case__enterprise", "case__scheme", "actor"]
    search_fields = ["case__enterprise__name", "note"]
    ordering = ["-created_at", "-pk"]  # newest first, on the caseevent_list_order index

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in CaseEvent._meta.fields if f.name != "id"]

    def visible_queryset(self, request, queryset):
        return within(queryset, selectors.case_events_visible_to(request.user))
