"""Programmes, stages and classes, run through the cohort services.

Every enterprise applies, is selected and admitted (a seat or the waiting list); sessions
come from a weekly pattern; attendance is taken per session; classes are assessed and closed,
which decides who completed; completers move up a class through the promotion service.
Programmes, stages and classes themselves have no services: they are plain rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts.models import Enterprise, TradeOffice, User
from cohorts import selectors
from cohorts.models import (
    LEVEL_ORDER,
    Attendance,
    Cohort,
    Enrollment,
    EnterpriseSnapshot,
    Program,
    Session,
    Stage,
)
from cohorts.services import classes, seats, selection, snapshots
from cohorts.services.classes import AssessmentEntry, AttendanceEntry
from seeds import catalogue
from seeds.demo.common import CLASS_SIZE, LEVEL_NAMES, Demo, settle

# Readiness scores the screening gives each class's applicants (see the selection bands).
READINESS = {"pemula": (22, 39), "menengah": (45, 69), "mahir": (70, 92)}
# The catalogue is welcome but not required: the plan and the FOB sheet are.
REQUIRED_OUTPUTS = ("output_export_plan", "output_fob_calculation")
SESSIONS_PER_CLASS = 8
SESSION_START = dt.time(9)
SESSION_MINUTES = 240
APPLIED_DAYS_BEFORE = 30
ENROLLED_DAYS_BEFORE = 7
SITE_VISIT_NOTES = "Kunjungan lapangan: produksi berjalan, kemasan perlu diperbaiki."
MISSED = (Attendance.Status.ABSENT, Attendance.Status.EXCUSED, Attendance.Status.SICK)


# --- programmes, stages, classes ------------------------------------------------------------


def make_program(
    demo: Demo, *, office: TradeOffice, name: str, start: int, end: int, **fields
) -> Program:
    return Program.objects.create(
        office=office,
        name=name,
        start_date=demo.day(start),
        end_date=demo.day(end),
        **fields,
    )


def make_stage(demo: Demo, program: Program, number: int, start: int, end: int) -> Stage:
    return Stage.objects.create(
        program=program,
        number=number,
        name=f"Tahap {number}",
        start_date=demo.day(start),
        end_date=demo.day(end),
    )


def make_cohort(stage: Stage, level: str, *, venue: str, trainers: str) -> Cohort:
    return Cohort.objects.create(
        stage=stage,
        level=level,
        name=f"Kelas {LEVEL_NAMES[level]} — Tahap {stage.number}",
        capacity=CLASS_SIZE,
        venue=venue,
        trainers=trainers,
    )


# --- applications, selection, admission -----------------------------------------------------


def apply_to_stage(
    demo: Demo, *, enterprise: Enterprise, stage: Stage, actor: User, level: str
) -> Enrollment:
    """An application with the screening the office did for it (scored for ``level``)."""
    low, high = READINESS[level]
    return selection.enrollment_apply(
        enterprise=enterprise,
        stage=stage,
        actor=actor,
        has_nib=bool(enterprise.nib),
        continuous_production=True,
        sufficient_capacity=demo.rng.random() < 0.85,
        committed=True,
        readiness_score=demo.rng.randint(low, high),
        site_visit_notes=SITE_VISIT_NOTES,
    )


def place(enrollment: Enrollment, cohort: Cohort, actor: User) -> Enrollment:
    """Admit a selected enrollment; a class above its eligible level states the screening."""
    reason = ""
    eligible = selectors.eligible_level(enrollment.enterprise)
    if LEVEL_ORDER.index(cohort.level) > LEVEL_ORDER.index(eligible):
        reason = (
            f"Hasil seleksi: skor kesiapan ekspor {enrollment.readiness_score}, "
            f"siap mengikuti Kelas {LEVEL_NAMES[cohort.level]}."
        )
    enrollment, _outcome = seats.enrollment_admit(
        enrollment=enrollment, cohort=cohort, actor=actor, override_reason=reason
    )
    return enrollment


def admit(demo: Demo, enterprises: Sequence[Enterprise], cohort: Cohort, actor: User):
    """Apply, select and admit each enterprise in turn: seats first, then the waiting list."""
    admitted = []
    for enterprise in enterprises:
        enrollment = apply_to_stage(
            demo, enterprise=enterprise, stage=cohort.stage, actor=actor, level=cohort.level
        )
        enrollment = selection.enrollment_select(enrollment=enrollment, actor=actor)
        admitted.append(place(enrollment, cohort, actor))
    return admitted


def settle_admissions(demo: Demo, stage: Stage) -> None:
    """Applications a month before the stage, seats taken a week before it."""
    starts = demo.at(stage.start_date)
    enrollments = Enrollment.objects.filter(stage=stage)
    settle(enrollments, applied_at=starts - dt.timedelta(days=APPLIED_DAYS_BEFORE))
    settle(
        enrollments.filter(enrolled_at__isnull=False),
        enrolled_at=starts - dt.timedelta(days=ENROLLED_DAYS_BEFORE),
    )
    settle(
        EnterpriseSnapshot.objects.filter(
            program=stage.program,
            moment=EnterpriseSnapshot.Moment.INTAKE,
            taken_on=timezone.localdate(),
            enterprise__in=enrollments.values("enterprise"),
        ),
        taken_on=stage.start_date - dt.timedelta(days=ENROLLED_DAYS_BEFORE),
    )


# --- sessions and attendance ----------------------------------------------------------------


def schedule(demo: Demo, cohort: Cohort, *, first_day: int, actor: User) -> list[Session]:
    """Weekly sessions on the weekday of the first one, at nine in the class's zone."""
    first = demo.day(first_day)
    sessions = classes.sessions_generate(
        cohort=cohort,
        actor=actor,
        first_date=first,
        weekdays=[first.weekday()],
        start_time=SESSION_START,
        duration_minutes=SESSION_MINUTES,
        count=SESSIONS_PER_CLASS,
    )
    topics = catalogue.SESSION_TOPICS[cohort.level]
    return [
        classes.session_update_details(
            session=session,
            actor=actor,
            topic=f"{number + 1}. {topics[number % len(topics)]}",
        )
        for number, session in enumerate(sessions)
    ]


def attendance_plan(demo: Demo, held: int, misses: int) -> list[str]:
    """Present at every held session but ``misses`` of them, chosen at random."""
    plan = [Attendance.Status.PRESENT] * held
    for index in demo.rng.sample(range(held), min(misses, held)):
        plan[index] = demo.rng.choice(MISSED)
    return plan


def take_attendance(
    demo: Demo, sessions: list[Session], plans: dict[Enrollment, list[str]], actor: User
) -> None:
    """The attendance sheet of each session held so far, as staff fill it in after it."""
    held = [s for s in sessions if s.starts_at < demo.now]
    for number, session in enumerate(held):
        entries = {}
        for enrollment, plan in plans.items():
            status = plan[number]
            present = status == Attendance.Status.PRESENT
            entries[enrollment.pk] = AttendanceEntry(
                status, enrollment.enterprise.owner_name if present else ""
            )
        classes.attendance_record(session=session, actor=actor, entries=entries)
    # Recorded when each session ended, not when the demo was built.
    settle(
        Attendance.objects.filter(session__in=held),
        recorded_at=Subquery(Session.objects.filter(pk=OuterRef("session_id")).values("ends_at")),
    )


def coach(
    demo: Demo, enrollments: Sequence[Enrollment], first: int, last: int, actor: User
) -> None:
    for enrollment in enrollments:
        classes.coaching_visit_record(
            enrollment=enrollment,
            actor=actor,
            coach=demo.rng.choice(catalogue.COACHES),
            visit_date=demo.day(demo.rng.randint(first, last)),
            notes="Meninjau kemasan, kapasitas produksi dan perhitungan harga.",
            next_steps="Perbaiki label bahasa Inggris; siapkan katalog dan daftar harga FOB.",
        )


def run_ongoing_class(
    demo: Demo, cohort: Cohort, *, first_day: int, actor: User, coached_every: int | None = 5
) -> None:
    """A class of the running stage: its sessions, the sheets so far, the first visits."""
    sessions = schedule(demo, cohort, first_day=first_day, actor=actor)
    held = sum(1 for s in sessions if s.starts_at < demo.now)
    members = list(
        Enrollment.objects.filter(cohort=cohort, status=Enrollment.Status.ENROLLED)
        .select_related("enterprise")
        .order_by("pk")
    )
    plans = {e: attendance_plan(demo, held, demo.rng.choice((0, 0, 0, 1))) for e in members}
    take_attendance(demo, sessions, plans, actor)
    if coached_every:
        coach(demo, members[::coached_every], first_day + 2, -1, actor)


# --- a class from start to end ----------------------------------------------------------


def run_finished_class(
    demo: Demo, cohort: Cohort, members: list[Enrollment], *, first_day: int, actor: User
) -> classes.ClosingResult:
    """Sessions, attendance, coaching and assessment of a class that is over, then its close.

    The last two participants do not complete it: one missed half the sessions, the other
    scored below the pass mark. Closing the class is what decides it, as it would for staff.
    """
    sessions = schedule(demo, cohort, first_day=first_day, actor=actor)
    plans = {}
    for index, enrollment in enumerate(members):
        misses = SESSIONS_PER_CLASS // 2 if index == 18 else demo.rng.choice((0, 0, 1, 1, 2))
        plans[enrollment] = attendance_plan(demo, SESSIONS_PER_CLASS, misses)
    take_attendance(demo, sessions, plans, actor)
    coach(demo, members[::3], first_day + 23, first_day + 78, actor)
    entries = {
        enrollment.pk: AssessmentEntry(
            assessment_score=demo.rng.randint(45, 64) if index == 19 else demo.rng.randint(72, 96),
            output_export_plan=True,
            output_fob_calculation=True,
            output_product_catalogue=demo.rng.random() < 0.8,
        )
        for index, enrollment in enumerate(members)
    }
    classes.cohort_record_assessments(cohort=cohort, actor=actor, entries=entries)
    return classes.cohort_close(cohort=cohort, actor=actor, required_outputs=REQUIRED_OUTPUTS)


def settle_closing(demo: Demo, result: classes.ClosingResult, actor: User) -> None:
    """The class closed on the stage's last day; the figures at completion are of that day,
    and the completers' revenue grew. The 12-month follow-up falls due a year after the
    settled end (asked for then by the daily job)."""
    cohort = result.cohort
    end_day = cohort.stage.end_date
    closed_at = demo.at(end_day, 15)
    settle(Cohort.objects.filter(pk=cohort.pk), closed_at=closed_at)
    settle(Enrollment.objects.filter(cohort=cohort), ended_at=closed_at)
    ended = [e for e, _reasons in result.not_completed] + result.completed
    for enrollment in ended:
        enterprise = enrollment.enterprise
        figures = {}
        if enrollment in result.completed:
            revenue = int(enterprise.annual_revenue * demo.rng.uniform(1.05, 1.3))
            figures = {
                "annual_revenue": revenue,
                "size_class": Enterprise.size_class_for_revenue(revenue),
            }
        snapshots.snapshot_record(
            enterprise=enterprise,
            program=enrollment.program,
            moment=EnterpriseSnapshot.Moment.COMPLETION,
            actor=actor,
            taken_on=end_day,
            **figures,
        )
