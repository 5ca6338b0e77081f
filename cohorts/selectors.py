"""Scoped reads of programmes and everything inside them."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from accounts import roles
from cohorts.models import (
    LEVEL_ORDER,
    Attendance,
    Cohort,
    Enrollment,
    ExportRecord,
    Graduation,
    Level,
    Program,
    Session,
    Stage,
)


def programs_visible_to(user) -> QuerySet[Program]:
    """Staff: their offices' programmes; analysts: the programmes their funders fund."""
    if roles.reads_everything(user):
        return Program.objects.all()
    condition = Q(pk__in=[])
    offices = roles.office_ids(user)
    if offices:
        condition |= Q(office_id__in=offices)
    funders = roles.funder_ids(user)
    if funders:
        condition |= Q(pk__in=Program.objects.filter(fundings__funder_id__in=funders).values("pk"))
    return Program.objects.filter(condition)


def programs_managed_by(user) -> QuerySet[Program]:
    """Programmes the user may change: their offices' (all for platform admins)."""
    if roles.is_platform_admin(user):
        return Program.objects.all()
    return Program.objects.filter(office_id__in=roles.office_ids(user))


def stages_visible_to(user) -> QuerySet[Stage]:
    return Stage.objects.filter(program__in=programs_visible_to(user).values("pk"))


def cohorts_visible_to(user) -> QuerySet[Cohort]:
    return Cohort.objects.filter(stage__program__in=programs_visible_to(user).values("pk"))


def sessions_visible_to(user) -> QuerySet[Session]:
    return Session.objects.filter(cohort__stage__program__in=programs_visible_to(user).values("pk"))


def enrollments_visible_to(user) -> QuerySet[Enrollment]:
    """Staff and analysts: by programme; participants: their own enterprises' enrollments."""
    if roles.reads_everything(user):
        return Enrollment.objects.all()
    condition = Q(program__in=programs_visible_to(user).values("pk"))
    own = roles.enterprise_ids(user)
    if own:
        condition |= Q(enterprise_id__in=own)
    return Enrollment.objects.filter(condition)


def exports_visible_to(user) -> QuerySet[ExportRecord]:
    if roles.reads_everything(user):
        return ExportRecord.objects.all()
    condition = Q(program__in=programs_visible_to(user).values("pk"))
    offices = roles.office_ids(user)
    if offices:
        condition |= Q(enterprise__registered_by_id__in=offices)
    own = roles.enterprise_ids(user)
    if own:
        condition |= Q(enterprise_id__in=own)
    return ExportRecord.objects.filter(condition)


def cohort_seats_taken(cohort) -> int:
    """Seats held in a class: enrolled plus offered (an offer holds its seat)."""
    return Enrollment.objects.filter(cohort=cohort, status__in=Enrollment.SEAT_STATUSES).count()


def cohort_waiting_list(cohort) -> QuerySet[Enrollment]:
    """The waiting list of a class, first in line first."""
    return (
        Enrollment.objects.filter(cohort=cohort, status=Enrollment.Status.WAITLISTED)
        .select_related("enterprise")
        .order_by("waitlist_position", "pk")
    )


def cohort_sessions_held(cohort, *, now=None) -> int:
    """How many sessions of a class were held: not cancelled and started by now."""
    return sessions_held(cohort=cohort, now=now).count()


def cohorts_with_seat_counts(queryset: QuerySet[Cohort]) -> QuerySet[Cohort]:
    """Annotate classes with seats taken, enrolled, offered and waiting, in one query."""
    status = Enrollment.Status
    return queryset.annotate(
        seats_taken=Count(
            "enrollments", filter=Q(enrollments__status__in=Enrollment.SEAT_STATUSES)
        ),
        enrolled_count=Count("enrollments", filter=Q(enrollments__status=status.ENROLLED)),
        offered_count=Count("enrollments", filter=Q(enrollments__status=status.OFFERED)),
        waiting_count=Count("enrollments", filter=Q(enrollments__status=status.WAITLISTED)),
    )


# --- running a class: attendance, naik kelas, new exporters ---

HELD_ATTENDANCE_STATUSES = ("enrolled", "completed", "not_completed")


def sessions_held(*, cohort: Cohort, now=None) -> QuerySet[Session]:
    """Sessions of a class that have started and were not cancelled, in order."""
    now = now or timezone.now()
    return Session.objects.filter(
        cohort=cohort, cancelled_at__isnull=True, starts_at__lte=now
    ).order_by("starts_at", "pk")


def enrollments_with_attendance_rate(*, cohort: Cohort, now=None) -> QuerySet[Enrollment]:
    """The class's participants, each with ``sessions_held``, ``sessions_present`` and
    ``attendance_percent`` (present over sessions held so far; cancelled ones excluded).

    A participant who joined late (from the waiting list) is measured over the sessions held
    since it was enrolled: those that started at or after its ``enrolled_at`` (all of them
    when that is not known). Excused and sick count as not present: the threshold is about
    time in the room.
    """
    now = now or timezone.now()
    held = sessions_held(cohort=cohort, now=now).order_by()

    def count_of(sessions: QuerySet[Session]) -> Subquery:
        return Subquery(sessions.values("cohort").annotate(n=Count("pk")).values("n"))

    present = Count(
        "attendances",
        filter=Q(
            attendances__status=Attendance.Status.PRESENT,
            attendances__session__cohort=cohort,
            attendances__session__cancelled_at__isnull=True,
            attendances__session__starts_at__lte=now,
        )
        & (Q(enrolled_at__isnull=True) | Q(attendances__session__starts_at__gte=F("enrolled_at"))),
    )
    return (
        Enrollment.objects.filter(cohort=cohort, status__in=HELD_ATTENDANCE_STATUSES)
        .select_related("enterprise")
        .annotate(sessions_present=present)
        .annotate(
            sessions_held=Coalesce(
                Case(
                    When(enrolled_at__isnull=True, then=count_of(held)),
                    default=count_of(held.filter(starts_at__gte=OuterRef("enrolled_at"))),
                ),
                0,
                output_field=IntegerField(),
            )
        )
        .annotate(
            attendance_percent=Case(
                When(sessions_held=0, then=Value(None)),
                default=ExpressionWrapper(
                    Cast("sessions_present", FloatField()) * 100.0 / F("sessions_held"),
                    output_field=FloatField(),
                ),
                output_field=FloatField(),
            )
        )
        .order_by("enterprise__name", "pk")
    )


def has_consecutive_absences(statuses: list[str | None], run: int = 2) -> bool:
    """True when ``run`` sessions in a row were missed without an excuse."""
    streak = 0
    for status in statuses:
        streak = streak + 1 if status == Attendance.Status.ABSENT else 0
        if streak >= run:
            return True
    return False


def cohort_attendance_grid(*, cohort: Cohort, now=None) -> dict:
    """Everything the class's attendance overview shows, in a fixed number of queries:
    held sessions, and per participant the status per session, the rate and the flag."""
    now = now or timezone.now()
    sessions = list(sessions_held(cohort=cohort, now=now))
    enrollments = list(enrollments_with_attendance_rate(cohort=cohort, now=now))
    marks = {
        (row["enrollment_id"], row["session_id"]): row["status"]
        for row in Attendance.objects.filter(
            session__in=[s.pk for s in sessions], enrollment__cohort=cohort
        ).values("enrollment_id", "session_id", "status")
    }
    rows = []
    for enrollment in enrollments:
        statuses = [marks.get((enrollment.pk, s.pk)) for s in sessions]
        rows.append(
            {
                "enrollment": enrollment,
                "statuses": statuses,
                "flagged": has_consecutive_absences(statuses),
            }
        )
    return {"sessions": sessions, "rows": rows}


def completed_levels(enterprise) -> list[str]:
    return list(
        Enrollment.objects.filter(
            enterprise=enterprise, status=Enrollment.Status.COMPLETED, cohort__isnull=False
        )
        .values_list("cohort__level", flat=True)
        .distinct()
    )


def eligible_level(enterprise) -> Level:
    """The class an enterprise may take next: one above the highest it completed (capped at
    Mahir); Pemula when it completed none."""
    done = set(completed_levels(enterprise))
    if not done:
        return Level.PEMULA
    highest = max(LEVEL_ORDER.index(level) for level in done)
    return LEVEL_ORDER[min(highest + 1, len(LEVEL_ORDER) - 1)]


def graduations_of_programs(programs: QuerySet[Program]):
    """The primary keys of the graduations naming any of the programmes (each once)."""
    return Graduation.programs.through.objects.filter(program__in=programs.values("pk")).values(
        "graduation_id"
    )


def graduations_with_repeat_exports(queryset: QuerySet[Graduation] | None = None):
    """Graduations with ``repeat_exports``: verified exports of the enterprise in the 12 months
    (365 days) after graduating, the first export itself not counted."""
    queryset = Graduation.objects.all() if queryset is None else queryset
    repeats = (
        ExportRecord.objects.filter(
            enterprise_id=OuterRef("enterprise_id"),
            status=ExportRecord.Status.VERIFIED,
            export_date__gte=OuterRef("graduated_on"),
            export_date__lte=OuterRef("window_end"),
        )
        .exclude(pk=OuterRef("export_record_id"))
        .order_by()
        .values("enterprise_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        window_end=ExpressionWrapper(
            F("graduated_on") + dt.timedelta(days=365), output_field=DateField()
        )
    ).annotate(repeat_exports=Coalesce(Subquery(repeats, output_field=IntegerField()), 0))
