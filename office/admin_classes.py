"""Admin pages for bulk work on a class: message, move, paper sheet, attendance by phone."""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from cohorts.models import Attendance, Cohort, Enrollment
from cohorts.permissions import actor_manages_program
from cohorts.services import classes as class_services
from office import classes
from office.admin import EXPORT_FORMATS


class ClassMessageForm(forms.Form):
    title = forms.CharField(label=_("subject"), max_length=250)
    body = forms.CharField(label=_("message"), widget=forms.Textarea(attrs={"rows": 6}))
    token = forms.RegexField(regex=r"^[0-9a-f]{16}$", widget=forms.HiddenInput())


class CohortBulkMixin:
    """On a class: message every participant, download the paper attendance sheet."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/message/", view(self.message_view), name="cohorts_cohort_message"),
            path(
                "<int:pk>/attendance-sheet.xlsx",
                view(self.attendance_sheet_view),
                name="cohorts_cohort_attendance_sheet",
            ),
        ] + super().get_urls()

    def _cohort(self, request, pk) -> Cohort:
        cohort = self.get_queryset(request).select_related("stage__program").filter(pk=pk).first()
        if cohort is None:
            raise Http404
        return cohort

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None:
            links = [
                (
                    reverse("admin:cohorts_cohort_attendance_sheet", args=[obj.pk]),
                    gettext("Attendance sheet (.xlsx)"),
                )
            ]
            if actor_manages_program(request.user, obj.stage.program):
                links.append(
                    (
                        reverse("admin:cohorts_cohort_message", args=[obj.pk]),
                        gettext("Message the participants"),
                    )
                )
            extra_context["office_actions"] = links
        return super().change_view(request, object_id, form_url, extra_context)

    def attendance_sheet_view(self, request, pk):
        cohort = self._cohort(request, pk)
        response = HttpResponse(
            classes.attendance_sheet(cohort=cohort), content_type=EXPORT_FORMATS["xlsx"]
        )
        name = slugify(cohort.name) or "class"
        response["Content-Disposition"] = f'attachment; filename="attendance-{name}.xlsx"'
        return response

    def message_view(self, request, pk):
        cohort = self._cohort(request, pk)
        if not actor_manages_program(request.user, cohort.stage.program):
            raise PermissionDenied
        recipients = classes.class_participants(cohort).count()
        if request.method == "POST":
            form = ClassMessageForm(request.POST)
            if form.is_valid():
                try:
                    sent = classes.class_message(
                        cohort=cohort, actor=request.user, **form.cleaned_data
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(
                        request,
                        ngettext(
                            "The message is queued for %(count)s participant.",
                            "The message is queued for %(count)s participants.",
                            sent,
                        )
                        % {"count": sent},
                    )
                    return HttpResponseRedirect(
                        reverse("admin:cohorts_cohort_change", args=[cohort.pk])
                    )
        else:
            form = ClassMessageForm(initial={"token": secrets.token_hex(8)})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Message the participants of %(class)s") % {"class": cohort.name},
            "intro": ngettext(
                "It goes to %(count)s participant through the reminders outbox.",
                "It goes to %(count)s participants through the reminders outbox.",
                recipients,
            )
            % {"count": recipients},
            "form": form,
            "object": cohort,
            "back_url": reverse("admin:cohorts_cohort_change", args=[cohort.pk]),
        }
        return TemplateResponse(request, "admin/cohorts/seats_form.html", context)


class MoveForm(forms.Form):
    cohort = forms.ModelChoiceField(label=_("move to class"), queryset=Cohort.objects.none())

    def __init__(self, *args, cohorts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = cohorts


class EnrollmentMoveMixin:
    """An action on the enrollments list: move the selected participants to another class."""

    @admin.action(description=_("Move to another class of the same level"), permissions=["change"])
    def move_to_class(self, request, queryset):
        enrollments = list(queryset.select_related("cohort", "enterprise"))
        cohorts = {e.cohort for e in enrollments if e.cohort is not None}
        keys = {(c.stage_id, c.level) for c in cohorts}
        if len(keys) != 1 or any(e.cohort is None for e in enrollments):
            self.message_user(
                request,
                gettext("Choose participants of classes of one stage and level."),
                messages.ERROR,
            )
            return None
        (stage_id, level) = keys.pop()
        targets = Cohort.objects.filter(stage_id=stage_id, level=level, closed_at__isnull=True)
        targets = targets.exclude(pk__in=[c.pk for c in cohorts] if len(cohorts) == 1 else [])
        form = MoveForm(request.POST if "apply" in request.POST else None, cohorts=targets)
        if form.is_valid():
            try:
                moved = classes.enrollments_move(
                    enrollments=enrollments, cohort=form.cleaned_data["cohort"], actor=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)s participant moved.", "%(count)s participants moved.", len(moved)
                    )
                    % {"count": len(moved)},
                    messages.SUCCESS,
                )
                return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Move participants to another class"),
            "form": form,
            "enrollments": enrollments,
            "action": "move_to_class",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/office/move_enrollments.html", context)


class SessionTapMixin:
    """Attendance at the venue on a phone: one tap per participant marks them present."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/tap/", view(self.tap_view), name="cohorts_session_tap"),
        ] + super().get_urls()

    def tap_view(self, request, pk):
        session = self._session(request, pk)
        cohort = session.cohort
        may_change = self._may_change(request, session) and cohort.closed_at is None
        enrollments = list(
            Enrollment.objects.filter(cohort=cohort, status=Enrollment.Status.ENROLLED)
            .select_related("enterprise")
            .order_by("enterprise__name")
        )
        if request.method == "POST":
            if not may_change:
                raise PermissionDenied
            status = request.POST.get("status", Attendance.Status.PRESENT)
            try:
                enrollment_id = int(request.POST.get("enrollment", ""))
            except ValueError:
                enrollment_id = 0
            try:
                class_services.attendance_record(
                    session=session,
                    actor=request.user,
                    entries={enrollment_id: class_services.AttendanceEntry(status=status)},
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(f"{request.path}#e{enrollment_id}")
        marked = dict(
            Attendance.objects.filter(session=session).values_list("enrollment_id", "status")
        )
        rows = [
            {"enrollment": e, "status": marked.get(e.pk), "present": marked.get(e.pk) == "present"}
            for e in enrollments
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": session.topic,
            "session": session,
            "starts": timezone.localtime(session.starts_at),
            "rows": rows,
            "present_count": sum(1 for row in rows if row["present"]),
            "may_change": may_change,
        }
        return TemplateResponse(request, "admin/office/attendance_tap.html", context)
