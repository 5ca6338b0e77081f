"""Selection: an enterprise applies to a programme stage; staff select or reject it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Enterprise, User
from cohorts.models import Enrollment, Level, Program, Stage
from cohorts.permissions import actor_acts_for_enterprise, actor_may_enrol, require_program_staff

# Export-readiness score (0–100) → the class it suggests. The bands follow the programme's
# screening sheet: below 40 the basics (legality, costing, packaging) are missing; from 40 an
# enterprise is ready to build an export plan; from 70 it is ready to meet buyers.
READINESS_BANDS: tuple[tuple[int, Level], ...] = (
    (70, Level.MAHIR),
    (40, Level.MENENGAH),
    (0, Level.PEMULA),
)


def suggested_level_for_score(score: int | None) -> str:
    """The level a readiness score suggests: <40 pemula, 40–69 menengah, ≥70 mahir."""
    if score is None:
        return ""
    for floor, level in READINESS_BANDS:
        if score >= floor:
            return level
    return Level.PEMULA


def active_enrollment_message(existing: Enrollment) -> str:
    if existing.cohort_id is not None:
        return _("This enterprise already takes part in this stage, in the class %(cohort)s.") % {
            "cohort": existing.cohort.name
        }
    return _("This enterprise has already applied to this stage (status: %(status)s).") % {
        "status": existing.get_status_display()
    }


def _active_enrollment(enterprise_id: int, stage_id: int) -> Enrollment | None:
    return (
        Enrollment.objects.filter(enterprise_id=enterprise_id, stage_id=stage_id)
        .exclude(status__in=Enrollment.INACTIVE_STATUSES)
        .select_related("cohort")
        .first()
    )


@transaction.atomic
def enrollment_apply(
    *,
    enterprise: Enterprise,
    stage: Stage,
    actor: User,
    has_nib: bool,
    continuous_production: bool,
    sufficient_capacity: bool,
    committed: bool,
    readiness_score: int | None = None,
    site_visit_notes: str = "",
) -> Enrollment:
    """An enterprise applies to a stage (or staff register it on its behalf).

    At most one active enrollment per enterprise per stage: the enterprise row is locked so
    two applications at once are decided one after the other.
    """
    program = Program.objects.get(pk=stage.program_id)
    if not actor_acts_for_enterprise(actor, enterprise.pk, program):
        raise ValidationError(
            _("You may only apply on behalf of your own enterprise."), code="permission"
        )
    if not actor_may_enrol(actor, enterprise.pk, program):
        raise ValidationError(
            _(
                "Your office may only enrol enterprises it registered or that take part in "
                "its programmes."
            ),
            code="permission",
        )
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    existing = _active_enrollment(enterprise.pk, stage.pk)
    if existing is not None:
        raise ValidationError(active_enrollment_message(existing), code="active_in_stage")
    if readiness_score is not None and not 0 <= readiness_score <= 100:
        raise ValidationError({"readiness_score": _("The readiness score lies between 0 and 100.")})
    enrollment = Enrollment(
        enterprise=enterprise,
        program=program,
        stage=stage,
        status=Enrollment.Status.APPLIED,
        has_nib=has_nib,
        continuous_production=continuous_production,
        sufficient_capacity=sufficient_capacity,
        committed=committed,
        readiness_score=readiness_score,
        suggested_level=suggested_level_for_score(readiness_score),
        site_visit_notes=site_visit_notes.strip(),
        applied_by=actor,
    )
    enrollment._history_user = actor
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError as error:  # the partial unique index is the last word
        existing = _active_enrollment(enterprise.pk, stage.pk)
        if existing is None:
            raise
        raise ValidationError(
            active_enrollment_message(existing), code="active_in_stage"
        ) from error
    return enrollment


def _lock(enrollment: Enrollment) -> Enrollment:
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("program", "cohort")
        .get(pk=enrollment.pk)
    )


@transaction.atomic
def enrollment_select(*, enrollment: Enrollment, actor: User, reason: str = "") -> Enrollment:
    """Staff select an application; it may then be admitted to a class."""
    enrollment = _lock(enrollment)
    require_program_staff(actor, enrollment.program)
    if enrollment.status != Enrollment.Status.APPLIED:
        raise ValidationError(
            _("Only an application still waiting for a decision can be selected (now: %(status)s).")
            % {"status": enrollment.get_status_display()}
        )
    enrollment.status = Enrollment.Status.SELECTED
    enrollment.decision_reason = reason.strip()
    enrollment._history_user = actor
    enrollment.save(update_fields=["status", "decision_reason"])
    return enrollment


@transaction.atomic
def enrollment_reject(*, enrollment: Enrollment, actor: User, reason: str) -> Enrollment:
    """Staff reject an application, with a reason; a rejected one blocks no new application."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for not selecting this enterprise.")})
    enrollment = _lock(enrollment)
    require_program_staff(actor, enrollment.program)
    if enrollment.status not in (Enrollment.Status.APPLIED, Enrollment.Status.SELECTED):
        raise ValidationError(
            _("Only an application not yet admitted to a class can be rejected (now: %(status)s).")
            % {"status": enrollment.get_status_display()}
        )
    enrollment.status = Enrollment.Status.REJECTED
    enrollment.decision_reason = reason
    enrollment._history_user = actor
    enrollment.save(update_fields=["status", "decision_reason"])
    return enrollment
