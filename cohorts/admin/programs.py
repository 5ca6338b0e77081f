"""Admin: programmes, their funding and their stages, scoped to the office that runs them."""

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts import selectors as account_selectors
from accounts.admin_base import ScopedAdmin, ScopedInline, ScopedRelatedFieldListFilter
from accounts.formatting import rupiah
from cohorts import selectors
from cohorts.models import Enrollment, Funding, Program, Stage


def _count_of(model):
    rows = (
        model.objects.filter(program=OuterRef("pk"))
        .order_by()
        .values("program")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _offices_run_by(request):
    """Offices a user may run a programme for: their own (all for platform admins)."""
    return account_selectors.offices_visible_to(request.user)


def _programs_managed(request):
    return selectors.programs_managed_by(request.user)


class FundingInline(ScopedInline):
    model = Funding
    fields = ["funder", "kind", "amount"]
    autocomplete_fields = ["funder"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("funder")


class StageInline(ScopedInline):
    model = Stage
    fields = ["number", "name", "start_date", "end_date"]


@admin.register(Program)
class ProgramAdmin(ScopedAdmin):
    list_display = [
        "name",
        "office",
        "start_date",
        "end_date",
        "stage_count",
        "enrollment_count",
        "target_participants",
        "target_new_exporters",
    ]
    list_filter = [
        ("office", ScopedRelatedFieldListFilter),
        ("funders", ScopedRelatedFieldListFilter),
        "start_date",
    ]
    list_select_related = ["office"]
    search_fields = ["name", "office__name", "office__short_name"]
    date_hierarchy = "start_date"
    readonly_fields = ["created_at"]
    inlines = [FundingInline, StageInline]
    fieldsets = [
        (None, {"fields": ["office", "name", "description", ("start_date", "end_date")]}),
        (
            _("Rules"),
            {
                "fields": [
                    "attendance_threshold_percent",
                    "pass_mark",
                    "seat_offer_hours",
                    "offers_close_after_sessions",
                ]
            },
        ),
        (
            _("Targets"),
            {"fields": ["target_participants", "target_new_exporters", "target_basis"]},
        ),
        (_("Dates"), {"fields": ["created_at"]}),
    ]
    scoped_choices = {"office": _offices_run_by}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            # Two correlated counts, not two joins: joining stages and enrollments at once
            # would multiply the rows of a programme with thousands of applications.
            .annotate(
                _stage_count=_count_of(Stage),
                _enrollment_count=_count_of(Enrollment),
            )
            .order_by(*Program._meta.ordering, "pk")
        )

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=selectors.programs_visible_to(request.user).values("pk"))

    def editable_queryset(self, request, queryset):
        return queryset.filter(pk__in=selectors.programs_managed_by(request.user).values("pk"))

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        offices = list(_offices_run_by(request).values_list("pk", flat=True)[:2])
        if len(offices) == 1:
            initial.setdefault("office", offices[0])
        return initial

    @admin.display(description=_("stages"), ordering="_stage_count")
    def stage_count(self, obj):
        return obj._stage_count

    @admin.display(description=_("applications"), ordering="_enrollment_count")
    def enrollment_count(self, obj):
        return obj._enrollment_count


@admin.register(Funding)
class FundingAdmin(ScopedAdmin):
    list_display = ["program", "funder", "kind", "amount_display"]
    list_filter = [
        "kind",
        ("funder", ScopedRelatedFieldListFilter),
        ("program", ScopedRelatedFieldListFilter),
    ]
    list_select_related = ["program", "funder"]
    search_fields = ["program__name", "funder__name", "funder__short_name"]
    autocomplete_fields = ["program", "funder"]
    scoped_choices = {"program": _programs_managed}

    def visible_queryset(self, request, queryset):
        programs = selectors.programs_visible_to(request.user)
        return queryset.filter(program__in=programs.values("pk"))

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, funding):
        return rupiah(funding.amount)

    def editable_queryset(self, request, queryset):
        return queryset.filter(program__in=_programs_managed(request).values("pk"))


@admin.register(Stage)
class StageAdmin(ScopedAdmin):
    list_display = ["__str__", "program", "number", "name", "start_date", "end_date"]
    list_display_links = ["__str__"]
    list_filter = [
        ("program", ScopedRelatedFieldListFilter),
        ("program__office", ScopedRelatedFieldListFilter),
    ]
    list_select_related = ["program"]
    search_fields = ["name", "program__name"]
    autocomplete_fields = ["program"]
    scoped_choices = {"program": _programs_managed}

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=selectors.stages_visible_to(request.user).values("pk"))

    def editable_queryset(self, request, queryset):
        return queryset.filter(program__in=_programs_managed(request).values("pk"))
