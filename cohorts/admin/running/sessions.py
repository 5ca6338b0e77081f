"""Sessions and their attendance sheets."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts import roles
from accounts.admin_base import ScopedAdmin, ScopedRelatedFieldListFilter
from cohorts import selectors
from cohorts.admin.running.common import (
    WEEKDAY_CHOICES,
    ServiceFormMixin,
    _managed_program_ids,
    _refused,
    form_page,
    local_time,
    managed_cohorts,
    posted_id,
)
from cohorts.models import (
    Attendance,
    Cohort,
    Session,
)
from cohorts.services import classes
from office.admin_classes import SessionTapMixin

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
class SessionAdmin(SessionTapMixin, ServiceFormMixin, ScopedAdmin):
    form = SessionForm
    list_display = ["topic", "cohort", "local_start", "speakers", "state", "attendance_link"]
    list_select_related = ["cohort"]
    list_filter = [
        ("cohort", ScopedRelatedFieldListFilter),
        ("cancelled_at", admin.EmptyFieldListFilter),
    ]
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

    def changelist_view(self, request, extra_context=None):
        # the "generate" page replaces "add": offered to those who may write
        extra_context = {"may_generate": self._may_write(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

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
        created = form_page(
            form,
            lambda data: classes.sessions_generate(
                actor=request.user, **{k: v for k, v in data.items() if v is not None}
            ),
        )
        if created is not None:
            messages.success(
                request,
                ngettext("%(count)s session created.", "%(count)s sessions created.", len(created))
                % {"count": len(created)},
            )
            url = reverse("admin:cohorts_cohort_running", args=[form.cleaned_data["cohort"].pk])
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

        def reschedule_to(data):
            ends_at = None
            if data["end_time"]:
                ends_at = dt.datetime.combine(data["date"], data["end_time"])
            return classes.session_reschedule(
                session=session,
                actor=request.user,
                starts_at=dt.datetime.combine(data["date"], data["start_time"]),
                ends_at=ends_at,
            )

        if form_page(reschedule, reschedule_to) is not None:
            messages.success(request, _("The session was rescheduled."))
            return HttpResponseRedirect(request.path)
        cancelled = form_page(
            cancel,
            lambda data: classes.session_cancel(
                session=session, actor=request.user, reason=data["reason"]
            ),
        )
        if cancelled is not None:
            messages.success(request, _("The session was cancelled."))
            return HttpResponseRedirect(request.path)
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
                    ngettext(
                        "Attendance saved for %(count)s participant.",
                        "Attendance saved for %(count)s participants.",
                        len(entries),
                    )
                    % {"count": len(entries)},
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
