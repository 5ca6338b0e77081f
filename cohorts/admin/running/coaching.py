"""Coaching visits and enterprise snapshots."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.admin_base import ScopedAdmin, ScopedInline
from cohorts import selectors
from cohorts.admin.running.common import ServiceFormMixin, _managed_program_ids, managed_enrollments
from cohorts.models import (
    CoachingVisit,
    EnterpriseSnapshot,
)
from cohorts.services import classes, snapshots

# --- coaching ---------------------------------------------------------------------------


class CoachingVisitForm(forms.ModelForm):
    class Meta:
        model = CoachingVisit
        fields = ["enrollment", "coach", "visit_date", "notes", "next_steps"]


@admin.register(CoachingVisit)
class CoachingVisitAdmin(ServiceFormMixin, ScopedAdmin):
    form = CoachingVisitForm
    list_display = ["enrollment", "coach", "visit_date", "next_steps", "recorded_by"]
    list_select_related = ["enrollment__enterprise", "enrollment__cohort", "recorded_by"]
    list_filter = ["visit_date"]
    search_fields = ["enrollment__enterprise__name", "coach"]
    autocomplete_fields = ["enrollment"]  # a province holds thousands
    scoped_choices = {
        "enrollment": lambda request: (
            managed_enrollments(request)
            .filter(status__in=classes.COACHED_STATUSES)
            .select_related("enterprise", "cohort")
        )
    }

    def visible_queryset(self, request, queryset):
        return queryset.filter(
            enrollment__in=selectors.enrollments_visible_to(request.user).values("pk")
        )

    def editable_queryset(self, request, queryset):
        return queryset.filter(enrollment__program__in=_managed_program_ids(request))

    def has_change_permission(self, request, obj=None):
        # a visit is a record of what happened: kept as written (the history shows it)
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            raise ValidationError(_("A recorded visit cannot be changed."))
        data = form.cleaned_data
        visit = classes.coaching_visit_record(
            actor=request.user, **{name: data[name] for name in CoachingVisitForm.Meta.fields}
        )
        obj.pk = visit.pk


class CoachingVisitInline(ScopedInline):
    """Coaching visits listed on an enrollment (for the enrollment's admin page)."""

    model = CoachingVisit
    fields = ["visit_date", "coach", "notes", "next_steps", "recorded_by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- snapshots --------------------------------------------------------------------------


class SnapshotForm(forms.ModelForm):
    class Meta:
        model = EnterpriseSnapshot
        fields = [
            "enterprise",
            "program",
            "moment",
            "taken_on",
            "annual_revenue",
            "employees_women",
            "employees_men",
            "size_class",
            "export_status",
        ]

    def validate_unique(self):
        """The service replaces a later moment's figures; it decides, not the form."""


@admin.register(EnterpriseSnapshot)
class EnterpriseSnapshotAdmin(ServiceFormMixin, ScopedAdmin):
    form = SnapshotForm
    list_display = SnapshotForm.Meta.fields
    list_select_related = ["enterprise", "program"]
    list_filter = ["moment", "size_class", "export_status"]
    search_fields = ["enterprise__name"]
    autocomplete_fields = ["enterprise"]  # a province holds tens of thousands
    scoped_choices = {
        "enterprise": lambda request: account_selectors.enterprises_visible_to(request.user),
        "program": lambda request: selectors.programs_managed_by(request.user),
    }

    def visible_queryset(self, request, queryset):
        return queryset.filter(program__in=selectors.programs_visible_to(request.user).values("pk"))

    def editable_queryset(self, request, queryset):
        return queryset.filter(program__in=_managed_program_ids(request))

    def get_readonly_fields(self, request, obj=None):
        # a correction changes the figures; whose snapshot it is stays as recorded
        return ["enterprise", "program", "moment"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        """Adding records a snapshot (the form refuses a second one of the same moment);
        editing one is a staff correction, replaced in place and kept in its history."""
        data = form.cleaned_data
        if change:
            enterprise, program, moment = obj.enterprise, obj.program, obj.moment
        else:
            enterprise, program, moment = data["enterprise"], data["program"], data["moment"]
        snapshot = snapshots.snapshot_record(
            enterprise=enterprise,
            program=program,
            moment=moment,
            actor=request.user,
            taken_on=data["taken_on"],
            replace=change,
            **{name: data[name] for name in snapshots.SNAPSHOT_FIGURES},
        )
        obj.pk = snapshot.pk
