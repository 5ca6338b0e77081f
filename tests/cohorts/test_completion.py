"""Closing a class: completed or not from attendance, assessment and outputs; snapshots and the
12-month reminder; naik kelas into the next level of a later stage."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Enterprise
from cohorts import selectors
from cohorts.models import Attendance, Cohort, Enrollment, EnterpriseSnapshot, Level
from cohorts.services import classes, seats, snapshots
from cohorts.services.classes import AssessmentEntry, AttendanceEntry
from notifications.models import Reminder
from tests import factories as f

P, A = Attendance.Status.PRESENT, Attendance.Status.ABSENT
ALL_OUTPUTS = {
    "output_export_plan": True,
    "output_fob_calculation": True,
    "output_product_catalogue": True,
}


@pytest.fixture
def stage1(program_lampung):
    return f.StageFactory(program=program_lampung, number=1)


@pytest.fixture
def cohort(stage1):
    return f.CohortFactory(stage=stage1, level=Level.PEMULA)


def enrolled(cohort, enterprise=None):
    return f.EnrollmentFactory(
        cohort=cohort,
        enterprise=enterprise or f.EnterpriseFactory(),
        status=Enrollment.Status.ENROLLED,
        enrolled_at=timezone.now() - dt.timedelta(days=60),
    )


def run_class(cohort, actor, marks: dict, scores: dict, outputs=None):
    """Four held sessions with the given marks, then the assessments."""
    sessions = [
        f.SessionFactory(cohort=cohort, starts_at=timezone.now() - dt.timedelta(days=d))
        for d in (40, 30, 20, 10)
    ]
    for index, session in enumerate(sessions):
        classes.attendance_record(
            session=session,
            actor=actor,
            entries={pk: AttendanceEntry(statuses[index]) for pk, statuses in marks.items()},
        )
    classes.cohort_record_assessments(
        cohort=cohort,
        actor=actor,
        entries={
            pk: AssessmentEntry(score, **(outputs or {}).get(pk, ALL_OUTPUTS))
            for pk, score in scores.items()
        },
    )


def test_closing_decides_each_participant_from_threshold_score_and_outputs(cohort, staff_lampung):
    good, low_attendance, low_score, no_catalogue, at_threshold = (
        enrolled(cohort) for _ in range(5)
    )
    run_class(
        cohort,
        staff_lampung,
        marks={
            good.pk: [P, P, P, P],
            low_attendance.pk: [P, A, P, A],  # 50%
            low_score.pk: [P, P, P, P],
            no_catalogue.pk: [P, P, P, P],
            at_threshold.pk: [P, P, A, P],  # 75% is enough
        },
        scores={
            good.pk: 80,
            low_attendance.pk: 90,
            low_score.pk: 69,
            no_catalogue.pk: 85,
            at_threshold.pk: 70,
        },
        outputs={no_catalogue.pk: {**ALL_OUTPUTS, "output_product_catalogue": False}},
    )
    result = classes.cohort_close(cohort=cohort, actor=staff_lampung)
    statuses = dict(Enrollment.objects.filter(cohort=cohort).values_list("pk", "status"))
    assert statuses == {
        good.pk: Enrollment.Status.COMPLETED,
        low_attendance.pk: Enrollment.Status.NOT_COMPLETED,
        low_score.pk: Enrollment.Status.NOT_COMPLETED,
        no_catalogue.pk: Enrollment.Status.NOT_COMPLETED,
        at_threshold.pk: Enrollment.Status.COMPLETED,
    }
    reasons = {e.pk: r for e, r in result.not_completed}
    assert "attendance 50%" in reasons[low_attendance.pk][0]
    assert "pass mark" in reasons[low_score.pk][0]
    cohort.refresh_from_db()
    assert cohort.closed_at is not None and cohort.closed_by == staff_lampung
    assert good.history.first().history_user == staff_lampung


def test_programme_threshold_and_optional_outputs(cohort, staff_lampung, program_lampung):
    program_lampung.attendance_threshold_percent = 50
    program_lampung.save()
    half = enrolled(cohort)
    run_class(
        cohort,
        staff_lampung,
        marks={half.pk: [P, A, P, A]},
        scores={half.pk: 70},
        outputs={half.pk: {"output_export_plan": True}},
    )
    classes.cohort_close(
        cohort=cohort, actor=staff_lampung, required_outputs=["output_export_plan"]
    )
    half.refresh_from_db()
    assert half.status == Enrollment.Status.COMPLETED


def test_missing_assessment_does_not_complete(cohort, staff_lampung):
    enrollment = enrolled(cohort)
    run_class(cohort, staff_lampung, marks={enrollment.pk: [P, P, P, P]}, scores={})
    classes.cohort_close(cohort=cohort, actor=staff_lampung)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.NOT_COMPLETED


def test_closing_twice_is_refused_and_changes_nothing(cohort, staff_lampung, manager_lampung):
    enrollment = enrolled(cohort)
    run_class(
        cohort, staff_lampung, marks={enrollment.pk: [P, P, P, P]}, scores={enrollment.pk: 90}
    )
    classes.cohort_close(cohort=cohort, actor=staff_lampung)
    history = enrollment.history.count()
    with pytest.raises(ValidationError, match="already closed"):
        classes.cohort_close(cohort=cohort, actor=manager_lampung)
    cohort.refresh_from_db()
    assert cohort.closed_by == staff_lampung
    assert enrollment.history.count() == history


def test_a_class_with_sessions_to_come_or_none_held_is_not_closed(cohort, staff_lampung):
    with pytest.raises(ValidationError, match="no session"):
        classes.cohort_close(cohort=cohort, actor=staff_lampung)
    f.SessionFactory(cohort=cohort)
    f.SessionFactory(cohort=cohort, starts_at=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="still to come"):
        classes.cohort_close(cohort=cohort, actor=staff_lampung)
    assert Cohort.objects.get(pk=cohort.pk).closed_at is None


def test_bad_assessment_scores_are_refused(cohort, staff_lampung):
    enrollment = enrolled(cohort)
    with pytest.raises(ValidationError):
        classes.cohort_record_assessments(
            cohort=cohort, actor=staff_lampung, entries={enrollment.pk: AssessmentEntry(101)}
        )
    other = enrolled(f.CohortFactory(stage=cohort.stage))
    with pytest.raises(ValidationError):
        classes.cohort_record_assessments(
            cohort=cohort, actor=staff_lampung, entries={other.pk: AssessmentEntry(80)}
        )
    enrollment.refresh_from_db()
    assert enrollment.assessment_score is None


def test_snapshots_at_intake_completion_and_the_12_month_reminder(
    cohort, staff_lampung, time_machine
):
    enrollment = enrolled(cohort)
    enterprise, program = enrollment.enterprise, enrollment.program
    snapshots.snapshot_record(
        enterprise=enterprise, program=program, moment="intake", actor=staff_lampung
    )
    enterprise.annual_revenue, enterprise.employees_women = 3_000_000_000, 9
    enterprise.size_class = Enterprise.SizeClass.SMALL
    enterprise.save()
    # a second intake snapshot keeps the first figures
    snapshots.snapshot_record(
        enterprise=enterprise, program=program, moment="intake", actor=staff_lampung
    )
    run_class(
        cohort, staff_lampung, marks={enrollment.pk: [P, P, P, P]}, scores={enrollment.pk: 90}
    )
    closed_at = timezone.now()
    classes.cohort_close(cohort=cohort, actor=staff_lampung)
    taken = {s.moment: s for s in EnterpriseSnapshot.objects.filter(enterprise=enterprise)}
    assert taken["intake"].annual_revenue == 500_000_000
    assert taken["completion"].annual_revenue == 3_000_000_000
    assert taken["completion"].employees_women == 9
    assert taken["completion"].size_class == Enterprise.SizeClass.SMALL
    assert not Reminder.objects.filter(kind=snapshots.FOLLOW_UP_REMINDER_KIND).exists()
    time_machine.move_to(closed_at + dt.timedelta(days=365, hours=1), tick=False)
    assert snapshots.snapshot_follow_ups_request() == 1
    reminder = Reminder.objects.get(kind=snapshots.FOLLOW_UP_REMINDER_KIND)
    assert reminder.recipient == staff_lampung
    assert reminder.subject == enrollment
    assert reminder.due_at == timezone.now()
    snapshots.snapshot_record(
        enterprise=enterprise,
        program=program,
        moment="follow_up_12m",
        actor=staff_lampung,
        annual_revenue=4_000_000_000,
        export_status=Enterprise.ExportStatus.DIRECT,
    )
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.CANCELLED
    follow_up = EnterpriseSnapshot.objects.get(enterprise=enterprise, moment="follow_up_12m")
    assert follow_up.annual_revenue == 4_000_000_000 and follow_up.export_status == "direct"
    assert snapshots.snapshot_follow_ups_request() == 0  # recorded: nothing more is asked


def test_the_12_month_follow_up_goes_to_the_office_and_the_enterprise_in_their_languages(
    cohort, office_lampung, staff_lampung, manager_lampung, time_machine
):
    enrollment = enrolled(cohort)
    owner = f.owner_of(enrollment.enterprise, preferred_language="en")
    run_class(
        cohort, staff_lampung, marks={enrollment.pk: [P, P, P, P]}, scores={enrollment.pk: 90}
    )
    closer = f.staff_of(office_lampung, email="penutup@lampung.test", preferred_language="en")
    closed_at = timezone.now()
    classes.cohort_close(cohort=cohort, actor=closer)
    closer.delete()  # whoever closed the class has left since
    joined_later = f.staff_of(office_lampung, email="baru@lampung.test", preferred_language="en")
    time_machine.move_to(closed_at + dt.timedelta(days=366), tick=False)

    assert snapshots.snapshot_follow_ups_request() == 1

    reminders = Reminder.objects.filter(kind=snapshots.FOLLOW_UP_REMINDER_KIND)
    assert {r.recipient for r in reminders} == {staff_lampung, manager_lampung, joined_later, owner}
    assert all(r.subject == enrollment for r in reminders)
    assert reminders.get(recipient=owner).title.startswith("Record the 12-month figures")
    count = reminders.count()
    assert snapshots.snapshot_follow_ups_request() == 1
    assert Reminder.objects.filter(kind=snapshots.FOLLOW_UP_REMINDER_KIND).count() == count


def test_the_follow_up_is_not_asked_for_before_twelve_months(cohort, staff_lampung, time_machine):
    enrollment = enrolled(cohort)
    run_class(
        cohort, staff_lampung, marks={enrollment.pk: [P, P, P, P]}, scores={enrollment.pk: 90}
    )
    closed_at = timezone.now()
    classes.cohort_close(cohort=cohort, actor=staff_lampung)
    time_machine.move_to(closed_at + dt.timedelta(days=364), tick=False)
    assert snapshots.snapshot_follow_ups_request() == 0
    assert not Reminder.objects.filter(kind=snapshots.FOLLOW_UP_REMINDER_KIND).exists()


def test_snapshot_refuses_unknown_figures_and_future_dates(
    enterprise_a, program_lampung, staff_lampung
):
    with pytest.raises(ValidationError):
        snapshots.snapshot_record(
            enterprise=enterprise_a,
            program=program_lampung,
            moment="intake",
            actor=staff_lampung,
            nib="1",
        )
    with pytest.raises(ValidationError):
        snapshots.snapshot_record(
            enterprise=enterprise_a,
            program=program_lampung,
            moment="intake",
            actor=staff_lampung,
            taken_on=timezone.localdate() + dt.timedelta(days=1),
        )
    assert not EnterpriseSnapshot.objects.exists()


# --- naik kelas ---------------------------------------------------------------------------


def test_eligible_level_follows_completed_classes(program_lampung, enterprise_a):
    assert selectors.eligible_level(enterprise_a) == Level.PEMULA
    for level, expected in [
        (Level.PEMULA, Level.MENENGAH),
        (Level.MENENGAH, Level.MAHIR),
        (Level.MAHIR, Level.MAHIR),
    ]:
        stage = f.StageFactory(program=program_lampung)
        f.EnrollmentFactory(
            enterprise=enterprise_a,
            cohort=f.CohortFactory(stage=stage, level=level),
            status=Enrollment.Status.COMPLETED,
        )
        assert selectors.eligible_level(enterprise_a) == expected


def test_not_completed_does_not_move_up(program_lampung, enterprise_a):
    f.EnrollmentFactory(
        enterprise=enterprise_a,
        cohort=f.CohortFactory(stage=f.StageFactory(program=program_lampung), level=Level.PEMULA),
        status=Enrollment.Status.NOT_COMPLETED,
    )
    assert selectors.eligible_level(enterprise_a) == Level.PEMULA


@pytest.fixture
def closed_pemula(cohort, staff_lampung):
    passed, failed = enrolled(cohort), enrolled(cohort)
    run_class(
        cohort,
        staff_lampung,
        marks={passed.pk: [P, P, P, P], failed.pk: [A, A, A, P]},
        scores={passed.pk: 90, failed.pk: 90},
    )
    classes.cohort_close(cohort=cohort, actor=staff_lampung)
    return cohort, passed, failed


def test_promotion_enrols_the_completed_into_the_next_level_of_a_later_stage(
    closed_pemula, program_lampung, staff_lampung
):
    cohort, passed, failed = closed_pemula
    stage2 = f.StageFactory(program=program_lampung, number=2)
    menengah = f.CohortFactory(stage=stage2, level=Level.MENENGAH, capacity=20)
    result = classes.cohorts_promote_eligible(
        from_cohort=cohort, to_cohort=menengah, actor=staff_lampung
    )
    assert [e.enterprise_id for e in result.admitted] == [passed.enterprise_id]
    new = Enrollment.objects.get(enterprise=passed.enterprise, stage=stage2)
    assert new.cohort == menengah and new.status == Enrollment.Status.ENROLLED
    assert EnterpriseSnapshot.objects.filter(
        enterprise=passed.enterprise, program=program_lampung, moment="intake"
    ).exists()
    assert not Enrollment.objects.filter(enterprise=failed.enterprise, stage=stage2).exists()
    # running it again does not enrol twice
    again = classes.cohorts_promote_eligible(
        from_cohort=cohort, to_cohort=menengah, actor=staff_lampung
    )
    assert again.admitted == [] and len(again.skipped) == 1
    assert Enrollment.objects.filter(stage=stage2).count() == 1


def test_promotion_beyond_capacity_goes_to_the_waiting_list(
    closed_pemula, program_lampung, staff_lampung
):
    cohort, passed, _failed = closed_pemula
    stage2 = f.StageFactory(program=program_lampung, number=2)
    menengah = f.CohortFactory(stage=stage2, level=Level.MENENGAH, capacity=1)
    enrolled(menengah)
    classes.cohorts_promote_eligible(from_cohort=cohort, to_cohort=menengah, actor=staff_lampung)
    new = Enrollment.objects.get(enterprise=passed.enterprise, stage=stage2)
    assert new.status == Enrollment.Status.WAITLISTED


@pytest.mark.parametrize("problem", ["open", "same_stage", "wrong_level", "earlier_stage"])
def test_promotion_refusals(cohort, closed_pemula, program_lampung, staff_lampung, stage1, problem):
    source = cohort
    if problem == "open":
        source = f.CohortFactory(stage=stage1, level=Level.PEMULA)
        target = f.CohortFactory(
            stage=f.StageFactory(program=program_lampung, number=5), level=Level.MENENGAH
        )
    elif problem == "same_stage":
        target = f.CohortFactory(stage=stage1, level=Level.MENENGAH)
    elif problem == "wrong_level":
        target = f.CohortFactory(
            stage=f.StageFactory(program=program_lampung, number=2), level=Level.MAHIR
        )
    else:
        stage1.number = 3
        stage1.save()
        target = f.CohortFactory(
            stage=f.StageFactory(program=program_lampung, number=2), level=Level.MENENGAH
        )
    before = Enrollment.objects.count()
    with pytest.raises(ValidationError):
        classes.cohorts_promote_eligible(from_cohort=source, to_cohort=target, actor=staff_lampung)
    assert Enrollment.objects.count() == before


# --- closing ends the offers and the waiting list -----------------------------------------


def test_closing_ends_open_offers_and_the_waiting_list_each_told_why(cohort, staff_lampung):
    participant = enrolled(cohort)
    offered = f.EnrollmentFactory(
        cohort=cohort,
        status=Enrollment.Status.OFFERED,
        offer_expires_at=timezone.now() + dt.timedelta(days=1),
    )
    waiting = f.EnrollmentFactory(
        cohort=cohort, status=Enrollment.Status.WAITLISTED, waitlist_position=1
    )
    offered_owner = f.owner_of(offered.enterprise, preferred_language="en")
    waiting_owner = f.owner_of(waiting.enterprise, preferred_language="id")
    run_class(
        cohort, staff_lampung, marks={participant.pk: [P, P, P, P]}, scores={participant.pk: 90}
    )

    result = classes.cohort_close(cohort=cohort, actor=staff_lampung)

    assert {e.pk for e in result.released} == {offered.pk, waiting.pk}
    for enrollment in (offered, waiting):
        enrollment.refresh_from_db()
        assert enrollment.status == Enrollment.Status.SELECTED  # free to join another class
        assert (enrollment.cohort, enrollment.offer_expires_at) == (None, None)
        assert enrollment.waitlist_position is None
    told = Reminder.objects.filter(kind=seats.CLASS_CLOSED_REMINDER)
    assert {r.recipient for r in told} == {offered_owner, waiting_owner}
    assert "can no longer be taken" in told.get(recipient=offered_owner).body
    # each in their own language
    assert "daftar tunggu berakhir" in told.get(recipient=waiting_owner).body
    with pytest.raises(ValidationError, match="no open seat offer"):
        seats.offer_accept(enrollment=offered, actor=offered_owner)


def test_an_offer_left_in_a_closed_class_cannot_be_accepted(cohort, staff_lampung):
    offered = f.EnrollmentFactory(
        cohort=cohort,
        status=Enrollment.Status.OFFERED,
        offer_expires_at=timezone.now() + dt.timedelta(days=1),
    )
    Cohort.objects.filter(pk=cohort.pk).update(closed_at=timezone.now())
    with pytest.raises(ValidationError, match="is closed"):
        seats.offer_accept(enrollment=offered, actor=staff_lampung)
    offered.refresh_from_db()
    assert offered.status == Enrollment.Status.OFFERED


def test_the_beat_schedule_asks_for_the_follow_ups_daily():
    from cohorts.tasks import request_snapshot_follow_ups
    from config.celery import app

    entry = app.conf.beat_schedule["request-snapshot-follow-ups"]
    assert entry["task"] == "cohorts.tasks.request_snapshot_follow_ups"
    assert app.tasks[entry["task"]].name == request_snapshot_follow_ups.name
