"""Moving a request along from its admin page: one form page per move the workflow allows,
a confirmation before granting, rejecting or withdrawing, and setting the current step.

Every page calls the service of its move; a refusal re-renders the page with what was typed
and the reason beside the field it concerns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certifications import services
from certifications.admin.common import dry_run, page_context
from certifications.models import Case, SchemeMilestone
from cohorts.admin.running.common import form_page

S = Case.Status


def _text(label, *, rows: int = 3, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "cols": 60}),
    )


def _date(label, *, help_text: str = "") -> forms.DateField:
    # The service says which date is missing or wrong, beside the field.
    return forms.DateField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class NoteForm(forms.Form):
    note = _text(gettext_lazy("note (kept on the timeline)"))

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case


class SubmitForm(NoteForm):
    override_reason = _text(
        gettext_lazy("reason to submit without the prerequisites"),
        rows=2,
        help_text=gettext_lazy(
            "For example: the trademark has been filed and the receipt is attached."
        ),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.check = services.case_submission_check(case=case)
        if not self.check.missing_prerequisites:
            del self.fields["override_reason"]


class RevisionForm(NoteForm):
    deadline = _date(gettext_lazy("revision deadline"))
    note = _text(gettext_lazy("what the issuer asked to change"))
    field_order = ["deadline", "note"]


class GrantForm(NoteForm):
    number = forms.CharField(label=gettext_lazy("certificate number"), required=False)
    filing_date = _date(
        gettext_lazy("filing date"),
        help_text=gettext_lazy("Leave empty to use the day the request was submitted."),
    )
    issue_date = _date(gettext_lazy("issue date"))
    field_order = ["number", "filing_date", "issue_date", "note"]


class ReasonForm(NoteForm):
    reason = _text(gettext_lazy("reason"))
    field_order = ["reason"]

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        del self.fields["note"]


@dataclass(frozen=True)
class Move:
    """One move of the workflow as the admin offers it."""

    name: str
    target: str
    label: str
    form: type[NoteForm]
    run: Callable[[Case, object, dict], object]
    confirm: bool = False


MOVES = {
    move.name: move
    for move in (
        Move(
            "prepare",
            S.PREPARING,
            gettext_lazy("Start preparing"),
            NoteForm,
            lambda case, actor, data: services.case_start_preparing(
                case=case, actor=actor, note=data["note"]
            ),
        ),
        Move(
            "submit",
            S.SUBMITTED,
            gettext_lazy("Submit to the issuer"),
            SubmitForm,
            lambda case, actor, data: services.case_submit(
                case=case,
                actor=actor,
                note=data["note"],
                override_reason=data.get("override_reason", ""),
            ),
        ),
        Move(
            "revise",
            S.REVISION,
            gettext_lazy("Record a revision request"),
            RevisionForm,
            lambda case, actor, data: services.case_return_for_revision(
                case=case, actor=actor, deadline=data["deadline"], note=data["note"]
            ),
        ),
        Move(
            "grant",
            S.GRANTED,
            gettext_lazy("Record the grant"),
            GrantForm,
            lambda case, actor, data: services.case_grant(
                case=case,
                actor=actor,
                number=data["number"],
                issue_date=data["issue_date"],
                filing_date=data["filing_date"],
                note=data["note"],
            ),
            confirm=True,
        ),
        Move(
            "reject",
            S.REJECTED,
            gettext_lazy("Record the rejection"),
            ReasonForm,
            lambda case, actor, data: services.case_reject(
                case=case, actor=actor, reason=data["reason"]
            ),
            confirm=True,
        ),
        Move(
            "withdraw",
            S.WITHDRAWN,
            gettext_lazy("Record the withdrawal"),
            ReasonForm,
            lambda case, actor, data: services.case_withdraw(
                case=case, actor=actor, reason=data["reason"]
            ),
            confirm=True,
        ),
    )
}
MOVE_TO = {move.target: move for move in MOVES.values()}
DONE_MESSAGES = {
    "prepare": gettext_lazy("The request is being prepared."),
    "submit": gettext_lazy("The request is submitted to the issuer."),
    "revise": gettext_lazy("The request is waiting for its revision."),
    "grant": gettext_lazy("The request is granted and its certificate is recorded."),
    "reject": gettext_lazy("The request is recorded as rejected."),
    "withdraw": gettext_lazy("The request is recorded as withdrawn."),
}


def move_label(move: Move, case: Case) -> str:
    if move.name == "submit" and case.status == S.REVISION:
        return _("Resubmit to the issuer")
    return str(move.label)


def _day(value) -> str:
    return date_format(value) if value else "—"


def consequences(move: Move, case: Case, data: dict, outcome) -> list[str]:
    """What a confirmed move does, in sentences, from the service's own (rolled-back) run."""
    closes = _("The request becomes “%(status)s” and closes: its status can no longer change.") % {
        "status": S(move.target).label
    }
    lines = [closes]
    if move.name == "grant":
        certificate = outcome
        lines.append(
            _("Certificate %(number)s is recorded: filed %(filing)s, issued %(issue)s.")
            % {
                "number": certificate.number,
                "filing": _day(certificate.filing_date),
                "issue": _day(certificate.issue_date),
            }
        )
        if certificate.expiry_date is None:
            lines.append(_("By its scheme the certificate does not expire."))
        elif certificate.expiry_date <= timezone.localdate():
            lines.append(
                _("By its scheme it expired on %(date)s: it is recorded as expired.")
                % {"date": _day(certificate.expiry_date)}
            )
        else:
            lines.append(
                _("By its scheme it is valid until %(date)s.")
                % {"date": _day(certificate.expiry_date)}
            )
        if certificate.next_surveillance_date:
            lines.append(
                _("First surveillance: %(date)s.")
                % {"date": _day(certificate.next_surveillance_date)}
            )
        last = case.scheme.milestones.order_by("-order").first()
        if last is not None:
            lines.append(_("The current step becomes the last: %(step)s.") % {"step": last})
    else:
        lines.append(_("The reason is kept on the timeline: %(reason)s") % data)
        if move.name == "withdraw":
            lines.append(_("Its documents stay on file; no more can be added."))
        else:
            lines.append(_("A new request for this scheme can be opened later."))
    return lines


class StepForm(forms.Form):
    milestone = forms.ModelChoiceField(
        queryset=SchemeMilestone.objects.none(),
        label=gettext_lazy("step reached"),
        error_messages={"required": gettext_lazy("Choose the step the request has reached.")},
    )
    note = _text(gettext_lazy("note (kept on the timeline)"), rows=2)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        steps = list(case.scheme.milestones.order_by("order"))
        self.fields["milestone"].queryset = case.scheme.milestones.order_by("order")
        self.fields["milestone"].label_from_instance = lambda m: f"{m.order}. {m.name}"
        after = [
            m for m in steps if not case.current_milestone or m.order > case.current_milestone.order
        ]
        if after and not self.is_bound:
            self.initial["milestone"] = after[0].pk


class CaseMovesMixin:
    """The move and step pages of the request admin."""

    def get_urls(self):
        return [
            path(
                "<int:pk>/move/<slug:move>/",
                self.admin_site.admin_view(self.move_view),
                name="certifications_case_move",
            ),
            path(
                "<int:pk>/step/",
                self.admin_site.admin_view(self.step_view),
                name="certifications_case_step",
            ),
            *super().get_urls(),
        ]

    def _case_for_writing(self, request, pk) -> Case:
        case = get_object_or_404(
            self.get_queryset(request).select_related(
                "enterprise", "scheme", "office", "current_milestone"
            ),
            pk=pk,
        )
        if not self.has_change_permission(request, case):
            raise PermissionDenied
        return case

    def _change_url(self, case) -> str:
        return reverse("admin:certifications_case_change", args=[case.pk])

    def move_links(self, request, case) -> list[tuple[str, str, str]]:
        """(url, label, move name) for exactly the moves the workflow allows from here."""
        return [
            (
                reverse("admin:certifications_case_move", args=[case.pk, MOVE_TO[target].name]),
                move_label(MOVE_TO[target], case),
                MOVE_TO[target].name,
            )
            for target in services.case_allowed_moves(case=case)
        ]

    def move_view(self, request, pk, move):
        case = self._case_for_writing(request, pk)
        spec = MOVES.get(move)
        if spec is None:
            raise Http404
        if request.method != "POST" and spec.target not in services.case_allowed_moves(case=case):
            messages.error(
                request,
                _("A request that is “%(status)s” cannot become “%(target)s”.")
                % {"status": case.get_status_display(), "target": S(spec.target).label},
            )
            return HttpResponseRedirect(self._change_url(case))
        form = spec.form(request.POST or None, case=case)
        context = {"case": case, "move": spec, "form": form, "label": move_label(spec, case)}
        if request.method == "POST" and "edit" not in request.POST:

            def run(data):
                return spec.run(case, request.user, data)

            if spec.confirm and "confirm" not in request.POST:
                outcome = form_page(form, lambda data: dry_run(lambda: run(data)))
                if outcome is not None:
                    return self._render(
                        request,
                        "admin/certifications/case/move_confirm.html",
                        _("Confirm: %(move)s") % {"move": context["label"]},
                        consequences=consequences(spec, case, form.cleaned_data, outcome),
                        **context,
                    )
            elif form_page(form, run) is not None:
                messages.success(request, DONE_MESSAGES[spec.name])
                return HttpResponseRedirect(self._change_url(case))
        return self._render(
            request,
            "admin/certifications/case/move.html",
            context["label"],
            check=getattr(form, "check", None),
            **context,
        )

    def step_view(self, request, pk):
        case = self._case_for_writing(request, pk)
        form = StepForm(request.POST or None, case=case)
        if request.method == "POST":
            done = form_page(
                form,
                lambda data: services.case_set_milestone(
                    case=case, actor=request.user, milestone=data["milestone"], note=data["note"]
                ),
            )
            if done is not None:
                messages.success(
                    request,
                    _("The request is at step %(step)s.") % {"step": done.current_milestone},
                )
                return HttpResponseRedirect(self._change_url(case))
        return self._render(
            request, "admin/certifications/case/step.html", _("Set the step"), case=case, form=form
        )

    def _render(self, request, template, title, **extra):
        return TemplateResponse(request, template, page_context(self, request, title, **extra))
