"""Running a class: only the programme's staff act, every change is in the history, late
joiners are measured from their enrolment, naik kelas survives a race, and the class pages
answer bad input with a message instead of an error."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from cohorts import selectors
from cohorts.models import (
    Attendance,
    CoachingVisit,
    Cohort,
    Enrollment,
    EnterpriseSnapshot,
    Level,
    Session,
)
from cohorts.services import classes, seats, snapshots
from cohorts.services.classes import AssessmentEntry, AttendanceEntry
from tests import factories as f

P, A = Attendance.Status.PRESENT, Attendance.Status.ABSENT
ALL_OUTPUTS = dict.fromkeys(classes.OUTPUT_FIELDS, True)


@pytest.fixture
def stage1(program_lampung):
    return f.StageFactory(program=program_lampung, number=1)


@pytest.fixture
def cohort(stage1):
    return f.CohortFactory(stage=stage1, level=Level.PEMULA, name="Pemula A")


def enrolled(cohort, days_ago=60, **kwargs):
    return f.EnrollmentFactory(
        cohort=cohort,
        enterprise=kwargs.pop("enterprise", None) or f.EnterpriseFactory(),
        status=Enrollment.Status.ENROLLED,
        enrolled_at=timezone.now() - dt.timedelta(days=days_ago),
        **kwargs,
    )


def held(cohort, days_ago):
    return f.SessionFactory(cohort=cohort, starts_at=timezone.now() - dt.timedelta(days=days_ago))


@pytest.fixture
def closed_pemula(cohort, staff_lampung):
    """A closed beginners' class whose three participants all completed it."""
    members = [enrolled(cohort) for _ in range(3)]
    session = held(cohort, 10)
    classes.attendance_record(
        session=session, actor=staff_lampung, entries={e.pk: AttendanceEntry(P) for e in members}
    )
    classes.cohort_record_assessments(
        cohort=cohort,
        actor=staff_lampung,
        entries={e.pk: AssessmentEntry(90, **ALL_OUTPUTS) for e in members},
    )
    classes.cohort_close(cohort=cohort, actor=staff_lampung)
    return cohort, members


@pytest.fixture
def menengah(program_lampung):
    return f.CohortFactory(
        stage=f.StageFactory(program=program_lampung, number=2),
        level=Level.MENENGAH,
        name="Menengah A",
        capacity=2,
    )


# --- 1. bad input on the class pages -----------------------------------------------------


@pytest.mark.parametrize("posted", ["abc", "", "99999999999999999999999999", "-1", "other"])
def test_bad_class_to_move_up_to_is_refused_with_a_message(
    client, staff_lampung, closed_pemula, menengah, program_jateng, posted
):
    cohort, _members = closed_pemula
    if posted == "other":  # a real class, but of another office
        posted = str(f.CohortFactory(stage__program=program_jateng, level=Level.MENENGAH).pk)
    client.force_login(staff_lampung)
    response = client.post(
        reverse("admin:cohorts_cohort_running", args=[cohort.pk]),
        {"promote": "1", "to_cohort": posted},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose the class to move up to." in page or "Choose one of the open classes" in page
    assert not Enrollment.objects.filter(stage=menengah.stage).exists()


def test_moving_up_from_the_class_page_says_how_many_were_seated_and_waiting(
    client, staff_lampung, closed_pemula, menengah
):
    cohort, members = closed_pemula
    client.force_login(staff_lampung)
    url = reverse("admin:cohorts_cohort_running", args=[cohort.pk])
    # the first press shows who moves up to which class, and changes nothing
    response = client.post(url, {"promote": "1", "to_cohort": str(menengah.pk)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Will be enrolled in Menengah A (2)" in page
    assert "Will go on the waiting list of Menengah A (1)" in page
    for member in members:
        assert member.enterprise.name in page
    assert 'name="confirm"' in page
    assert not Enrollment.objects.filter(stage=menengah.stage).exists()
    response = client.post(
        url, {"promote": "1", "to_cohort": str(menengah.pk), "confirm": "1"}, follow=True
    )
    assert "Moved up to Menengah A: 2 enrolled, 1 on the waiting list." in (
        response.content.decode()
    )


def test_attendance_sheet_ignores_field_names_that_are_no_row_id(client, staff_lampung, cohort):
    enrollment = enrolled(cohort)
    session = held(cohort, 1)
    client.force_login(staff_lampung)
    response = client.post(
        reverse("admin:cohorts_session_attendance", args=[session.pk]),
        {
            f"status-{enrollment.pk}": "present",
            "status-99999999999999999999999999": "present",
            "status-٣": "present",  # a digit, but not an ASCII one
        },
        follow=True,
    )
    assert response.status_code == 200
    assert Attendance.objects.get(session=session).enrollment == enrollment


def test_assessment_with_an_id_out_of_range_is_refused_with_a_message(
    client, staff_lampung, cohort
):
    enrollment = enrolled(cohort)
    client.force_login(staff_lampung)
    response = client.post(
        reverse("admin:cohorts_cohort_running", args=[cohort.pk]),
        {"assess": "1", f"score-{enrollment.pk}": "80", "score-99999999999999999999999": "80"},
        follow=True,
    )
    assert response.status_code == 200
    assert "only be recorded for participants of this class" in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.assessment_score is None


# --- 2. only the programme's staff act ----------------------------------------------------


def _calls(cohort, staff):
    session = held(cohort, 1)
    member = enrolled(cohort)
    return {
        "generate": lambda actor: classes.sessions_generate(
            cohort=cohort,
            actor=actor,
            first_date=timezone.localdate(),
            weekdays=[0],
            start_time=dt.time(9),
            duration_minutes=60,
            count=1,
        ),
        "reschedule": lambda actor: classes.session_reschedule(
            session=session, actor=actor, starts_at=session.starts_at + dt.timedelta(hours=1)
        ),
        "cancel": lambda actor: classes.session_cancel(session=session, actor=actor, reason="x"),
        "details": lambda actor: classes.session_update_details(
            session=session, actor=actor, topic="Lain"
        ),
        "attendance": lambda actor: classes.attendance_record(
            session=session, actor=actor, entries={member.pk: AttendanceEntry(P)}
        ),
        "coaching": lambda actor: classes.coaching_visit_record(
            enrollment=member, actor=actor, coach="Bu Rina", visit_date=timezone.localdate()
        ),
        "assess": lambda actor: classes.cohort_record_assessments(
            cohort=cohort, actor=actor, entries={member.pk: AssessmentEntry(90)}
        ),
        "close": lambda actor: classes.cohort_close(cohort=cohort, actor=actor),
        "snapshot": lambda actor: snapshots.snapshot_record(
            enterprise=member.enterprise,
            program=cohort.stage.program,
            moment=EnterpriseSnapshot.Moment.COMPLETION,
            actor=actor,
        ),
    }


@pytest.mark.parametrize(
    "call",
    [
        "generate",
        "reschedule",
        "cancel",
        "details",
        "attendance",
        "coaching",
        "assess",
        "close",
        "snapshot",
    ],
)
@pytest.mark.parametrize("who", ["staff_jateng", "participant_a", "analyst_lpei"])
def test_class_services_refuse_whoever_does_not_run_the_programme(
    request, cohort, staff_lampung, call, who
):
    calls = _calls(cohort, staff_lampung)
    before = (
        Session.objects.filter(cohort=cohort).count(),
        Attendance.objects.count(),
        CoachingVisit.objects.count(),
        EnterpriseSnapshot.objects.count(),
        list(Session.objects.values_list("starts_at", "topic", "cancelled_at")),
        list(Enrollment.objects.values_list("status", "assessment_score")),
    )
    with pytest.raises(ValidationError) as refused:
        calls[call](request.getfixturevalue(who))
    assert refused.value.code == "permission"
    assert Cohort.objects.get(pk=cohort.pk).closed_at is None
    assert before == (
        Session.objects.filter(cohort=cohort).count(),
        Attendance.objects.count(),
        CoachingVisit.objects.count(),
        EnterpriseSnapshot.objects.count(),
        list(Session.objects.values_list("starts_at", "topic", "cancelled_at")),
        list(Enrollment.objects.values_list("status", "assessment_score")),
    )


def test_moving_up_is_refused_to_staff_of_another_office(closed_pemula, menengah, staff_jateng):
    cohort, _members = closed_pemula
    with pytest.raises(ValidationError) as refused:
        classes.cohorts_promote_eligible(from_cohort=cohort, to_cohort=menengah, actor=staff_jateng)
    assert refused.value.code == "permission"
    assert not Enrollment.objects.filter(stage=menengah.stage).exists()


def test_moving_up_into_another_offices_class_is_refused(closed_pemula, staff_lampung):
    cohort, _members = closed_pemula
    other = f.CohortFactory(level=Level.MENENGAH)  # a programme of another office
    with pytest.raises(ValidationError) as refused:
        classes.cohorts_promote_eligible(from_cohort=cohort, to_cohort=other, actor=staff_lampung)
    assert refused.value.code == "permission"


def test_enterprise_member_may_take_only_the_first_intake_snapshot(
    participant_a, enterprise_a, program_lampung
):
    snapshot = snapshots.snapshot_record(
        enterprise=enterprise_a,
        program=program_lampung,
        moment=EnterpriseSnapshot.Moment.INTAKE,
        actor=participant_a,
    )
    assert snapshot.history.first().history_user == participant_a
    for moment, replace in (
        (EnterpriseSnapshot.Moment.INTAKE, True),
        (EnterpriseSnapshot.Moment.COMPLETION, False),
    ):
        with pytest.raises(ValidationError):
            snapshots.snapshot_record(
                enterprise=enterprise_a,
                program=program_lampung,
                moment=moment,
                actor=participant_a,
                replace=replace,
                annual_revenue=1,
            )
    assert EnterpriseSnapshot.objects.get().annual_revenue == snapshot.annual_revenue


def test_the_owner_accepting_an_offer_still_records_the_intake(
    cohort, staff_lampung, participant_a, enterprise_a
):
    offered = f.EnrollmentFactory(
        cohort=cohort,
        enterprise=enterprise_a,
        status=Enrollment.Status.OFFERED,
        offer_expires_at=timezone.now() + dt.timedelta(hours=5),
    )
    seats.offer_accept(enrollment=offered, actor=participant_a)
    assert EnterpriseSnapshot.objects.filter(
        enterprise=enterprise_a, moment=EnterpriseSnapshot.Moment.INTAKE
    ).exists()


# --- 3. correcting an intake snapshot -------------------------------------------------------


def _snapshot_form(snapshot, **changes):
    data = {
        "enterprise": snapshot.enterprise_id,
        "program": snapshot.program_id,
        "moment": snapshot.moment,
        "taken_on": snapshot.taken_on.isoformat(),
        "annual_revenue": snapshot.annual_revenue,
        "employees_women": snapshot.employees_women,
        "employees_men": snapshot.employees_men,
        "size_class": snapshot.size_class,
        "export_status": snapshot.export_status,
    }
    return {**data, **changes}


def test_editing_an_intake_snapshot_in_the_admin_corrects_it_and_keeps_the_old_figures(
    client, staff_lampung, enterprise_a, program_lampung
):
    snapshot = snapshots.snapshot_record(
        enterprise=enterprise_a,
        program=program_lampung,
        moment=EnterpriseSnapshot.Moment.INTAKE,
        actor=staff_lampung,
        annual_revenue=100_000_000,
    )
    client.force_login(staff_lampung)
    url = reverse("admin:cohorts_enterprisesnapshot_change", args=[snapshot.pk])
    response = client.post(url, _snapshot_form(snapshot, annual_revenue=250_000_000))
    assert response.status_code == 302
    snapshot.refresh_from_db()
    assert snapshot.annual_revenue == 250_000_000
    assert [h.annual_revenue for h in snapshot.history.order_by("history_date")] == [
        100_000_000,
        250_000_000,
    ]
    assert snapshot.history.first().history_user == staff_lampung
    history = client.get(reverse("admin:cohorts_enterprisesnapshot_history", args=[snapshot.pk]))
    assert history.status_code == 200


def test_adding_a_second_intake_snapshot_in_the_admin_is_refused(
    client, staff_lampung, enterprise_a, program_lampung
):
    snapshot = snapshots.snapshot_record(
        enterprise=enterprise_a,
        program=program_lampung,
        moment=EnterpriseSnapshot.Moment.INTAKE,
        actor=staff_lampung,
        annual_revenue=100_000_000,
    )
    client.force_login(staff_lampung)
    response = client.post(
        reverse("admin:cohorts_enterprisesnapshot_add"),
        _snapshot_form(snapshot, annual_revenue=7),
        follow=True,
    )
    assert "This snapshot is already recorded." in response.content.decode()
    assert EnterpriseSnapshot.objects.get().annual_revenue == 100_000_000


# --- 4. history -----------------------------------------------------------------------------


def test_sessions_classes_and_visits_keep_their_history_with_the_acting_user(
    client, cohort, staff_lampung
):
    [session] = classes.sessions_generate(
        cohort=cohort,
        actor=staff_lampung,
        first_date=timezone.localdate() - dt.timedelta(days=7),
        weekdays=range(7),
        start_time=dt.time(9),
        duration_minutes=60,
        count=1,
    )
    member = enrolled(cohort)
    classes.session_update_details(session=session, actor=staff_lampung, topic="Harga FOB")
    classes.attendance_record(
        session=session, actor=staff_lampung, entries={member.pk: AttendanceEntry(P)}
    )
    visit = classes.coaching_visit_record(
        enrollment=member, actor=staff_lampung, coach="Bu Rina", visit_date=timezone.localdate()
    )
    later = held(cohort, -3)  # still to come: cancelled, so the class may close
    classes.session_cancel(session=later, actor=staff_lampung, reason="Banjir")
    classes.cohort_close(cohort=cohort, actor=staff_lampung, required_outputs=[])

    assert [h.topic for h in session.history.order_by("history_date")][-1] == "Harga FOB"
    assert {h.history_user for h in session.history.all()} == {staff_lampung}
    later.refresh_from_db()
    assert later.cancelled_by == staff_lampung
    assert later.history.first().history_user == staff_lampung
    assert visit.history.get().history_user == staff_lampung
    closing = Cohort.objects.get(pk=cohort.pk).history.first()
    assert closing.closed_at is not None and closing.history_user == staff_lampung

    client.force_login(staff_lampung)
    for name, pk in (
        ("session", session.pk),
        ("coachingvisit", visit.pk),
        ("cohort", cohort.pk),
    ):
        page = client.get(reverse(f"admin:cohorts_{name}_history", args=[pk]))
        assert page.status_code == 200
        assert staff_lampung.email in page.content.decode() or "Staf Lampung" in (
            page.content.decode()
        )


# --- 5. late joiners ------------------------------------------------------------------------


def test_a_late_joiner_is_measured_over_the_sessions_since_it_enrolled(cohort, staff_lampung):
    early = enrolled(cohort, days_ago=60)
    late = enrolled(cohort, days_ago=25)
    unknown = f.EnrollmentFactory(
        cohort=cohort, status=Enrollment.Status.ENROLLED, enrolled_at=None
    )
    sessions = [held(cohort, days) for days in (40, 30, 20, 10)]
    for index, session in enumerate(sessions):
        entries = {early.pk: AttendanceEntry(P), unknown.pk: AttendanceEntry(P)}
        if index >= 2:
            entries[late.pk] = AttendanceEntry(P)
        classes.attendance_record(session=session, actor=staff_lampung, entries=entries)
    rates = {e.pk: e for e in selectors.enrollments_with_attendance_rate(cohort=cohort)}
    assert (rates[early.pk].sessions_held, rates[early.pk].attendance_percent) == (4, 100.0)
    assert (rates[late.pk].sessions_held, rates[late.pk].attendance_percent) == (2, 100.0)
    assert (rates[unknown.pk].sessions_held, rates[unknown.pk].attendance_percent) == (4, 100.0)
    grid = selectors.cohort_attendance_grid(cohort=cohort)
    late_row = next(r for r in grid["rows"] if r["enrollment"].pk == late.pk)
    assert late_row["enrollment"].attendance_percent == 100.0

    classes.cohort_record_assessments(
        cohort=cohort,
        actor=staff_lampung,
        entries={e.pk: AssessmentEntry(90, **ALL_OUTPUTS) for e in (early, late, unknown)},
    )
    result = classes.cohort_close(cohort=cohort, actor=staff_lampung)
    assert {e.pk for e in result.completed} == {early.pk, late.pk, unknown.pk}


def test_a_participant_enrolled_after_every_held_session_has_no_rate_yet(cohort):
    held(cohort, 10)
    newcomer = enrolled(cohort, days_ago=1)
    [row] = selectors.enrollments_with_attendance_rate(cohort=cohort)
    assert row.pk == newcomer.pk
    assert (row.sessions_held, row.attendance_percent) == (0, None)


# --- 6. naik kelas: seated or waiting, and a lost race -------------------------------------


def test_promotion_reports_seated_and_waiting_separately(closed_pemula, menengah, staff_lampung):
    cohort, _members = closed_pemula
    result = classes.cohorts_promote_eligible(
        from_cohort=cohort, to_cohort=menengah, actor=staff_lampung
    )
    assert len(result.enrolled) == 2 and len(result.waitlisted) == 1
    assert {e.status for e in result.enrolled} == {Enrollment.Status.ENROLLED}
    assert [e.status for e in result.waitlisted] == [Enrollment.Status.WAITLISTED]
    assert len(result.admitted) == 3


def test_an_enterprise_losing_a_race_is_skipped_and_the_others_still_move_up(
    closed_pemula, menengah, staff_lampung, monkeypatch
):
    """A row written at the same moment trips the database's one-active-per-stage index
    (simulated here): that enterprise is reported, the others are promoted."""
    cohort, members = closed_pemula
    loser = min(members, key=lambda e: (e.enterprise.name, e.pk)).enterprise
    admit = seats.enrollment_admit

    def admit_or_lose_the_race(*, enrollment, cohort, actor):
        if enrollment.enterprise_id == loser.pk:
            raise IntegrityError("duplicate key value violates enrollment_one_active_per_stage")
        return admit(enrollment=enrollment, cohort=cohort, actor=actor)

    monkeypatch.setattr(seats, "enrollment_admit", admit_or_lose_the_race)
    result = classes.cohorts_promote_eligible(
        from_cohort=cohort, to_cohort=menengah, actor=staff_lampung
    )
    assert [enterprise for enterprise, _reason in result.skipped] == [loser]
    assert len(result.admitted) == 2
    assert not Enrollment.objects.filter(enterprise=loser, stage=menengah.stage).exists()
    assert Enrollment.objects.filter(stage=menengah.stage).count() == 2
