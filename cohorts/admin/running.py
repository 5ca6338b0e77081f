"""Admin for running a class: sessions, the attendance grid, the class page (assessments,
closing, naik kelas), coaching, snapshots, export records and new exporters.

Every write goes through ``cohorts.services.classes`` or ``cohorts.services.exports``; a
refusal comes back as a message on the same page and nothing is changed.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import roles
from accounts import selectors as account_selectors
from accounts.admin_base import ScopedAdmin, ScopedInline, ScopedRelatedFieldListFilter
from accounts.models import Product
from cohorts import selectors
from cohorts.models import (
    Attendance,
    CoachingVisit,
    Cohort,
    Enrollment,
    EnterpriseSnapshot,
    ExportRecord,
    Graduation,
    Session,
)
from cohorts.services import classes, exports, snapshots

ZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
WEEKDAY_CHOICES = [
    (0, gettext_lazy("Monday")),
    (1, gettext_lazy("Tuesday")),
    (2, gettext_lazy("Wednesday")),
    (3, gettext_lazy("Thursday")),
    (4, gettext_lazy("Friday")),
    (5, gettext_lazy("Saturday")),
    (6, gettext_lazy("Sunday")),
]


def local_time(moment: dt.datetime | None, zone_name: str) -> str:
    """A stored UTC time as the venue reads it, with its zone: ``04-03-2031 09:00 WITA``."""
    if moment is None:
        return "—"
    local = moment.astimezone(ZoneInfo(zone_name))
    label = ZONE_LABELS.get(zone_name, zone_name)
    return f"{date_format(local, 'd-m-Y H:i')} {label}"


def _managed_program_ids(request) -> QuerySet:
    return selectors.programs_managed_by(request.user).values("pk")


def managed_cohorts(request) -> QuerySet[Cohort]:
    return Cohort.objects.filter(stage__program__in=_managed_program_ids(request))


def managed_enrollments(request) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(program__in=_managed_program_ids(request))


def _refused(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


class ServiceFormMixin:
    """Runs the add/change form's save through a service; a refusal becomes a message."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            _refused(request, error)
            return HttpResponseRedirect(request.get_full_path())


# --- sessions ---------------------------------------------------------------------------


class SessionGenerateForm(forms.Form):
    cohort = forms.ModelChoiceField(queryset=Cohort.objects.none(), label=gettext_lazy("class"))
    first_date = forms.DateField(
        label=gettext_lazy("first date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("weekdays"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    start_time = forms.TimeField(
        label=gettext_lazy("start time (class's zone)"),
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("duration (minutes)"), min_value=1, initial=180
    )
    count = forms.IntegerField(label=gettext_lazy("number of sessions"), min_value=1, initial=8)
    topic = forms.CharField(label=gettext_lazy("topic"), required=False, max_length=240)
    speakers = forms.CharField(label=gettext_lazy("speakers"), required=False, max_length=500)

    def __init__(self, *args, cohorts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = cohorts.filter(closed_at__isnull=True)


class SessionRescheduleForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    start_time = forms.TimeField(
        label=gettext_lazy("start time (class's zone)"),
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    end_time = forms.TimeField(
        label=gettext_lazy("end time (empty: keep the duration)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )


class PromoteForm(forms.Form):
    """Naik kelas: the open class of the next level that the completers move up to."""

    to_cohort = forms.ModelChoiceField(
        queryset=Cohort.objects.none(),
        label=gettext_lazy("class to move up to"),
        error_messages={
            "required": gettext_lazy("Choose the class to move up to."),
            "invalid_choice": gettext_lazy(
                "Choose one of the open classes of the next level that you run."
            ),
        },
    )

    def __init__(self, *args, cohorts: QuerySet[Cohort], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_cohort"].queryset = cohorts


MAX_POSTED_ID = 2**63 - 1  # the largest primary key the databases hold


def posted_id(key: str, prefix: str) -> int | None:
    """The row id in a posted field name such as ``status-12``; None when it is not one."""
    raw = key.removeprefix(prefix)
    if not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_POSTED_ID else None


class SessionCancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("reason for cancelling"), max_length=250)


class SessionForm(forms.ModelForm):
    online_link = forms.URLField(
        label=gettext_lazy("online link"), required=False, assume_scheme="https"
    )

    class Meta:
        model = Session
        fields = ["topic", "speakers", "place", "online_link"]


@admin.register(Session)
class SessionAdmin(ServiceFormMixin, ScopedAdmin):
    form = SessionForm
    list_display = ["topic", "cohort", "local_start", "speakers", "state", "attendance_link"]
    list_select_related = ["cohort"]
    list_filter = [("cancelled_at", admin.EmptyFieldListFilter)]
    search_fields = ["topic", "speakers", "cohort__name"]
    readonly_fields = [
        "cohort",
        "local_start",
        "local_end",
        "cancelled_at",
        "cancelled_by",
        "cancel_reason",
    ]
    fields = [
        "cohort",
        "topic",
        "local_start",
        "local_end",
        "speakers",
        "place",
        "online_link",
        "cancelled_at",
        "cancelled_by",
        "cancel_reason",
    ]
    change_list_template = "admin/cohorts/session/change_list.html"
    change_form_template = "admin/cohorts/session/change_form.html"

    def visible_queryset(self, request, queryset):
        return queryset.filter(
            cohort__stage__program__in=selectors.programs_visible_to(request.user).values("pk")
        )

    def editable_queryset(self, request, queryset):
        return queryset.filter(cohort__stage__program__in=_managed_program_ids(request))

    def has_add_permission(self, request, *args):
        return False  # sessions are made from a weekly pattern: see the "generate" page

    @admin.display(description=gettext_lazy("starts"), ordering="starts_at")
    def local_start(self, obj):
        return local_time(obj.starts_at, obj.cohort.time_zone)

    @admin.display(description=gettext_lazy("ends"))
    def local_end(self, obj):
        return local_time(obj.ends_at, obj.cohort.time_zone)

    @admin.display(description=gettext_lazy("state"))
    def state(self, obj):
        return _("Cancelled") if obj.is_cancelled else "—"

    @admin.display(description=gettext_lazy("attendance"))
    def attendance_link(self, obj):
        if obj.is_cancelled:
            return "—"
        url = reverse("admin:cohorts_session_attendance", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Attendance sheet"))

    def save_model(self, request, obj, form, change):
        classes.session_update_details(
            session=obj,
            actor=request.user,
            **{name: form.cleaned_data[name] for name in SessionForm.Meta.fields},
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("generate/", view(self.generate_view), name="cohorts_session_generate"),
            path(
                "<int:pk>/attendance/",
                view(self.attendance_view),
                name="cohorts_session_attendance",
            ),
            path(
                "<int:pk>/reschedule/",
                view(self.reschedule_view),
                name="cohorts_session_reschedule",
            ),
            path("class/<int:pk>/", view(self.cohort_view), name="cohorts_cohort_running"),
            *super().get_urls(),
        ]

    # helpers for the custom pages

    def _context(self, request, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            **extra,
        }

    def _session(self, request, pk) -> Session:
        session = (
            self.get_queryset(request)
            .select_related("cohort__stage__program")
            .filter(pk=pk)
            .first()
        )
        if session is None:
            raise Http404
        return session

    def _may_change(self, request, obj) -> bool:
        return self.has_change_permission(request, obj)

    def generate_view(self, request):
        if not self._may_write(request):
            raise PermissionDenied
        cohorts = (
            Cohort.objects.all()
            if roles.is_platform_admin(request.user)
            else managed_cohorts(request)
        )
        initial = {"cohort": request.GET.get("cohort")}
        form = SessionGenerateForm(request.POST or None, cohorts=cohorts, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                created = classes.sessions_generate(
                    actor=request.user, **{k: v for k, v in data.items() if v is not None}
                )
            except ValidationError as error:
                _refused(request, error)
            else:
                messages.success(
                    request, _("%(count)s sessions created.") % {"count": len(created)}
                )
                url = reverse("admin:cohorts_cohort_running", args=[data["cohort"].pk])
                return HttpResponseRedirect(url)
        return TemplateResponse(
            request,
            "admin/cohorts/session_generate.html",
            self._context(request, _("Generate sessions from a weekly pattern"), form=form),
        )

    def reschedule_view(self, request, pk):
        session = self._session(request, pk)
        if not self._may_change(request, session):
            raise PermissionDenied
        zone = ZoneInfo(session.cohort.time_zone)
        local = session.starts_at.astimezone(zone)
        reschedule = SessionRescheduleForm(
            request.POST if "reschedule" in request.POST else None,
            initial={"date": local.date(), "start_time": local.time()},
        )
        cancel = SessionCancelForm(request.POST if "cancel" in request.POST else None)
        if request.method == "POST":
            try:
                if "reschedule" in request.POST and reschedule.is_valid():
                    data = reschedule.cleaned_data
                    ends_at = None
                    if data["end_time"]:
                        ends_at = dt.datetime.combine(data["date"], data["end_time"])
                    classes.session_reschedule(
                        session=session,
                        actor=request.user,
                        starts_at=dt.datetime.combine(data["date"], data["start_time"]),
                        ends_at=ends_at,
                    )
                    messages.success(request, _("The session was rescheduled."))
                    return HttpResponseRedirect(request.path)
                if "cancel" in request.POST and cancel.is_valid():
                    classes.session_cancel(
                        session=session, actor=request.user, reason=cancel.cleaned_data["reason"]
                    )
                    messages.success(request, _("The session was cancelled."))
                    return HttpResponseRedirect(request.path)
            except ValidationError as error:
                _refused(request, error)
        return TemplateResponse(
            request,
            "admin/cohorts/session_reschedule.html",
            self._context(
                request,
                _("Reschedule or cancel: %(session)s") % {"session": session.topic},
                session=session,
                starts=local_time(session.starts_at, session.cohort.time_zone),
                reschedule_form=reschedule,
                cancel_form=cancel,
            ),
        )

    def attendance_view(self, request, pk):
        """One session's sheet: every participant of the class at once."""
        session = self._session(request, pk)
        cohort = session.cohort
        may_change = self._may_change(request, session) and cohort.closed_at is None
        if request.method == "POST":
            if not may_change:
                raise PermissionDenied
            entries = {}
            for key, status in request.POST.items():
                if not key.startswith("status-") or not status:
                    continue
                enrollment_id = posted_id(key, "status-")
                if enrollment_id is None:
                    continue
                entries[enrollment_id] = classes.AttendanceEntry(
                    status=status,
                    attendee_name=request.POST.get(f"name-{enrollment_id}", ""),
                )
            try:
                classes.attendance_record(session=session, actor=request.user, entries=entries)
            except ValidationError as error:
                _refused(request, error)
            else:
                messages.success(
                    request,
                    _("Attendance saved for %(count)s participants.") % {"count": len(entries)},
                )
                return HttpResponseRedirect(request.path)
        enrollments = selectors.enrollments_with_attendance_rate(cohort=cohort)
        marks = {
            a.enrollment_id: a
            for a in Attendance.objects.filter(session=session, enrollment__cohort=cohort)
        }
        rows = [
            {
                "enrollment": enrollment,
                "attendance": marks.get(enrollment.pk),
                "status": getattr(marks.get(enrollment.pk), "status", ""),
                "name": getattr(marks.get(enrollment.pk), "attendee_name", ""),
            }
            for enrollment in enrollments
        ]
        return TemplateResponse(
            request,
            "admin/cohorts/attendance_grid.html",
            self._context(
                request,
                _("Attendance: %(session)s") % {"session": session.topic},
                session=session,
                cohort=cohort,
                starts=local_time(session.starts_at, cohort.time_zone),
                rows=rows,
                statuses=Attendance.Status.choices,
                may_change=may_change
                and not session.is_cancelled
                and session.starts_at <= timezone.now(),
            ),
        )

    def cohort_view(self, request, pk):
        """The class page: attendance overview with rates and flags, assessments, closing and
        naik kelas."""
        cohort = (
            selectors.cohorts_visible_to(request.user)
            .select_related("stage__program")
            .filter(pk=pk)
            .first()
        )
        if cohort is None:
            raise Http404
        may_change = self._may_write(request) and (
            roles.is_platform_admin(request.user)
            or managed_cohorts(request).filter(pk=cohort.pk).exists()
        )
        program = cohort.stage.program
        if request.method == "POST":
            if not may_change:
                raise PermissionDenied
            try:
                response = self._cohort_post(request, cohort)
            except ValidationError as error:
                _refused(request, error)
            else:
                if response is not None:
                    return response
        grid = selectors.cohort_attendance_grid(cohort=cohort)
        for row in grid["rows"]:
            row["cells"] = [
                Attendance.Status(status).label if status else "—" for status in row["statuses"]
            ]
            row["below"] = (
                row["enrollment"].attendance_percent is not None
                and row["enrollment"].attendance_percent < program.attendance_threshold_percent
            )
        next_classes = Cohort.objects.none()
        if cohort.closed_at is not None:
            next_classes = self._next_classes(request, cohort).select_related("stage")
        return TemplateResponse(
            request,
            "admin/cohorts/cohort_running.html",
            self._context(
                request,
                _("Running the class: %(class)s") % {"class": cohort.name},
                cohort=cohort,
                program=program,
                grid=grid,
                session_times=[local_time(s.starts_at, cohort.time_zone) for s in grid["sessions"]],
                may_change=may_change and cohort.closed_at is None,
                may_promote=may_change and cohort.closed_at is not None,
                next_classes=next_classes,
                outputs=[
                    (name, Enrollment._meta.get_field(name).verbose_name)
                    for name in classes.OUTPUT_FIELDS
                ],
                zone_label=ZONE_LABELS.get(cohort.time_zone, cohort.time_zone),
            ),
        )

    def _next_classes(self, request, cohort) -> QuerySet[Cohort]:
        """The open classes of the next level, among those the user runs."""
        target = classes.next_level(cohort.level)
        if target is None:
            return Cohort.objects.none()
        runs = (
            Cohort.objects.all()
            if roles.is_platform_admin(request.user)
            else managed_cohorts(request)
        )
        return runs.filter(level=target, closed_at__isnull=True)

    def _cohort_post(self, request, cohort):
        post = request.POST
        if "assess" in post:
            entries = {}
            for key, raw in post.items():
                if not key.startswith("score-"):
                    continue
                enrollment_id = posted_id(key, "score-")
                if enrollment_id is None:
                    raise ValidationError(
                        _("Assessments can only be recorded for participants of this class.")
                    )
                try:
                    score = int(raw) if raw.strip() else None
                except ValueError:
                    raise ValidationError(
                        _("An assessment score is a whole number from 0 to 100.")
                    ) from None
                entries[enrollment_id] = classes.AssessmentEntry(
                    assessment_score=score,
                    **{
                        name: post.get(f"{name}-{enrollment_id}") == "on"
                        for name in classes.OUTPUT_FIELDS
                    },
                )
            changed = classes.cohort_record_assessments(
                cohort=cohort, actor=request.user, entries=entries
            )
            messages.success(request, _("%(count)s assessments saved.") % {"count": changed})
            return HttpResponseRedirect(request.path)
        if "close" in post:
            required = [name for name in classes.OUTPUT_FIELDS if post.get(f"require-{name}")]
            result = classes.cohort_close(
                cohort=cohort, actor=request.user, required_outputs=required
            )
            messages.success(
                request,
                _("The class is closed: %(done)s completed, %(not_done)s did not complete.")
                % {"done": len(result.completed), "not_done": len(result.not_completed)},
            )
            for enrollment, reasons in result.not_completed:
                messages.warning(request, f"{enrollment.enterprise}: {'; '.join(reasons)}")
            return HttpResponseRedirect(request.path)
        if "promote" in post:
            form = PromoteForm(post, cohorts=self._next_classes(request, cohort))
            if not form.is_valid():
                raise ValidationError([m for errors in form.errors.values() for m in errors])
            target = form.cleaned_data["to_cohort"]
            result = classes.cohorts_promote_eligible(
                from_cohort=cohort, to_cohort=target, actor=request.user
            )
            messages.success(
                request,
                _(
                    "Moved up to %(class)s: %(enrolled)s enrolled, "
                    "%(waitlisted)s on the waiting list."
                )
                % {
                    "class": target,
                    "enrolled": len(result.enrolled),
                    "waitlisted": len(result.waitlisted),
                },
            )
            for enterprise, reason in result.skipped:
                messages.warning(request, f"{enterprise}: {reason}")
            return HttpResponseRedirect(request.path)
        return None


# --- attendance -------------------------------------------------------------------------


@admin.register(Attendance)
class AttendanceAdmin(ScopedAdmin):
    """Read-only list; attendance is taken on each session's sheet."""

    list_display = [
        "enterprise",
        "session",
        "session_start",
        "status",
        "attendee_name",
        "recorded_by",
    ]
    list_select_related = ["enrollment__enterprise", "session__cohort", "recorded_by"]
    list_filter = ["status"]
    search_fields = ["enrollment__enterprise__name", "attendee_name", "session__topic"]

    def visible_queryset(self, request, queryset):
        return queryset.filter(
            session__cohort__stage__program__in=selectors.programs_visible_to(request.user).values(
                "pk"
            )
        )

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("enterprise"))
    def enterprise(self, obj):
        return obj.enrollment.enterprise

    @admin.display(description=gettext_lazy("starts"))
    def session_start(self, obj):
        return local_time(obj.session.starts_at, obj.session.cohort.time_zone)


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
    autocomplete_fields = []
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
        if self.errors:
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
        "destination_country",
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
        return queryset.filter(pk__in=selectors.exports_visible_to(request.user).values("pk"))

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
    def decide_link(self, obj):
        url = reverse("admin:cohorts_exportrecord_decide", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Verify or reject"))

    @admin.action(description=gettext_lazy("Verify the selected exports"))
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
            messages.success(request, _("%(count)s exports verified.") % {"count": verified})

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
            if form.is_valid():
                reason = form.cleaned_data["reason"]
                try:
                    if "verify" in request.POST:
                        exports.export_verify(export_record=record, actor=request.user)
                        messages.success(request, _("The export is verified."))
                    elif "reject" in request.POST:
                        exports.export_reject(
                            export_record=record, actor=request.user, reason=reason
                        )
                        messages.success(request, _("The export is rejected."))
                    elif "reverse" in request.POST:
                        exports.export_verification_reverse(
                            export_record=record, actor=request.user, reason=reason
                        )
                        messages.success(request, _("The verification was reversed."))
                except ValidationError as error:
                    _refused(request, error)
                else:
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


__all__ = [
    "AttendanceAdmin",
    "CoachingVisitAdmin",
    "CoachingVisitInline",
    "EnterpriseSnapshotAdmin",
    "ExportRecordAdmin",
    "GraduationAdmin",
    "SessionAdmin",
    "local_time",
]
