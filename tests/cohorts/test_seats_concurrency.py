"""Seats under concurrency: many connections at once never hold more seats than the capacity.

Each thread has its own database connection (closed at its end) and all start together
behind a barrier. PostgreSQL only: SQLite serialises writers and skips row locks.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from accounts.models import User
from cohorts.models import Enrollment
from cohorts.services import seats, selection
from tests import factories as f
from tests.conftest import need_postgres

S = Enrollment.Status

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_at_once(jobs):
    """Run each job in its own thread and connection, all released at the same moment."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def worker(index, job):
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except Exception as error:  # collected and asserted on by the caller
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_forty_admissions_at_once_leave_twenty_enrolled_and_twenty_waiting(
    program_lampung, staff_lampung, office_lampung
):
    need_postgres()
    stage = f.StageFactory(program=program_lampung)
    cohort = f.CohortFactory(stage=stage, capacity=20)
    pks = [
        f.EnrollmentFactory(
            enterprise=f.EnterpriseFactory(registered_by=office_lampung),
            stage=stage,
            status=S.SELECTED,
        ).pk
        for _ in range(40)
    ]

    def admit(pk):
        def job():
            actor = User.objects.get(pk=staff_lampung.pk)
            enrollment = Enrollment.objects.get(pk=pk)
            return seats.enrollment_admit(enrollment=enrollment, cohort=cohort, actor=actor)[1]

        return job

    results = run_at_once([admit(pk) for pk in pks])

    assert sorted(results) == ["enrolled"] * 20 + ["waitlisted"] * 20
    in_class = Enrollment.objects.filter(cohort=cohort)
    assert in_class.filter(status=S.ENROLLED).count() == 20
    waiting = in_class.filter(status=S.WAITLISTED)
    assert sorted(waiting.values_list("waitlist_position", flat=True)) == list(range(1, 21))


def test_withdrawals_and_acceptances_racing_keep_the_seats_consistent(
    program_lampung, staff_lampung, office_lampung
):
    need_postgres()
    stage = f.StageFactory(program=program_lampung)
    cohort = f.CohortFactory(stage=stage, capacity=10)
    pks = []
    for _ in range(20):
        enrollment = f.EnrollmentFactory(
            enterprise=f.EnterpriseFactory(registered_by=office_lampung),
            stage=stage,
            status=S.SELECTED,
        )
        seats.enrollment_admit(enrollment=enrollment, cohort=cohort, actor=staff_lampung)
        pks.append(enrollment.pk)
    leaving, holders, waiting = pks[:5], pks[5:10], pks[10:]
    for pk in holders:  # five seats offered and not yet answered
        seats.enrollment_withdraw(enrollment=Enrollment.objects.get(pk=pk), actor=staff_lampung)
    offered = list(Enrollment.objects.filter(status=S.OFFERED).values_list("pk", flat=True))
    assert sorted(offered) == waiting[:5]

    def call(service, pk):
        def job():
            actor = User.objects.get(pk=staff_lampung.pk)
            return service(enrollment=Enrollment.objects.get(pk=pk), actor=actor)

        return job

    results = run_at_once(
        [call(seats.enrollment_withdraw, pk) for pk in leaving]
        + [call(seats.offer_accept, pk) for pk in offered]
    )

    assert not [r for r in results if isinstance(r, Exception)]
    in_class = Enrollment.objects.filter(cohort=cohort)
    assert set(in_class.filter(status=S.ENROLLED).values_list("pk", flat=True)) == set(offered)
    assert sorted(in_class.filter(status=S.OFFERED).values_list("pk", flat=True)) == waiting[5:10]
    assert in_class.filter(status__in=Enrollment.SEAT_STATUSES).count() == 10
    assert not in_class.filter(status=S.WAITLISTED).exists()


def test_two_applications_at_once_leave_one(stage_lampung, enterprise_a, staff_lampung):
    need_postgres()

    def apply():
        return selection.enrollment_apply(
            enterprise=enterprise_a,
            stage=stage_lampung,
            actor=User.objects.get(pk=staff_lampung.pk),
            has_nib=True,
            continuous_production=True,
            sufficient_capacity=True,
            committed=True,
        )

    results = run_at_once([apply, apply, apply])

    assert sum(isinstance(r, Enrollment) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 2
    assert Enrollment.objects.filter(enterprise=enterprise_a).count() == 1


def test_two_staff_moving_a_class_up_at_once_enrol_each_enterprise_once(
    program_lampung, staff_lampung, manager_lampung
):
    """Naik kelas pressed twice at the same moment: every enterprise ends in the next class
    once; the second run reports the enterprises as already taking part."""
    import datetime as dt

    from django.utils import timezone

    from cohorts.models import Attendance, Level
    from cohorts.services import classes
    from cohorts.services.classes import AssessmentEntry, AttendanceEntry

    need_postgres()
    first = f.CohortFactory(stage=f.StageFactory(program=program_lampung, number=1))
    members = [
        f.EnrollmentFactory(
            cohort=first,
            enterprise=f.EnterpriseFactory(registered_by=program_lampung.office),
            status=S.ENROLLED,
            enrolled_at=timezone.now() - dt.timedelta(days=30),
        )
        for _ in range(4)
    ]
    session = f.SessionFactory(cohort=first, starts_at=timezone.now() - dt.timedelta(days=7))
    present = AttendanceEntry(Attendance.Status.PRESENT)
    classes.attendance_record(
        session=session, actor=staff_lampung, entries={e.pk: present for e in members}
    )
    outputs = dict.fromkeys(classes.OUTPUT_FIELDS, True)
    classes.cohort_record_assessments(
        cohort=first,
        actor=staff_lampung,
        entries={e.pk: AssessmentEntry(90, **outputs) for e in members},
    )
    classes.cohort_close(cohort=first, actor=staff_lampung)
    following = f.CohortFactory(
        stage=f.StageFactory(program=program_lampung, number=2), level=Level.MENENGAH, capacity=3
    )

    def promote(actor_pk):
        actor = User.objects.get(pk=actor_pk)
        return classes.cohorts_promote_eligible(from_cohort=first, to_cohort=following, actor=actor)

    results = run_at_once([lambda: promote(staff_lampung.pk), lambda: promote(manager_lampung.pk)])
    assert not any(isinstance(r, Exception) for r in results), results
    rows = Enrollment.objects.filter(stage=following.stage).exclude(
        status__in=Enrollment.INACTIVE_STATUSES
    )
    assert sorted(rows.values_list("enterprise_id", flat=True)) == sorted(
        e.enterprise_id for e in members
    )
    assert rows.filter(status=S.ENROLLED).count() == 3
    assert rows.filter(status=S.WAITLISTED).count() == 1
    moved = sum(len(r.enrolled) + len(r.waitlisted) for r in results)
    assert moved == 4
