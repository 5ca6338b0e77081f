"""Admin: classes and their seats, applications and enrollments.

Every change of status goes through its service (cohorts.services.selection / .seats), from
an admin action or a small form page; a refusal is shown as a message and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import selectors as account_selectors
from accounts.admin_base import (
    ScopedAdmin,
    ScopedInline,
    ScopedRelatedFieldListFilter,
    within,
)
from cohorts import selectors
from cohorts.admin.running import CoachingVisitInline
from cohorts.admin.running.classpage import ClassPageMixin
from cohorts.models import Cohort, Enrollment, Level, Stage
from cohorts.services import seats, selection
from office.admin_classes import CohortBulkMixin, EnrollmentMoveMixin

S = Enrollment.Status
FORM_TEMPLATE = "admin/cohorts/seats_form.html"


def _managed_stages(request):
    return Stage.objects.filter(
        program__in=selectors.programs_managed_by(request.user).values("pk")
    ).select_related("program")


def _enterprises_choosable(request):
    """The enterprises staff may register an application for (also the autocomplete's)."""
    return account_selectors.enterprises_visible_to(request.user)


def _error_messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on the form: on its field when the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item.messages)
    else:
        form.add_error(None, error.messages)


# --- forms ---------------------------------------------------------------------------------


class ConfirmForm(forms.Form):
    """A page whose only question is "are you sure?"."""


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class PositionForm(forms.Form):
    position = forms.IntegerField(
        label=_("Position on the waiting list"), min_value=1, help_text=_("1 is first in line.")
    )


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(
        label=_("Capacity"), min_value=1, max_value=seats.MAX_CLASS_CAPACITY
    )


class AdmitForm(forms.Form):
    cohort = forms.ModelChoiceField(label=_("Class"), queryset=Cohort.objects.none())
    override_reason = forms.CharField(
        label=_("Reason for placement above the eligible level"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed only for a class above the level the enterprise is eligible for."),
    )

    def __init__(self, *args, enrollment: Enrollment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = Cohort.objects.filter(
            stage_id=enrollment.stage_id, closed_at__isnull=True
        )


class ApplyForm(forms.Form):
    """An application registered by staff on an enterprise's behalf."""

    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=None)
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=None)
    has_nib = forms.BooleanField(label=_("holds an NIB"), required=False)
    continuous_production = forms.BooleanField(
        label=_("product in continuous production"), required=False
    )
    sufficient_capacity = forms.BooleanField(
        label=_("sufficient production capacity"), required=False
    )
    committed = forms.BooleanField(label=_("committed to the whole programme"), required=False)
    readiness_score = forms.IntegerField(
        label=_("export-readiness score"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_("0–100: below 40 suggests Beginner, 40–69 Intermediate, 70 and up Advanced."),
    )
    site_visit_notes = forms.CharField(
        label=_("site-visit notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, request, admin_site=admin.site, **kwargs):
        super().__init__(*args, **kwargs)
        enterprise = self.fields["enterprise"]
        enterprise.queryset = _enterprises_choosable(request).order_by("name")
        # An office may hold tens of thousands of IKM: search them, never list them all.
        enterprise.widget = AutocompleteSelect(
            Enrollment._meta.get_field("enterprise"), admin_site, choices=enterprise.choices
        )
        self.fields["stage"].queryset = _managed_stages(request)


# --- shared form page ---------------------------------------------------------------------


class ServiceFormPages:
    """Small admin pages that run one service from a form and report what it did."""

    def _object_or_404(self, request, pk):
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _service_page(
        self,
        request,
        *,
        obj,
        title: str,
        form_class: type[forms.Form],
        perform: Callable[[dict], str | tuple[str, str]],
        form_kwargs: dict | None = None,
        initial: dict | None = None,
        intro: str = "",
        done_url: str | None = None,
    ):
        form_kwargs = form_kwargs or {}
        back = (
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
            if obj is not None
            else reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        )
        if request.method == "POST":
            form = form_class(request.POST, **form_kwargs)
            if form.is_valid():
                try:
                    message = perform(form.cleaned_data)
                except ValidationError as error:
                    _add_errors(form, error)
                else:
                    if isinstance(message, tuple):  # (message, where to go next)
                        message, done_url = message
                    self.message_user(request, message, messages.SUCCESS)
                    return HttpResponseRedirect(done_url or back)
        else:
            form = form_class(initial=initial, **form_kwargs)
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "form": form,
            "object": obj,
            "opts": self.opts,
            "back_url": back,
        }
        return TemplateResponse(request, FORM_TEMPLATE, context)

    def _run_on_each(self, request, queryset, service: Callable, done: str) -> None:
        """Run a service for each selected row; report how many went through and each refusal."""
        succeeded = 0
        for obj in queryset:
            try:
                service(obj)
            except ValidationError as error:
                self.message_user(
                    request,
                    f"{obj}: {' '.join(_error_messages(error))}",
                    messages.ERROR,
                )
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, done % {"count": succeeded}, messages.SUCCESS)


# --- classes ------------------------------------------------------------------------------


class SeatInline(ScopedInline):
    """The class's enrollments as a read-only list; changes go through the enrollment's page."""

    model = Enrollment
    fk_name = "cohort"
    fields = ["enrollment_link", "status", "waitlist_position", "offer_expires_at", "enrolled_at"]
    readonly_fields = fields
    can_delete = False
    verbose_name = _("participant")
    verbose_name_plural = _("participants and waiting list")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("enterprise", "cohort", "stage")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("enterprise"))
    def enrollment_link(self, enrollment):
        url = reverse("admin:cohorts_enrollment_change", args=[enrollment.pk])
        return format_html('<a href="{}">{}</a>', url, enrollment.enterprise.name)


@admin.register(Cohort)
class CohortAdmin(CohortBulkMixin, ClassPageMixin, ServiceFormPages, ScopedAdmin):
    list_display = [
        "name",
        "stage",
        "level",
        "capacity",
        "seats_taken",
        "waiting",
        "mode",
        "closed_at",
    ]
    list_filter = ["level", "mode", ("stage__program", ScopedRelatedFieldListFilter)]
    list_select_related = ["stage__program"]
    search_fields = ["name", "stage__program__name", "venue"]
    readonly_fields = ["seats_summary", "closed_at", "closed_by"]
    inlines = [SeatInline]
    actions = ["offer_free_seats"]
    change_form_template = "admin/cohorts/cohort/change_form.html"
    scoped_choices = {"stage": _managed_stages}
    # Django 5.2 warns unless URL fields say which scheme a bare address gets.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=selectors.cohorts_visible_to(request.user).values("pk"))

    def editable_queryset(self, request, queryset):
        programs = selectors.programs_managed_by(request.user).values("pk")
        return queryset.filter(stage__program__in=programs)

    def get_queryset(self, request):
        return selectors.cohorts_with_seat_counts(super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("capacity")  # changed through cohort_set_capacity only
            if obj.enrollments.exists():
                # Enrollments keep their stage, and completed levels decide "naik kelas":
                # moving a class that has participants would rewrite both.
                fields += ["stage", "level"]
        return fields

    @admin.display(description=_("seats taken"), ordering="seats_taken")
    def seats_taken(self, cohort):
        return cohort.seats_taken

    @admin.display(description=_("waiting list"), ordering="waiting_count")
    def waiting(self, cohort):
        return cohort.waiting_count

    @admin.display(description=_("seats"))
    def seats_summary(self, cohort):
        if cohort.pk is None:
            return "-"
        return gettext(
            "%(enrolled)s enrolled, %(offered)s offered, %(free)s free of %(capacity)s; "
            "%(waiting)s waiting"
        ) % {
            "enrolled": cohort.enrolled_count,
            "offered": cohort.offered_count,
            "free": max(cohort.capacity - cohort.seats_taken, 0),
            "capacity": cohort.capacity,
            "waiting": cohort.waiting_count,
        }

    @admin.action(
        description=_("Offer a free seat to the first on the waiting list"), permissions=["change"]
    )
    def offer_free_seats(self, request, queryset):
        editable = self.editable_queryset(request, queryset)
        self._run_on_each(
            request,
            editable,
            lambda cohort: seats.seat_offer_next(cohort=cohort, actor=request.user),
            gettext("Seats offered in %(count)s classes."),
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/capacity/", view(self.capacity_view), name="cohorts_cohort_capacity"),
            path("<int:pk>/offer/", view(self.offer_view), name="cohorts_cohort_offer"),
            path("<int:pk>/running/", view(self.cohort_view), name="cohorts_cohort_running"),
        ] + super().get_urls()

    def capacity_view(self, request, pk):
        cohort = self._object_or_404(request, pk)

        def perform(data):
            seats.cohort_set_capacity(cohort=cohort, capacity=data["capacity"], actor=request.user)
            return gettext("The capacity of %(cohort)s is now %(capacity)s.") % {
                "cohort": cohort.name,
                "capacity": data["capacity"],
            }

        return self._service_page(
            request,
            obj=cohort,
            title=gettext("Change the capacity of %(cohort)s") % {"cohort": cohort.name},
            intro=self.seats_summary(cohort),
            form_class=CapacityForm,
            initial={"capacity": cohort.capacity},
            perform=perform,
        )

    def offer_view(self, request, pk):
        cohort = self._object_or_404(request, pk)

        def perform(data):
            enrollment = seats.seat_offer_next(cohort=cohort, actor=request.user)
            return gettext("A seat is offered to %(enterprise)s until %(deadline)s.") % {
                "enterprise": enrollment.enterprise.name,
                "deadline": seats.deadline_in_class_zone(cohort, enrollment.offer_expires_at),
            }

        return self._service_page(
            request,
            obj=cohort,
            title=gettext("Offer a free seat in %(cohort)s") % {"cohort": cohort.name},
            intro=self.seats_summary(cohort),
            form_class=ConfirmForm,
            perform=perform,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None:
            extra_context["seat_actions"] = [
                (
                    reverse("admin:cohorts_cohort_running", args=[obj.pk]),
                    _("Sessions, attendance and closing"),
                )
            ]
        if obj is not None and self.has_change_permission(request, obj):
            extra_context["seat_actions"] += [
                (reverse("admin:cohorts_cohort_capacity", args=[obj.pk]), _("Change capacity")),
                (reverse("admin:cohorts_cohort_offer", args=[obj.pk]), _("Offer a free seat")),
            ]
        return super().change_view(request, object_id, form_url, extra_context)


# --- enrollments --------------------------------------------------------------------------


# status -> the pages offered on an enrollment's change page
ENROLLMENT_PAGES = [
    ("select", _("Select"), {S.APPLIED}),
    ("reject", _("Reject"), {S.APPLIED, S.SELECTED}),
    ("admit", _("Admit to a class"), {S.SELECTED}),
    ("move", _("Move on the waiting list"), {S.WAITLISTED}),
    ("accept", _("Accept the offer"), {S.OFFERED}),
    ("decline", _("Decline the offer"), {S.OFFERED}),
    ("withdraw", _("Withdraw"), {S.APPLIED, S.SELECTED, S.WAITLISTED, S.OFFERED, S.ENROLLED}),
    ("remove", _("Remove"), {S.WAITLISTED, S.OFFERED, S.ENROLLED}),
]


@admin.register(Enrollment)
class EnrollmentAdmin(EnrollmentMoveMixin, ServiceFormPages, ScopedAdmin):
    # By stage, class and place on the waiting list like the model, but on the ids, so a page
    # is read along the enrollment_list_order index instead of sorting every row by names
    # of the programme, stage and class joined in.
    ordering = ["stage_id", "cohort_id", "waitlist_position", "pk"]
    list_display = [
        "enterprise",
        "stage",
        "cohort",
        "status",
        "readiness_score",
        "suggested_level",
        "waitlist_position",
        "offer_expires_at",
    ]
    list_filter = [
        "status",
        "suggested_level",
        "cohort__level",
        ("stage__program", ScopedRelatedFieldListFilter),
    ]
    list_select_related = ["enterprise", "stage__program", "cohort"]
    search_fields = ["enterprise__name", "enterprise__nib", "cohort__name"]
    # Narrows the enterprise autocomplete of the application page (ApplyForm).
    scoped_choices = {"enterprise": _enterprises_choosable}
    actions = ["select_applications", "accept_offers", "decline_offers", "move_to_class"]
    change_form_template = "admin/cohorts/enrollment/change_form.html"
    inlines = [CoachingVisitInline]
    fieldsets = [
        (None, {"fields": ["enterprise", "program", "stage", "cohort", "status"]}),
        (
            _("Selection"),
            {
                "fields": [
                    "has_nib",
                    "continuous_production",
                    "sufficient_capacity",
                    "committed",
                    "readiness_score",
                    "suggested_level",
                    "eligible_level",
                    "site_visit_notes",
                    "decision_reason",
                    "applied_at",
                    "applied_by",
                ]
            },
        ),
        (
            _("Seat"),
            {
                "fields": [
                    "waitlist_position",
                    "offer_expires_at",
                    "offers_made",
                    "placement_override_reason",
                    "placement_override_by",
                    "enrolled_at",
                    "ended_at",
                    "leaving_reason",
                ]
            },
        ),
    ]

    def visible_queryset(self, request, queryset):
        return within(queryset, selectors.enrollments_visible_to(request.user))

    def editable_queryset(self, request, queryset):
        return queryset.filter(program__in=selectors.programs_managed_by(request.user).values("pk"))

    def get_readonly_fields(self, request, obj=None):
        # Every change is a service with its rule: the record itself is read-only here.
        return [name for fieldset in self.fieldsets for name in fieldset[1]["fields"]]

    @admin.display(description=_("eligible level"))
    def eligible_level(self, enrollment):
        return Level(selectors.eligible_level(enrollment.enterprise)).label

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied

        def perform(data):
            enrollment = selection.enrollment_apply(actor=request.user, **data)
            message = gettext("The application of %(enterprise)s is registered.") % {
                "enterprise": enrollment.enterprise.name
            }
            return message, reverse("admin:cohorts_enrollment_change", args=[enrollment.pk])

        return self._service_page(
            request,
            obj=None,
            title=gettext("Register an application"),
            form_class=ApplyForm,
            form_kwargs={"request": request, "admin_site": self.admin_site},
            perform=perform,
        )

    # --- pages per enrollment ---

    def get_urls(self):
        view = self.admin_site.admin_view
        pages = [
            path(
                f"<int:pk>/{name}/",
                view(getattr(self, f"{name}_view")),
                name=f"cohorts_enrollment_{name}",
            )
            for name, _label, _statuses in ENROLLMENT_PAGES
        ]
        return pages + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None and self.has_change_permission(request, obj):
            extra_context["seat_actions"] = [
                (reverse(f"admin:cohorts_enrollment_{name}", args=[obj.pk]), label)
                for name, label, statuses in ENROLLMENT_PAGES
                if obj.status in statuses
            ]
        return super().change_view(request, object_id, form_url, extra_context)

    def _page(self, request, pk, *, title, form_class, perform, **kwargs):
        enrollment = self._object_or_404(request, pk)
        return self._service_page(
            request,
            obj=enrollment,
            title=title % {"enterprise": enrollment.enterprise.name},
            form_class=form_class,
            perform=lambda data: perform(enrollment, data),
            **kwargs,
        )

    def select_view(self, request, pk):
        def perform(enrollment, data):
            selection.enrollment_select(
                enrollment=enrollment, actor=request.user, reason=data["reason"]
            )
            return gettext("Selected.")

        return self._page(
            request,
            pk,
            title=gettext("Select %(enterprise)s"),
            form_class=OptionalReasonForm,
            perform=perform,
        )

    def reject_view(self, request, pk):
        def perform(enrollment, data):
            selection.enrollment_reject(
                enrollment=enrollment, actor=request.user, reason=data["reason"]
            )
            return gettext("Not selected.")

        return self._page(
            request,
            pk,
            title=gettext("Reject %(enterprise)s"),
            form_class=ReasonForm,
            perform=perform,
        )

    def admit_view(self, request, pk):
        enrollment = self._object_or_404(request, pk)

        def perform(data):
            _enrollment, outcome = seats.enrollment_admit(
                enrollment=enrollment,
                cohort=data["cohort"],
                actor=request.user,
                override_reason=data["override_reason"],
            )
            if outcome == seats.AdmitOutcome.ENROLLED:
                return gettext("%(enterprise)s is enrolled in %(cohort)s.") % {
                    "enterprise": enrollment.enterprise.name,
                    "cohort": data["cohort"].name,
                }
            return gettext(
                "%(cohort)s is full: %(enterprise)s is on its waiting list, position %(position)s."
            ) % {
                "enterprise": enrollment.enterprise.name,
                "cohort": data["cohort"].name,
                "position": _enrollment.waitlist_position,
            }

        eligible = Level(selectors.eligible_level(enrollment.enterprise)).label
        suggested = enrollment.get_suggested_level_display() or "-"
        return self._service_page(
            request,
            obj=enrollment,
            title=gettext("Admit %(enterprise)s to a class")
            % {"enterprise": enrollment.enterprise.name},
            intro=gettext("Eligible level: %(eligible)s. Suggested by the score: %(suggested)s.")
            % {"eligible": eligible, "suggested": suggested},
            form_class=AdmitForm,
            form_kwargs={"enrollment": enrollment},
            perform=perform,
        )

    def move_view(self, request, pk):
        def perform(enrollment, data):
            seats.waitlist_move(
                enrollment=enrollment, position=data["position"], actor=request.user
            )
            return gettext("The waiting list is reordered.")

        return self._page(
            request,
            pk,
            title=gettext("Move %(enterprise)s on the waiting list"),
            form_class=PositionForm,
            perform=perform,
        )

    def accept_view(self, request, pk):
        def perform(enrollment, data):
            seats.offer_accept(enrollment=enrollment, actor=request.user)
            return gettext("The offer is accepted; the enterprise is enrolled.")

        return self._page(
            request,
            pk,
            title=gettext("Accept the seat offer on behalf of %(enterprise)s"),
            form_class=ConfirmForm,
            perform=perform,
        )

    def decline_view(self, request, pk):
        def perform(enrollment, data):
            seats.offer_decline(enrollment=enrollment, actor=request.user)
            return gettext("The offer is declined; the seat goes to the next on the list.")

        return self._page(
            request,
            pk,
            title=gettext("Decline the seat offer on behalf of %(enterprise)s"),
            form_class=ConfirmForm,
            perform=perform,
        )

    def withdraw_view(self, request, pk):
        def perform(enrollment, data):
            seats.enrollment_withdraw(
                enrollment=enrollment, actor=request.user, reason=data["reason"]
            )
            return gettext("Withdrawn.")

        return self._page(
            request,
            pk,
            title=gettext("Withdraw %(enterprise)s"),
            form_class=OptionalReasonForm,
            perform=perform,
        )

    def remove_view(self, request, pk):
        def perform(enrollment, data):
            seats.enrollment_remove(
                enrollment=enrollment, actor=request.user, reason=data["reason"]
            )
            return gettext("Removed.")

        return self._page(
            request,
            pk,
            title=gettext("Remove %(enterprise)s"),
            form_class=ReasonForm,
            perform=perform,
        )

    # --- bulk actions ---

    @admin.action(description=_("Select the chosen applications"), permissions=["change"])
    def select_applications(self, request, queryset):
        self._run_on_each(
            request,
            queryset,
            lambda e: selection.enrollment_select(enrollment=e, actor=request.user),
            gettext("%(count)s applications selected."),
        )

    @admin.action(
        description=_("Accept the seat offers on the owners' behalf"), permissions=["change"]
    )
    def accept_offers(self, request, queryset):
        self._run_on_each(
            request,
            queryset,
            lambda e: seats.offer_accept(enrollment=e, actor=request.user),
            gettext("%(count)s offers accepted."),
        )

    @admin.action(
        description=_("Decline the seat offers on the owners' behalf"), permissions=["change"]
    )
    def decline_offers(self, request, queryset):
        self._run_on_each(
            request,
            queryset,
            lambda e: seats.offer_decline(enrollment=e, actor=request.user),
            gettext("%(count)s offers declined."),
        )
