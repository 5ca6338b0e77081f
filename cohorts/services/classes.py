"""Running a class: sessions, attendance, coaching, completion, naik kelas and snapshots.

Every function here is a service: keyword-only, atomic, it locks what it changes and saves
(or uses the history-aware bulk helpers) so django-simple-history keeps the change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import Enterprise, User
from cohorts import selectors
from cohorts.models import (
    LEVEL_ORDER,
    Attendance,
    CoachingVisit,
    Cohort,
    Enrollment,
    EnterpriseSnapshot,
    Level,
    Session,
)
from cohorts.permissions import require_program_staff
from cohorts.services import seats
from cohorts.services.snapshots import snapshot_record
from notifications import kinds
from notifications import services as notifications

MAX_SESSIONS_PER_PATTERN = 60
MAX_SESSION_MINUTES = 12 * 60
OUTPUT_FIELDS = ("output_export_plan", "output_fob_calculation", "output_product_catalogue")


def local_zone(cohort: Cohort) -> ZoneInfo:
    return ZoneInfo(cohort.time_zone)


def _lock_open_cohort(cohort: Cohort, actor: User) -> Cohort:
    """Lock an open class that the actor runs."""
    cohort = (
        Cohort.objects.select_related("stage__program")
        .select_for_update(of=("self",))
        .get(pk=cohort.pk)
    )
    require_program_staff(actor, cohort.stage.program)
    if cohort.closed_at is not None:
        raise ValidationError(_("This class is closed; its sessions and attendance are final."))
    return cohort


def _lock_session(session: Session, actor: User) -> Session:
    """Lock a session of an open class that the actor runs."""
    session = (
        Session.objects.select_related("cohort__stage__program")
        .select_for_update(of=("self",))
        .get(pk=session.pk)
    )
    require_program_staff(actor, session.cohort.stage.program)
    if session.cohort.closed_at is not None:
        raise ValidationError(_("This class is closed; its sessions and attendance are final."))
    return session


# --- sessions ---------------------------------------------------------------------------


@transaction.atomic
def sessions_generate(
    *,
    cohort: Cohort,
    actor: User,
    first_date: dt.date,
    weekdays: Iterable[int],
    start_time: dt.time,
    duration_minutes: int,
    count: int,
    topic: str = "",
    place: str = "",
    online_link: str = "",
    speakers: str = "",
) -> list[Session]:
    """Create ``count`` sessions on the given weekdays (0 = Monday) from ``first_date`` on,
    each starting at ``start_time`` in the class's own zone (WIB, WITA or WIT)."""
    days = sorted({int(day) for day in weekdays})
    if not days or any(day < 0 or day > 6 for day in days):
        raise ValidationError(_("Choose at least one weekday."))
    if not 1 <= count <= MAX_SESSIONS_PER_PATTERN:
        raise ValidationError(
            _("The number of sessions lies between 1 and %(max)s.")
            % {"max": MAX_SESSIONS_PER_PATTERN}
        )
    if not 1 <= duration_minutes <= MAX_SESSION_MINUTES:
        raise ValidationError(
            _("A session lasts between 1 and %(max)s minutes.") % {"max": MAX_SESSION_MINUTES}
        )
    cohort = _lock_open_cohort(cohort, actor)
    zone = local_zone(cohort)
    numbered_from = Session.objects.filter(cohort=cohort).count() + 1
    sessions: list[Session] = []
    day = first_date
    while len(sessions) < count:
        if day.weekday() in days:
            starts_at = dt.datetime.combine(day, start_time, tzinfo=zone)
            number = numbered_from + len(sessions)
            sessions.append(
                Session(
                    cohort=cohort,
                    topic=_session_topic(topic, number=number, single=count == 1),
                    starts_at=starts_at,
                    ends_at=starts_at + dt.timedelta(minutes=duration_minutes),
                    place=place or cohort.venue,
                    online_link=online_link or cohort.online_link,
                    speakers=speakers or cohort.trainers,
                )
            )
        day += dt.timedelta(days=1)
    for session in sessions:
        session.full_clean(exclude=["cohort"])
    return bulk_create_with_history(sessions, Session, default_user=actor)


def _session_topic(topic: str, *, number: int, single: bool) -> str:
    topic = topic.strip()
    if topic and single:
        return topic
    if topic:
        return f"{topic} {number}"
    return _("Session %(number)s") % {"number": number}


def _as_aware(value: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    return value.replace(tzinfo=zone) if timezone.is_naive(value) else value


@transaction.atomic
def session_reschedule(
    *,
    session: Session,
    actor: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    place: str | None = None,
    online_link: str | None = None,
) -> Session:
    """Move a session; naive times are read in the class's zone. The duration is kept when
    no end is given."""
    session = _lock_session(session, actor)
    if session.is_cancelled:
        raise ValidationError(_("A cancelled session cannot be rescheduled."))
    zone = local_zone(session.cohort)
    duration = session.ends_at - session.starts_at
    session.starts_at = _as_aware(starts_at, zone)
    session.ends_at = _as_aware(ends_at, zone) if ends_at else session.starts_at + duration
    if session.ends_at <= session.starts_at:
        raise ValidationError(_("A session must end after it starts."))
    if place is not None:
        session.place = place
    if online_link is not None:
        session.online_link = online_link
    session.full_clean(exclude=["cohort"])
    session._history_user = actor
    session.save()
    # the day-before reminders of the old date go; the rule writes those of the new one
    notifications.reminder_cancel(subject_object=session, kind=kinds.SESSION_TOMORROW)
    return session


@transaction.atomic
def session_cancel(*, session: Session, actor: User, reason: str) -> Session:
    """Mark a session cancelled; it stays in the list and no longer counts for attendance."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason for cancelling the session."))
    session = _lock_session(session, actor)
    if session.is_cancelled:
        raise ValidationError(_("This session is already cancelled."))
    session.cancelled_at, session.cancelled_by = timezone.now(), actor
    session.cancel_reason = reason[:250]
    session._history_user = actor
    session.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
    notifications.reminder_cancel(subject_object=session)
    return session


@transaction.atomic
def session_update_details(
    *,
    session: Session,
    actor: User,
    topic: str | None = None,
    speakers: str | None = None,
    place: str | None = None,
    online_link: str | None = None,
) -> Session:
    """Change a session's topic, speakers, place or link."""
    session = _lock_session(session, actor)
    for name, value in (
        ("topic", topic),
        ("speakers", speakers),
        ("place", place),
        ("online_link", online_link),
    ):
        if value is not None:
            setattr(session, name, value.strip())
    session.full_clean(exclude=["cohort"])
    session._history_user = actor
    session.save()
    # the day-before reminders of the old date go; the rule writes those of the new one
    notifications.reminder_cancel(subject_object=session, kind=kinds.SESSION_TOMORROW)
    return session


# --- attendance -------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceEntry:
    status: str
    attendee_name: str = ""


@transaction.atomic
def attendance_record(
    *, session: Session, actor: User, entries: Mapping[int, AttendanceEntry]
) -> list[Attendance]:
    """Record the attendance of a session for many participants at once, keyed by enrollment
    id. All or nothing: one wrong row refuses the whole sheet."""
    session = _lock_session(session, actor)
    if session.is_cancelled:
        raise ValidationError(_("Attendance cannot be recorded for a cancelled session."))
    if session.starts_at > timezone.now():
        raise ValidationError(_("This session has not started yet."))
    valid = set(Attendance.Status.values)
    for entry in entries.values():
        if entry.status not in valid:
            raise ValidationError(
                _("“%(status)s” is not an attendance status.") % {"status": entry.status}
            )
    enrollments = {
        e.pk: e
        for e in Enrollment.objects.filter(pk__in=list(entries)).select_related("enterprise")
    }
    for enrollment_id in entries:
        enrollment = enrollments.get(enrollment_id)
        if enrollment is None or enrollment.cohort_id != session.cohort_id:
            raise ValidationError(
                _("Attendance can only be recorded for participants of this class.")
            )
        if enrollment.status != Enrollment.Status.ENROLLED:
            raise ValidationError(
                _("%(enterprise)s is not enrolled in this class (%(status)s).")
                % {"enterprise": enrollment.enterprise, "status": enrollment.get_status_display()}
            )
    existing = {
        a.enrollment_id: a
        for a in Attendance.objects.filter(session=session, enrollment_id__in=list(entries))
    }
    to_create, to_update = [], []
    for enrollment_id, entry in entries.items():
        name = (entry.attendee_name or "").strip()[:200]
        current = existing.get(enrollment_id)
        if current is None:
            to_create.append(
                Attendance(
                    enrollment_id=enrollment_id,
                    session=session,
                    status=entry.status,
                    attendee_name=name,
                    recorded_by=actor,
                )
            )
        elif current.status != entry.status or current.attendee_name != name:
            current.status, current.attendee_name, current.recorded_by = entry.status, name, actor
            current.recorded_at = timezone.now()
            to_update.append(current)
    if to_create:
        bulk_create_with_history(to_create, Attendance, default_user=actor)
    if to_update:
        bulk_update_with_history(
            to_update,
            Attendance,
            ["status", "attendee_name", "recorded_by", "recorded_at"],
            default_user=actor,
        )
    return list(Attendance.objects.filter(session=session, enrollment_id__in=list(entries)))


# --- coaching ---------------------------------------------------------------------------

COACHED_STATUSES = (
    Enrollment.Status.ENROLLED,
    Enrollment.Status.COMPLETED,
    Enrollment.Status.NOT_COMPLETED,
)


@transaction.atomic
def coaching_visit_record(
    *,
    enrollment: Enrollment,
    actor: User,
    coach: str,
    visit_date: dt.date,
    notes: str = "",
    next_steps: str = "",
) -> CoachingVisit:
    """Record a coaching visit ("Pendampingan") to a participant."""
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("program")
        .get(pk=enrollment.pk)
    )
    require_program_staff(actor, enrollment.program)
    if enrollment.status not in COACHED_STATUSES:
        raise ValidationError(_("Coaching visits are recorded for participants of a class."))
    if not (coach or "").strip():
        raise ValidationError(_("Name the coach."))
    if visit_date > timezone.localdate():
        raise ValidationError(_("A visit cannot be recorded before it has taken place."))
    visit = CoachingVisit(
        enrollment=enrollment,
        coach=coach.strip(),
        visit_date=visit_date,
        notes=notes,
        next_steps=next_steps,
        recorded_by=actor,
    )
    visit.full_clean()
    visit._history_user = actor
    visit.save()
    return visit


# --- assessment and completion ----------------------------------------------------------


@dataclass(frozen=True)
class AssessmentEntry:
    assessment_score: int | None
    output_export_plan: bool = False
    output_fob_calculation: bool = False
    output_product_catalogue: bool = False


@transaction.atomic
def cohort_record_assessments(
    *, cohort: Cohort, actor: User, entries: Mapping[int, AssessmentEntry]
) -> int:
    """Record the assessment score (0–100) and the delivered outputs of many participants."""
    cohort = _lock_open_cohort(cohort, actor)
    enrollments = {
        e.pk: e
        for e in Enrollment.objects.select_for_update().filter(
            pk__in=list(entries), cohort=cohort, status=Enrollment.Status.ENROLLED
        )
    }
    changed = []
    for enrollment_id, entry in entries.items():
        enrollment = enrollments.get(enrollment_id)
        if enrollment is None:
            raise ValidationError(
                _("Assessments can only be recorded for participants of this class.")
            )
        score = entry.assessment_score
        if score is not None and not 0 <= score <= 100:
            raise ValidationError(_("The assessment score lies between 0 and 100."))
        values = {
            "assessment_score": score,
            "output_export_plan": entry.output_export_plan,
            "output_fob_calculation": entry.output_fob_calculation,
            "output_product_catalogue": entry.output_product_catalogue,
        }
        if any(getattr(enrollment, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(enrollment, k, v)
            changed.append(enrollment)
    if changed:
        bulk_update_with_history(
            changed, Enrollment, ["assessment_score", *OUTPUT_FIELDS], default_user=actor
        )
    return len(changed)


def completion_shortfalls(
    *, enrollment: Enrollment, attendance_percent: float | None, required_outputs: Iterable[str]
) -> list[str]:
    """Why an enrollment does not complete its class; empty when it does."""
    program = enrollment.program
    reasons = []
    if attendance_percent is None or attendance_percent < program.attendance_threshold_percent:
        reasons.append(
            _("attendance %(rate)s%% below %(threshold)s%%")
            % {
                "rate": 0 if attendance_percent is None else round(attendance_percent),
                "threshold": program.attendance_threshold_percent,
            }
        )
    if enrollment.assessment_score is None:
        reasons.append(_("no assessment score"))
    elif enrollment.assessment_score < program.pass_mark:
        reasons.append(
            _("assessment %(score)s below the pass mark %(mark)s")
            % {"score": enrollment.assessment_score, "mark": program.pass_mark}
        )
    labels = {name: Enrollment._meta.get_field(name).verbose_name for name in OUTPUT_FIELDS}
    reasons += [
        _("missing: %(output)s") % {"output": labels[name]}
        for name in required_outputs
        if not getattr(enrollment, name)
    ]
    return reasons


@dataclass
class ClosingResult:
    cohort: Cohort
    completed: list[Enrollment] = field(default_factory=list)
    not_completed: list[tuple[Enrollment, list[str]]] = field(default_factory=list)
    # offered or waiting when the class closed: back among the stage's selected applications
    released: list[Enrollment] = field(default_factory=list)


@transaction.atomic
def cohort_close(
    *, cohort: Cohort, actor: User, required_outputs: Iterable[str] = OUTPUT_FIELDS
) -> ClosingResult:
    """Close a class: each enrolled participant completes it or not, from attendance (at least
    the programme's threshold of the sessions held), the assessment (at least the pass mark)
    and the required outputs. Takes the completion snapshots; the 12-month ones are asked for
    when they fall due (``snapshots.snapshot_follow_ups_request``).
    Closing twice is refused."""
    required = list(required_outputs)
    unknown = set(required) - set(OUTPUT_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown outputs: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    cohort = (
        Cohort.objects.select_related("stage__program")
        .select_for_update(of=("self",))
        .get(pk=cohort.pk)
    )
    require_program_staff(actor, cohort.stage.program)
    if cohort.closed_at is not None:
        raise ValidationError(_("This class is already closed."))
    now = timezone.now()
    if not selectors.sessions_held(cohort=cohort, now=now).exists():
        raise ValidationError(_("This class has held no session yet; it cannot be closed."))
    upcoming = Session.objects.filter(cohort=cohort, cancelled_at__isnull=True, starts_at__gt=now)
    if upcoming.exists():
        raise ValidationError(
            _("%(count)s sessions are still to come: cancel them or close the class after them.")
            % {"count": upcoming.count()}
        )
    result = ClosingResult(cohort=cohort)
    rates = {
        e.pk: e.attendance_percent
        for e in selectors.enrollments_with_attendance_rate(cohort=cohort, now=now)
    }
    enrollments = list(
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("program", "enterprise")
        .filter(cohort=cohort, status=Enrollment.Status.ENROLLED)
    )
    for enrollment in enrollments:
        reasons = completion_shortfalls(
            enrollment=enrollment,
            attendance_percent=rates.get(enrollment.pk),
            required_outputs=required,
        )
        enrollment.ended_at = now
        if reasons:
            enrollment.status = Enrollment.Status.NOT_COMPLETED
            result.not_completed.append((enrollment, reasons))
        else:
            enrollment.status = Enrollment.Status.COMPLETED
            result.completed.append(enrollment)
    if enrollments:
        bulk_update_with_history(
            enrollments, Enrollment, ["status", "ended_at"], default_user=actor
        )
    cohort.closed_at, cohort.closed_by = now, actor
    cohort._history_user = actor
    cohort.save(update_fields=["closed_at", "closed_by"])
    result.released = seats.seats_release_on_close(cohort=cohort, actor=actor)
    for enrollment in enrollments:
        snapshot_record(
            enterprise=enrollment.enterprise,
            program=enrollment.program,
            moment=EnterpriseSnapshot.Moment.COMPLETION,
            actor=actor,
            taken_on=timezone.localdate(now),
        )
    return result


# --- naik kelas -------------------------------------------------------------------------


def next_level(level: str) -> Level | None:
    index = LEVEL_ORDER.index(Level(level))
    return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else None


@dataclass
class PromotionResult:
    """Who moved up: with a seat (``enrolled``), on the waiting list (``waitlisted``), or not
    (``skipped``, with the reason)."""

    enrolled: list[Enrollment] = field(default_factory=list)
    waitlisted: list[Enrollment] = field(default_factory=list)
    skipped: list[tuple[Enterprise, str]] = field(default_factory=list)

    @property
    def admitted(self) -> list[Enrollment]:
        """Everyone admitted to the class, seated or waiting."""
        return [*self.enrolled, *self.waitlisted]


def _is_later_stage(earlier, later) -> bool:
    if later.pk == earlier.pk:
        return False
    if later.program_id == earlier.program_id:
        return later.number > earlier.number
    return later.start_date > earlier.start_date


@transaction.atomic
def cohorts_promote_eligible(
    *, from_cohort: Cohort, to_cohort: Cohort, actor: User
) -> PromotionResult:
    """Naik kelas: enrol the participants who completed a closed class into the class of the
    next level in a later stage, through the seat rules (a seat or the waiting list).
    Enterprises whose eligible level is not that class's, or that already take part in that
    stage, are skipped with the reason."""
    from_cohort = Cohort.objects.select_related("stage__program").get(pk=from_cohort.pk)
    to_cohort = Cohort.objects.select_related("stage__program").get(pk=to_cohort.pk)
    require_program_staff(actor, from_cohort.stage.program)
    require_program_staff(actor, to_cohort.stage.program)
    if from_cohort.closed_at is None:
        raise ValidationError(_("Close the class before moving its participants up."))
    target = next_level(from_cohort.level)
    if target is None:
        raise ValidationError(_("There is no class above Advanced."))
    if to_cohort.level != target:
        raise ValidationError(
            _("Participants of a %(from)s class move up to a %(to)s class.")
            % {"from": from_cohort.get_level_display(), "to": Level(target).label}
        )
    if not _is_later_stage(from_cohort.stage, to_cohort.stage):
        raise ValidationError(_("The next class must belong to a later stage."))
    if to_cohort.closed_at is not None:
        raise ValidationError(_("The next class is already closed."))
    result = PromotionResult()
    completed = (
        Enrollment.objects.filter(cohort=from_cohort, status=Enrollment.Status.COMPLETED)
        .select_related("enterprise")
        .order_by("enterprise__name", "pk")
    )
    for previous in completed:
        enterprise = previous.enterprise
        if selectors.eligible_level(enterprise) != target:
            result.skipped.append((enterprise, _("not eligible for this level")))
            continue
        try:
            with transaction.atomic():
                # the same lock as an application takes, so the one-per-stage check below
                # and the insert are not raced by an application of the same enterprise
                Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
                if (
                    Enrollment.objects.filter(enterprise=enterprise, stage=to_cohort.stage)
                    .exclude(status__in=Enrollment.INACTIVE_STATUSES)
                    .exists()
                ):
                    result.skipped.append((enterprise, _("already takes part in that stage")))
                    continue
                enrollment = Enrollment(
                    enterprise=enterprise,
                    program=to_cohort.stage.program,
                    stage=to_cohort.stage,
                    status=Enrollment.Status.SELECTED,
                    suggested_level=target,
                    applied_by=actor,
                    decision_reason=_("Moved up from %(class)s") % {"class": from_cohort},
                )
                enrollment._history_user = actor
                enrollment.save()
                admitted, outcome = seats.enrollment_admit(
                    enrollment=enrollment, cohort=to_cohort, actor=actor
                )
        except ValidationError as error:
            result.skipped.append((enterprise, "; ".join(error.messages)))
        except IntegrityError:
            # a row written at the same moment by a writer that does not take the lock
            result.skipped.append((enterprise, _("already takes part in that stage")))
        else:
            if outcome == seats.AdmitOutcome.ENROLLED:
                result.enrolled.append(admitted)
            else:
                result.waitlisted.append(admitted)
    return result
