"""The class page: attendance overview with rates and flags, assessments, closing and naik
kelas. Served from the session admin."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts import roles
from cohorts import selectors
from cohorts.admin.running.common import (
    ZONE_LABELS,
    _refused,
    local_time,
    managed_cohorts,
    posted_id,
)
from cohorts.models import (
    Attendance,
    Cohort,
    Enrollment,
)
from cohorts.services import classes


def dry_run(action):
    """What ``action`` (a service call) would do, undone: it runs in a transaction that is
    rolled back, with the messages it would queue. A refusal is raised as it would be."""
    with transaction.atomic():
        result = action()
        transaction.set_rollback(True)
    return result


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


SCORE_MESSAGE = gettext_lazy("An assessment score is a whole number from 0 to 100.")


class AssessmentRowForm(forms.Form):
    """One participant's row of the assessment table; its fields are posted as
    ``score-<enrollment id>``, ``output_export_plan-<enrollment id>``…"""

    score = forms.IntegerField(
        label=gettext_lazy("Assessment score"),
        required=False,
        min_value=0,
        max_value=100,
        error_messages={
            "invalid": SCORE_MESSAGE,
            "min_value": SCORE_MESSAGE,
            "max_value": SCORE_MESSAGE,
        },
    )

    def __init__(self, *args, enrollment: Enrollment, **kwargs):
        super().__init__(
            *args,
            prefix=str(enrollment.pk),
            initial={
                "score": enrollment.assessment_score,
                **{name: getattr(enrollment, name) for name in classes.OUTPUT_FIELDS},
            },
            **kwargs,
        )
        self.enrollment = enrollment
        for name in classes.OUTPUT_FIELDS:
            self.fields[name] = forms.BooleanField(
                label=Enrollment._meta.get_field(name).verbose_name, required=False
            )

    def add_prefix(self, field_name):
        return f"{field_name}-{self.prefix}"

    def entry(self) -> classes.AssessmentEntry:
        data = self.cleaned_data
        return classes.AssessmentEntry(
            assessment_score=data["score"],
            **{name: data[name] for name in classes.OUTPUT_FIELDS},
        )


class ClassPageMixin:
    """The class page, for the class (cohort) admin: its breadcrumb leads back to the classes."""

    def _class_page_context(self, request, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            **extra,
        }

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
        grid = selectors.cohort_attendance_grid(cohort=cohort)
        assessing = request.method == "POST" and "assess" in request.POST
        row_forms = [
            AssessmentRowForm(request.POST if assessing else None, enrollment=row["enrollment"])
            for row in grid["rows"]
        ]
        assess_errors: list[str] = []
        if request.method == "POST" and not may_change:
            raise PermissionDenied
        if assessing:
            response = self._assess(request, cohort, row_forms, assess_errors)
            if response is not None:
                return response
        elif request.method == "POST":
            try:
                response = self._cohort_post(request, cohort)
            except ValidationError as error:
                _refused(request, error)
            else:
                if response is not None:
                    return response
        for row, form in zip(grid["rows"], row_forms, strict=True):
            row["form"] = form
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
            self._class_page_context(
                request,
                _("Running the class: %(class)s") % {"class": cohort.name},
                cohort=cohort,
                program=program,
                grid=grid,
                session_times=[local_time(s.starts_at, cohort.time_zone) for s in grid["sessions"]],
                may_change=may_change and cohort.closed_at is None,
                may_promote=may_change and cohort.closed_at is not None,
                next_classes=next_classes,
                assess_errors=assess_errors,
                outputs=[
                    (name, Enrollment._meta.get_field(name).verbose_name)
                    for name in classes.OUTPUT_FIELDS
                ],
                zone_label=ZONE_LABELS.get(cohort.time_zone, cohort.time_zone),
            ),
        )

    def _assess(self, request, cohort, row_forms, assess_errors):
        """Save the assessment table. A refused row keeps what was typed and shows its error
        beside it; nothing is saved until every row is accepted."""
        rows = {form.enrollment.pk for form in row_forms}
        strangers = [
            key
            for key in request.POST
            if key.startswith("score-") and posted_id(key, "score-") not in rows
        ]
        if strangers:
            assess_errors.append(
                _("Assessments can only be recorded for participants of this class.")
            )
            return None
        valid = [form.is_valid() for form in row_forms]  # every row, so each shows its error
        if not all(valid):
            assess_errors.append(
                _("Some rows were refused: see the marked rows. Nothing was saved.")
            )
            return None
        try:
            changed = classes.cohort_record_assessments(
                cohort=cohort,
                actor=request.user,
                entries={form.enrollment.pk: form.entry() for form in row_forms},
            )
        except ValidationError as error:
            assess_errors.extend(error.messages)
            return None
        messages.success(
            request,
            ngettext("%(count)s assessment saved.", "%(count)s assessments saved.", changed)
            % {"count": changed},
        )
        return HttpResponseRedirect(request.path)

    def _confirm(self, request, cohort, title, *, action, hidden, **extra):
        """What an irreversible action will do, before it is done; its button posts the same
        choice again with ``confirm``."""
        return TemplateResponse(
            request,
            "admin/cohorts/cohort_confirm.html",
            self._class_page_context(
                request, title, cohort=cohort, action=action, hidden=hidden, **extra
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
        if "close" in post:
            required = [name for name in classes.OUTPUT_FIELDS if post.get(f"require-{name}")]

            def close():
                return classes.cohort_close(
                    cohort=cohort, actor=request.user, required_outputs=required
                )

            if "confirm" not in post:
                return self._confirm(
                    request,
                    cohort,
                    _("Close the class: %(class)s") % {"class": cohort.name},
                    action="close",
                    hidden=[(f"require-{name}", "on") for name in required],
                    closing=dry_run(close),
                )
            result = close()
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

            def promote():
                return classes.cohorts_promote_eligible(
                    from_cohort=cohort, to_cohort=target, actor=request.user
                )

            if "confirm" not in post:
                return self._confirm(
                    request,
                    cohort,
                    _("Move up to %(class)s") % {"class": target},
                    action="promote",
                    hidden=[("to_cohort", str(target.pk))],
                    promotion=dry_run(promote),
                    target=target,
                )
            result = promote()
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
