import datetime as dt
import itertools
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.utils import timezone

from accounts import roles
from accounts.models import Enterprise, EnterpriseMembership, TradeOffice, User
from certifications.models import Case, CaseEvent
from cohorts import selectors
from cohorts.models import (
    Attendance,
    Cohort,
    Enrollment,
    EnterpriseSnapshot,
    Graduation,
    Level,
    Program,
    Stage,
)
from cohorts.services.seats import SEAT_OFFER_REMINDER
from notifications.models import Reminder
from seeds import demo as demo_module
from seeds.demo import DEMO_PASSWORD, build_demo, model_counts
from tests.seeds.conftest import DEMO_DAY

HISTORY_MODELS = (Enterprise, Enrollment, Case, Graduation)


def all_counts():
    counts = model_counts()
    counts.update({f"history {m.__name__}": m.history.count() for m in HISTORY_MODELS})
    return counts


def test_seed_demo_twice_on_one_day_gives_the_same_counts(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = all_counts()
    call_command("seed_demo", stdout=out)
    assert all_counts() == first
    assert first["enterprise"] > 100 and first["attendance"] > 0
    assert "nothing changed" in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue()


def test_reset_deletes_the_demo_and_rebuilds_it(demo):
    first = all_counts()
    owner = User.objects.get(email=demo_module.OWNER_EMAIL)
    Enterprise.objects.filter(memberships__user=owner).update(name="Renamed by hand")
    Case.objects.filter(status=Case.Status.REQUESTED).update(status=Case.Status.WITHDRAWN)

    result = build_demo(today=DEMO_DAY + dt.timedelta(days=3), reset=True)

    assert result.built
    assert all_counts() == first
    assert not Enterprise.objects.filter(name="Renamed by hand").exists()
    stage2 = Stage.objects.get(program__name=demo_module.LAMPUNG_PROGRAM, number=2)
    assert stage2.start_date == DEMO_DAY + dt.timedelta(days=3 - 14)


def test_personas_exist_with_their_roles(demo, client):
    users = {u.email: u for u in User.objects.filter(email__in=demo_module.DEMO_EMAILS)}
    assert len(users) == 7
    assert all(u.check_password(DEMO_PASSWORD) for u in users.values())
    admin = users[demo_module.ADMIN_EMAIL]
    lampung = users[demo_module.LAMPUNG_STAFF_EMAIL]
    jateng = users[demo_module.JATENG_STAFF_EMAIL]
    assert roles.is_platform_admin(admin)
    assert lampung.is_staff and roles.office_ids(lampung) == {
        TradeOffice.objects.get(name=demo_module.LAMPUNG_OFFICE).pk
    }
    assert jateng.is_staff and roles.office_ids(jateng) == {
        TradeOffice.objects.get(name=demo_module.JATENG_OFFICE).pk
    }
    assert roles.is_funder_analyst(users[demo_module.LPEI_ANALYST_EMAIL])
    assert roles.is_funder_analyst(users[demo_module.MARKETPLACE_ANALYST_EMAIL])
    viewer = users[demo_module.NATIONAL_VIEWER_EMAIL]
    assert viewer.is_staff and roles.is_national_viewer(viewer)
    assert roles.is_participant(users[demo_module.OWNER_EMAIL])
    assert not users[demo_module.OWNER_EMAIL].is_staff

    client.force_login(lampung)
    assert client.get("/admin/").status_code == 200


def test_lampung_office_states_its_population_and_target(demo):
    office = TradeOffice.objects.get(name=demo_module.LAMPUNG_OFFICE)
    assert office.ikm_population == 95_000
    assert office.exporter_target_percent == 30
    assert office.exporter_target_count == 28_500
    assert office.ikm_population_basis
    program = office.programs.get(name=demo_module.LAMPUNG_PROGRAM)
    assert program.funders.get().short_name == "LPEI"
    jateng_program = Program.objects.get(name=demo_module.JATENG_PROGRAM)
    assert jateng_program.funders.get().kind == "marketplace"


def test_owner_completed_the_beginner_class_holds_an_offer_and_has_cases_waiting(demo):
    owner = User.objects.get(email=demo_module.OWNER_EMAIL)
    membership = EnterpriseMembership.objects.get(user=owner)
    assert membership.role == EnterpriseMembership.Role.OWNER
    enterprise = membership.enterprise
    assert enterprise.registered_by.name == demo_module.LAMPUNG_OFFICE
    enrollments = {e.stage.number: e for e in enterprise.enrollments.select_related("stage")}
    first, second = enrollments[1], enrollments[2]
    assert (first.status, first.cohort.level) == (Enrollment.Status.COMPLETED, Level.PEMULA)
    assert first.stage.end_date == DEMO_DAY - dt.timedelta(days=60)
    assert (second.status, second.cohort.level) == (Enrollment.Status.OFFERED, Level.MENENGAH)
    # The offer was made while the demo was built: its deadline is still to come.
    assert timezone.now() < second.offer_expires_at
    assert second.offer_expires_at <= timezone.now() + dt.timedelta(
        hours=second.program.seat_offer_hours
    )

    waiting = enterprise.cases.filter(status=Case.Status.PREPARING)
    assert waiting.count() >= 2
    for case in waiting:
        required = set(case.scheme.documents.filter(required=True).values_list("pk", flat=True))
        uploaded = set(case.documents.values_list("requirement", flat=True))
        assert required - uploaded, f"{case.scheme.code} is not waiting for any document"
    # SPPT SNI needs a registered trademark: the owner holds one.
    assert enterprise.cases.filter(scheme__code="merek", status=Case.Status.GRANTED).exists()


def test_classes_stay_within_capacity_and_the_lampung_classes_are_full(demo):
    seated = Q(enrollments__status__in=Enrollment.SEAT_STATUSES)
    for cohort in Cohort.objects.annotate(n=Count("enrollments", filter=seated)):
        assert cohort.n <= cohort.capacity == 20, cohort.name
    counted = Q(
        enrollments__status__in=[
            Enrollment.Status.ENROLLED,
            Enrollment.Status.OFFERED,
            Enrollment.Status.COMPLETED,
            Enrollment.Status.NOT_COMPLETED,
        ]
    )
    lampung = Cohort.objects.filter(stage__program__name=demo_module.LAMPUNG_PROGRAM).annotate(
        n=Count("enrollments", filter=counted)
    )
    assert sorted((c.stage.number, c.level, c.n) for c in lampung) == sorted(
        (stage, level, 20) for stage in (1, 2) for level in Level.values
    )
    # Stage 1 is over: nobody is still enrolled or offered a seat in it.
    assert not Enrollment.objects.filter(
        stage__number=1,
        program__name=demo_module.LAMPUNG_PROGRAM,
        status__in=Enrollment.SEAT_STATUSES,
    ).exists()


def test_exporters_before_joining_and_new_exporters(demo):
    program = Program.objects.get(name=demo_module.LAMPUNG_PROGRAM)
    intake = EnterpriseSnapshot.objects.filter(
        program=program, moment=EnterpriseSnapshot.Moment.INTAKE
    )
    assert intake.exclude(export_status=Enterprise.ExportStatus.NONE).count() == 20
    graduations = Graduation.objects.filter(programs=program)
    assert graduations.count() >= 3
    for graduation in graduations:
        assert graduation.export_record.status == "verified"
        assert intake.get(enterprise=graduation.enterprise).export_status == "none"


def test_cases_cover_schemes_and_statuses_with_their_events(demo):
    cases = Case.objects.all()
    assert set(cases.values_list("status", flat=True)) == set(Case.Status.values)
    assert cases.values("scheme").distinct().count() >= 10
    for case in cases.annotate(n=Count("events")):
        assert case.n >= 1
        moves = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.TRANSITION)
        last = moves.order_by("created_at", "pk").last()
        assert last.to_status == case.status
    for case in cases.filter(status=Case.Status.GRANTED).select_related("scheme"):
        certificate = case.certificate
        if case.scheme.validity_from == "none":
            assert certificate.expiry_date is None
        else:
            assert certificate.expiry_date > certificate.issue_date


def test_the_certification_story_was_played_through_the_services(demo, settings):
    from certifications.models import CaseDocument, Certificate
    from certifications.services import TRANSITIONS

    today = DEMO_DAY
    cases = Case.objects.select_related("scheme")
    # Every timeline is a walk along the workflow's map, each step by a person, in order.
    for case in cases:
        moves = list(
            case.events.filter(kind=CaseEvent.Kind.TRANSITION).order_by("created_at", "pk")
        )
        assert moves[0].from_status == "" and moves[0].to_status == Case.Status.REQUESTED
        for before, after in itertools.pairwise(moves):
            assert after.from_status == before.to_status
            assert after.to_status in TRANSITIONS[before.to_status]
        assert all(event.actor_id for event in case.events.all())
        stamps = list(case.events.order_by("pk").values_list("created_at", flat=True))
        assert stamps == sorted(stamps), case
        assert case.requested_at == moves[0].created_at
        assert case.requested_at.date() <= today
    # A submitted request went with every required document approved (or said why not).
    for case in cases.exclude(submitted_at=None):
        approved = set(
            case.documents.filter(review=CaseDocument.Review.APPROVED).values_list(
                "requirement", flat=True
            )
        )
        required = set(case.scheme.documents.filter(required=True).values_list("pk", flat=True))
        assert required <= approved, case
        stored = settings.PRIVATE_MEDIA_ROOT
        assert all((stored / d.file.name).is_file() for d in case.documents.all())
    # One waiting for documents, one sent back with a deadline in the coming week, one
    # rejected, and a certificate that lapses within 90 days (of the demo's day).
    waiting = cases.filter(
        status=Case.Status.PREPARING, program__office__name=demo_module.LAMPUNG_OFFICE
    )
    assert any(
        set(c.scheme.documents.filter(required=True).values_list("pk", flat=True))
        - set(c.documents.values_list("requirement", flat=True))
        for c in waiting
    )
    revision = cases.filter(status=Case.Status.REVISION)
    deadline_day = timezone.localdate()
    assert revision.exists()
    for case in revision:
        assert deadline_day < case.revision_deadline <= deadline_day + dt.timedelta(days=7)
    assert cases.filter(status=Case.Status.REJECTED).exists()
    lapsing = Certificate.objects.filter(
        expiry_date__gt=today, expiry_date__lte=today + dt.timedelta(days=90)
    )
    assert lapsing.count() == 1
    certificate = lapsing.get()
    assert certificate.case.events.filter(kind=CaseEvent.Kind.CERTIFICATE_ISSUED).exists()
    assert certificate.renewals.get().status == Case.Status.REQUESTED
    for granted in cases.filter(status=Case.Status.GRANTED):
        issued = granted.events.get(kind=CaseEvent.Kind.CERTIFICATE_ISSUED)
        assert issued.note == granted.certificate.number


def test_stage1_outcomes_were_decided_by_closing_from_attendance_and_score(demo):
    program = Program.objects.get(name=demo_module.LAMPUNG_PROGRAM)
    classes = Cohort.objects.filter(stage__program=program, stage__number=1)
    assert classes.count() == 3
    shortfalls = set()
    for cohort in classes:
        assert cohort.closed_at is not None and cohort.closed_by is not None
        rows = list(selectors.enrollments_with_attendance_rate(cohort=cohort))
        assert len(rows) == 20 and {e.sessions_held for e in rows} == {8}
        for enrollment in rows:
            attended = enrollment.attendance_percent >= program.attendance_threshold_percent
            passed = (enrollment.assessment_score or 0) >= program.pass_mark
            delivered = enrollment.output_export_plan and enrollment.output_fob_calculation
            expected = (
                Enrollment.Status.COMPLETED
                if attended and passed and delivered
                else Enrollment.Status.NOT_COMPLETED
            )
            assert enrollment.status == expected, enrollment.enterprise.name
            if not attended:
                shortfalls.add("attendance")
            if not passed:
                shortfalls.add("score")
            # Enrolled until the class closed, which took the completion snapshot.
            assert enrollment.history.filter(status=Enrollment.Status.ENROLLED).exists()
            assert EnterpriseSnapshot.objects.filter(
                enterprise=enrollment.enterprise,
                program=program,
                moment=EnterpriseSnapshot.Moment.COMPLETION,
                taken_on=cohort.stage.end_date,
            ).exists()
    # Both rules bite somewhere: the demo shows a participant failing each of them.
    assert shortfalls == {"attendance", "score"}
    # Attendance is only ever taken for sessions that had started.
    assert not Attendance.objects.filter(
        session__starts_at__gt=demo_module.new_demo(DEMO_DAY).now
    ).exists()


def test_owner_has_a_pending_seat_offer_reminder_after_a_withdrawal(demo):
    owner = User.objects.get(email=demo_module.OWNER_EMAIL)
    offer = Enrollment.objects.get(
        enterprise__memberships__user=owner, status=Enrollment.Status.OFFERED
    )
    reminder = Reminder.objects.get(
        kind=SEAT_OFFER_REMINDER,
        recipient=owner,
        subject_type=ContentType.objects.get_for_model(Enrollment),
        subject_id=offer.pk,
    )
    assert reminder.status == Reminder.Status.PENDING
    assert offer.cohort.name in reminder.title
    # The seat came free because a participant of that class withdrew.
    assert offer.cohort.enrollments.filter(status=Enrollment.Status.WITHDRAWN).count() == 1
    assert not offer.cohort.enrollments.filter(status=Enrollment.Status.WAITLISTED).exists()


def test_stage2_fills_through_promotion_waiting_list_and_weekly_sessions(demo):
    program = Program.objects.get(name=demo_module.LAMPUNG_PROGRAM)
    s1 = {c.level: c for c in Cohort.objects.filter(stage__program=program, stage__number=1)}
    s2 = {c.level: c for c in Cohort.objects.filter(stage__program=program, stage__number=2)}
    owner = User.objects.get(email=demo_module.OWNER_EMAIL)
    for lower, upper in ((Level.PEMULA, Level.MENENGAH), (Level.MENENGAH, Level.MAHIR)):
        completers = set(
            s1[lower]
            .enrollments.filter(status=Enrollment.Status.COMPLETED)
            .exclude(enterprise__memberships__user=owner)
            .values_list("enterprise", flat=True)
        )
        moved_up = set(
            s2[upper]
            .enrollments.filter(status=Enrollment.Status.ENROLLED)
            .values_list("enterprise", flat=True)
        )
        assert completers and completers <= moved_up
    waiting = s2[Level.PEMULA].enrollments.filter(status=Enrollment.Status.WAITLISTED)
    assert sorted(waiting.values_list("waitlist_position", flat=True)) == [1, 2, 3]
    for cohort in Cohort.objects.filter(stage__program=program):
        starts = [
            s.starts_at.astimezone(ZoneInfo(cohort.time_zone))
            for s in cohort.sessions.order_by("starts_at")
        ]
        assert len(starts) == 8
        assert {b - a for a, b in itertools.pairwise(starts)} == {dt.timedelta(days=7)}
        assert {s.time() for s in starts} == {dt.time(9)}


def test_the_command_refuses_a_day_to_come(db):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(CommandError):
        call_command("seed_demo", today=tomorrow, stdout=StringIO())
    assert not demo_module.demo_exists()
