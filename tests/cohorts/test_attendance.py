"""Attendance for a whole session at once; rates over held sessions; two absences flagged."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cohorts import selectors
from cohorts.models import Attendance, CoachingVisit, Enrollment
from cohorts.services import classes
from cohorts.services.classes import AttendanceEntry
from tests import factories as f

P, A, E, S = (
    Attendance.Status.PRESENT,
    Attendance.Status.ABSENT,
    Attendance.Status.EXCUSED,
    Attendance.Status.SICK,
)


@pytest.fixture
def cohort(program_lampung):
    return f.CohortFactory(stage=f.StageFactory(program=program_lampung))


def enrolled(cohort, enterprise=None, **kwargs):
    return f.EnrollmentFactory(
        cohort=cohort,
        enterprise=enterprise or f.EnterpriseFactory(),
        status=Enrollment.Status.ENROLLED,
        enrolled_at=timezone.now() - dt.timedelta(days=30),
        **kwargs,
    )


def held(cohort, days_ago):
    return f.SessionFactory(cohort=cohort, starts_at=timezone.now() - dt.timedelta(days=days_ago))


def test_a_whole_sheet_is_recorded_with_who_attended_and_history(cohort, staff_lampung):
    first, second = enrolled(cohort), enrolled(cohort)
    session = held(cohort, 3)
    classes.attendance_record(
        session=session,
        actor=staff_lampung,
        entries={first.pk: AttendanceEntry(P, "Siti (owner)"), second.pk: AttendanceEntry(S)},
    )
    rows = {a.enrollment_id: a for a in Attendance.objects.filter(session=session)}
    assert rows[first.pk].status == P and rows[first.pk].attendee_name == "Siti (owner)"
    assert rows[second.pk].status == S
    assert rows[first.pk].history.first().history_user == staff_lampung
    # a correction updates the row and adds a history entry
    classes.attendance_record(
        session=session, actor=staff_lampung, entries={second.pk: AttendanceEntry(E)}
    )
    rows[second.pk].refresh_from_db()
    assert rows[second.pk].status == E
    assert rows[second.pk].history.count() == 2
    assert Attendance.objects.filter(session=session).count() == 2


def test_attendance_for_a_session_of_another_class_is_refused(
    cohort, staff_lampung, program_lampung
):
    other_class = f.CohortFactory(stage=cohort.stage)
    mine, stranger = enrolled(cohort), enrolled(other_class)
    session = held(cohort, 3)
    with pytest.raises(ValidationError, match="participants of this class"):
        classes.attendance_record(
            session=session,
            actor=staff_lampung,
            entries={mine.pk: AttendanceEntry(P), stranger.pk: AttendanceEntry(P)},
        )
    assert not Attendance.objects.exists()  # all or nothing


@pytest.mark.parametrize("problem", ["cancelled", "future", "bad_status", "withdrawn", "closed"])
def test_other_bad_sheets_are_refused(cohort, staff_lampung, problem):
    enrollment = enrolled(cohort)
    session = held(cohort, 3)
    status = P
    if problem == "cancelled":
        session.cancelled_at = timezone.now()
        session.save()
    elif problem == "future":
        session.starts_at = timezone.now() + dt.timedelta(days=2)
        session.ends_at = session.starts_at + dt.timedelta(hours=2)
        session.save()
    elif problem == "bad_status":
        status = "late"
    elif problem == "withdrawn":
        enrollment.status = Enrollment.Status.WITHDRAWN
        enrollment.save()
    elif problem == "closed":
        cohort.closed_at = timezone.now()
        cohort.save()
    with pytest.raises(ValidationError):
        classes.attendance_record(
            session=session, actor=staff_lampung, entries={enrollment.pk: AttendanceEntry(status)}
        )
    assert not Attendance.objects.exists()


def test_rate_counts_held_sessions_only_and_cancelled_ones_not(cohort, staff_lampung):
    enrollment = enrolled(cohort)
    sessions = [held(cohort, d) for d in (20, 15, 10, 5)]
    cancelled = held(cohort, 12)
    f.SessionFactory(  # still to come: not held yet
        cohort=cohort, starts_at=timezone.now() + dt.timedelta(days=3)
    )
    for session, status in zip(sessions, [P, P, E, P], strict=True):
        classes.attendance_record(
            session=session, actor=staff_lampung, entries={enrollment.pk: AttendanceEntry(status)}
        )
    classes.attendance_record(
        session=cancelled, actor=staff_lampung, entries={enrollment.pk: AttendanceEntry(P)}
    )
    classes.session_cancel(session=cancelled, actor=staff_lampung, reason="Hujan")
    [row] = selectors.enrollments_with_attendance_rate(cohort=cohort)
    assert row.sessions_held == 4
    assert row.sessions_present == 3
    assert row.attendance_percent == pytest.approx(75.0)


def test_two_consecutive_absences_are_flagged_but_not_two_apart(cohort, staff_lampung):
    flagged, spread = enrolled(cohort), enrolled(cohort)
    pattern = {flagged.pk: [P, A, A, P], spread.pk: [A, P, A, S]}
    for index, session in enumerate([held(cohort, d) for d in (20, 15, 10, 5)]):
        classes.attendance_record(
            session=session,
            actor=staff_lampung,
            entries={pk: AttendanceEntry(statuses[index]) for pk, statuses in pattern.items()},
        )
    grid = selectors.cohort_attendance_grid(cohort=cohort)
    flags = {row["enrollment"].pk: row["flagged"] for row in grid["rows"]}
    assert flags == {flagged.pk: True, spread.pk: False}


def test_coaching_visits_are_recorded_on_the_enrollment(cohort, staff_lampung):
    enrollment = enrolled(cohort)
    visit = classes.coaching_visit_record(
        enrollment=enrollment,
        actor=staff_lampung,
        coach="Pak Joko",
        visit_date=timezone.localdate(),
        notes="Gudang rapi",
        next_steps="Hitung harga FOB",
    )
    assert list(enrollment.coaching_visits.all()) == [visit]
    assert visit.next_steps == "Hitung harga FOB" and visit.recorded_by == staff_lampung


@pytest.mark.parametrize("problem", ["future", "no_coach", "applicant"])
def test_bad_coaching_visits_are_refused(cohort, staff_lampung, problem):
    enrollment = enrolled(cohort)
    arguments = {"coach": "Pak Joko", "visit_date": timezone.localdate()}
    if problem == "future":
        arguments["visit_date"] += dt.timedelta(days=1)
    elif problem == "no_coach":
        arguments["coach"] = " "
    else:
        enrollment = f.EnrollmentFactory(stage=cohort.stage)
    with pytest.raises(ValidationError):
        classes.coaching_visit_record(enrollment=enrollment, actor=staff_lampung, **arguments)
    assert not CoachingVisit.objects.exists()
