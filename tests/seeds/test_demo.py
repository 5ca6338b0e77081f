import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.db.models import Count, Q

from accounts import roles
from accounts.models import Enterprise, EnterpriseMembership, TradeOffice, User
from certifications.models import Case, CaseEvent
from cohorts.models import Cohort, Enrollment, EnterpriseSnapshot, Graduation, Level
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
    stage2 = demo_module.Stage.objects.get(program__name=demo_module.LAMPUNG_PROGRAM, number=2)
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
    jateng_program = demo_module.Program.objects.get(name=demo_module.JATENG_PROGRAM)
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
    hours = (second.offer_expires_at - demo_module.new_demo(DEMO_DAY).now).total_seconds() / 3600
    assert 29 <= hours <= 31

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
    program = demo_module.Program.objects.get(name=demo_module.LAMPUNG_PROGRAM)
    intake = EnterpriseSnapshot.objects.filter(
        program=program, moment=EnterpriseSnapshot.Moment.INTAKE
    )
    assert intake.exclude(export_status=Enterprise.ExportStatus.NONE).count() == 20
    graduations = Graduation.objects.filter(program=program)
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
        last = CaseEvent.objects.filter(case=case).order_by("created_at", "pk").last()
        assert last.to_status == case.status
    for case in cases.filter(status=Case.Status.GRANTED).select_related("scheme"):
        certificate = case.certificate
        if case.scheme.validity_from == "none":
            assert certificate.expiry_date is None
        else:
            assert certificate.expiry_date > certificate.issue_date
