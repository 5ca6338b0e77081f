"""Every database constraint refuses bad data, in the database and with its own message."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import (
    EnterpriseMembership,
    FunderMembership,
    KbliCode,
    OfficeMembership,
    OfficeReach,
    TradeOffice,
)
from certifications.models import (
    Case,
    CaseDocument,
    Certificate,
    Scheme,
    SchemeDocument,
    SchemeMilestone,
)
from cohorts.models import (
    Attendance,
    Cohort,
    Enrollment,
    EnterpriseSnapshot,
    Funding,
    Graduation,
    Program,
    Session,
    Stage,
)
from tests import factories as f

TODAY = dt.date(2026, 11, 23)


def _office(**kw):
    return f.TradeOfficeFactory.build(province=f.ProvinceFactory(), **kw)


def _program(**kw):
    return f.ProgramFactory.build(office=f.TradeOfficeFactory(), **kw)


def _stage(**kw):
    return f.StageFactory.build(program=f.ProgramFactory(), **kw)


def _enrollment(**kw):
    stage = f.StageFactory()
    return f.EnrollmentFactory.build(
        enterprise=f.EnterpriseFactory(), stage=stage, program=stage.program, **kw
    )


def _second_active_enrollment():
    first = f.EnrollmentFactory(status=Enrollment.Status.SELECTED)
    return f.EnrollmentFactory.build(
        enterprise=first.enterprise, stage=first.stage, program=first.program
    )


def _export(**kw):
    return f.ExportRecordFactory.build(enterprise=f.EnterpriseFactory(), **kw)


def _case(**kw):
    enterprise = f.EnterpriseFactory()
    return Case(
        enterprise=enterprise, scheme=f.SchemeFactory(), office=enterprise.registered_by, **kw
    )


def _duplicate(factory, **shared):
    existing = factory(**shared)
    fields = {name: getattr(existing, name) for name in shared}
    return factory.build(**fields)


CASES = {
    "office_target_percent_range": (
        lambda: _office(exporter_target_percent=Decimal("130")),
        "The target share must lie between 0 and 100 percent.",
    ),
    "office_membership_unique": (
        lambda: (lambda m: OfficeMembership(user=m.user, office=m.office))(
            OfficeMembership.objects.create(user=f.UserFactory(), office=f.TradeOfficeFactory())
        ),
        "This user is already on the staff of this office.",
    ),
    "funder_membership_unique": (
        lambda: (lambda m: FunderMembership(user=m.user, funder=m.funder))(
            FunderMembership.objects.create(user=f.UserFactory(), funder=f.FunderFactory())
        ),
        "This user is already an analyst of this funder.",
    ),
    "office_reach_unique": (
        lambda: (lambda e: OfficeReach(office=e.registered_by, enterprise=e))(
            f.EnterpriseFactory()
        ),
        "This office already reaches this enterprise.",
    ),
    "enterprise_nib_unique": (
        lambda: f.EnterpriseFactory.build(
            nib=f.EnterpriseFactory(nib="1234567890123").nib,
            registered_by=f.TradeOfficeFactory(),
            province=f.ProvinceFactory(),
        ),
        "Another enterprise is registered with this NIB.",
    ),
    "enterprise_nib_13_digits": (
        lambda: f.EnterpriseFactory.build(
            nib="12345", registered_by=f.TradeOfficeFactory(), province=f.ProvinceFactory()
        ),
        "The NIB must be 13 digits.",
    ),
    "enterprise_revenue_non_negative": (
        lambda: f.EnterpriseFactory.build(
            annual_revenue=-1, registered_by=f.TradeOfficeFactory(), province=f.ProvinceFactory()
        ),
        "The annual revenue cannot be negative.",
    ),
    "kbli_code_5_digits": (
        lambda: KbliCode(enterprise=f.EnterpriseFactory(), code="1079"),
        "A KBLI code has 5 digits.",
    ),
    "kbli_code_unique_per_enterprise": (
        lambda: (lambda k: KbliCode(enterprise=k.enterprise, code=k.code))(
            KbliCode.objects.create(enterprise=f.EnterpriseFactory(), code="10792")
        ),
        "This KBLI code is already listed.",
    ),
    "enterprise_membership_unique": (
        lambda: (lambda m: EnterpriseMembership(user=m.user, enterprise=m.enterprise))(
            EnterpriseMembership.objects.create(
                user=f.UserFactory(), enterprise=f.EnterpriseFactory()
            )
        ),
        "This user is already a member of this enterprise.",
    ),
    "product_hs_code_8_digits": (
        lambda: f.ProductFactory.build(enterprise=f.EnterpriseFactory(), hs_code="0901"),
        "An HS code has 8 digits (BTKI 2022).",
    ),
    "product_capacity_non_negative": (
        lambda: f.ProductFactory.build(enterprise=f.EnterpriseFactory(), monthly_capacity=-5),
        "The capacity cannot be negative.",
    ),
    "program_dates_in_order": (
        lambda: _program(start_date=TODAY, end_date=TODAY - dt.timedelta(days=1)),
        "The end date cannot be before the start date.",
    ),
    "program_percentages_at_most_100": (
        lambda: _program(pass_mark=101),
        "The threshold and pass mark are at most 100.",
    ),
    "program_offer_hours_positive": (
        lambda: _program(seat_offer_hours=0),
        "A seat offer must be held for at least one hour.",
    ),
    "funding_amount_non_negative": (
        lambda: Funding(program=f.ProgramFactory(), funder=f.FunderFactory(), amount=-1),
        "The amount cannot be negative.",
    ),
    "funding_unique_per_kind": (
        lambda: (lambda x: Funding(program=x.program, funder=x.funder, kind=x.kind))(
            f.FundingFactory()
        ),
        "This funder already funds this programme this way.",
    ),
    "stage_number_unique": (
        lambda: (lambda s: f.StageFactory.build(program=s.program, number=s.number))(
            f.StageFactory()
        ),
        "This programme already has a stage with this number.",
    ),
    "stage_dates_in_order": (
        lambda: _stage(start_date=TODAY, end_date=TODAY - dt.timedelta(days=3)),
        "The end date cannot be before the start date.",
    ),
    "stage_number_positive": (lambda: _stage(number=0), "Stages are numbered from 1."),
    "cohort_capacity_positive": (
        lambda: f.CohortFactory.build(stage=f.StageFactory(), capacity=0),
        "A class has room for at least one participant.",
    ),
    "cohort_name_unique_per_stage": (
        lambda: (lambda c: f.CohortFactory.build(stage=c.stage, name=c.name))(f.CohortFactory()),
        "This stage already has a class with this name.",
    ),
    "enrollment_one_active_per_stage": (
        _second_active_enrollment,
        "This enterprise already takes part in this stage.",
    ),
    "enrollment_readiness_score_range": (
        lambda: _enrollment(readiness_score=101),
        "The readiness score lies between 0 and 100.",
    ),
    "enrollment_assessment_score_range": (
        lambda: _enrollment(assessment_score=150),
        "The assessment score lies between 0 and 100.",
    ),
    "enrollment_seated_has_class": (
        lambda: _enrollment(status=Enrollment.Status.ENROLLED),
        "An admitted enrollment must name its class.",
    ),
    "enrollment_offer_has_deadline": (
        lambda: (
            lambda c: f.EnrollmentFactory.build(
                enterprise=f.EnterpriseFactory(),
                cohort=c,
                stage=c.stage,
                program=c.stage.program,
                status=Enrollment.Status.OFFERED,
            )
        )(f.CohortFactory()),
        "A seat offer needs a reply deadline.",
    ),
    "session_ends_after_start": (
        lambda: f.SessionFactory.build(
            cohort=f.CohortFactory(),
            starts_at=timezone.now(),
            ends_at=timezone.now() - dt.timedelta(hours=1),
        ),
        "A session must end after it starts.",
    ),
    "attendance_once_per_session": (
        lambda: (lambda a: Attendance(enrollment=a.enrollment, session=a.session, status="absent"))(
            _attendance()
        ),
        "Attendance for this session is already recorded.",
    ),
    "snapshot_once_per_moment": (
        lambda: (lambda s: _snapshot(enterprise=s.enterprise, program=s.program))(
            _snapshot_saved()
        ),
        "This snapshot is already recorded.",
    ),
    "snapshot_revenue_non_negative": (
        lambda: _snapshot(
            enterprise=f.EnterpriseFactory(), program=f.ProgramFactory(), annual_revenue=-10
        ),
        "The annual revenue cannot be negative.",
    ),
    "export_values_positive": (
        lambda: _export(value=Decimal("0")),
        "Export values must be positive.",
    ),
    "export_rate_positive": (
        lambda: _export(exchange_rate=Decimal("0")),
        "The exchange rate must be positive.",
    ),
    "export_hs_code_8_digits": (
        lambda: _export(hs_code="09"),
        "An HS code has 8 digits (BTKI 2022).",
    ),
    "export_currency_iso": (
        lambda: _export(currency="usd"),
        "The currency is a three-letter ISO 4217 code.",
    ),
    "graduation_once_per_enterprise": (
        lambda: (
            lambda g: Graduation(
                enterprise=g.enterprise,
                export_record=f.ExportRecordFactory(enterprise=g.enterprise),
                graduated_on=TODAY,
            )
        )(_graduation()),
        "This enterprise is already a new exporter.",
    ),
    "scheme_validity_stated": (
        lambda: Scheme(
            code="no-validity",
            family="sni",
            name_id="x",
            name_en="x",
            issuing_body="BSN",
            validity_from=Scheme.ValidityFrom.ISSUE,
            validity_months=None,
        ),
        "A scheme that expires needs its validity in months.",
    ),
    "milestone_order_unique": (
        lambda: (
            lambda m: SchemeMilestone(scheme=m.scheme, order=m.order, name_id="a", name_en="a")
        )(f.SchemeMilestoneFactory()),
        "This scheme already has a milestone in this place.",
    ),
    "scheme_document_code_unique": (
        lambda: (lambda d: SchemeDocument(scheme=d.scheme, code=d.code, name_id="a", name_en="a"))(
            f.SchemeDocumentFactory()
        ),
        "This scheme already lists this document.",
    ),
    "case_money_non_negative": (lambda: _case(cost=-1), "Cost and subsidy cannot be negative."),
    "case_subsidy_within_cost": (
        lambda: _case(cost=1_000_000, subsidy=2_000_000, subsidy_funder=f.FunderFactory()),
        "The subsidy cannot exceed the cost.",
    ),
    "case_subsidy_names_funder": (
        lambda: _case(cost=1_000_000, subsidy=500_000),
        "A subsidy must name the funder that pays it.",
    ),
    "certificate_expires_after_issue": (
        lambda: Certificate(
            case=f.CaseFactory(), number="SNI-1", issue_date=TODAY, expiry_date=TODAY
        ),
        "A certificate must expire after it is issued.",
    ),
    "case_revision_has_deadline": (
        lambda: _case(status="revision"),
        "A request sent back for revision needs its deadline.",
    ),
    "case_document_changes_explained": (
        lambda: CaseDocument(
            case=f.CaseFactory(), title="KTP", file="cases/1/x.pdf", review="changes"
        ),
        "Say what needs to change in the document.",
    ),
}


def _attendance():
    cohort = f.CohortFactory()
    enrollment = f.EnrollmentFactory(
        cohort=cohort, status=Enrollment.Status.ENROLLED, enterprise=f.EnterpriseFactory()
    )
    return Attendance.objects.create(
        enrollment=enrollment, session=f.SessionFactory(cohort=cohort), status="present"
    )


def _snapshot(**kw):
    values = {"moment": "intake", "taken_on": TODAY, "size_class": "micro", "export_status": "none"}
    return EnterpriseSnapshot(**{**values, **kw})


def _snapshot_saved():
    snapshot = _snapshot(enterprise=f.EnterpriseFactory(), program=f.ProgramFactory())
    snapshot.save()
    return snapshot


def _graduation():
    export = f.ExportRecordFactory()
    graduation = Graduation.objects.create(
        enterprise=export.enterprise, export_record=export, graduated_on=TODAY
    )
    graduation.programs.add(f.ProgramFactory())
    return graduation


def _all_constraint_names():
    from django.apps import apps

    names = set()
    for model in apps.get_models():
        if model._meta.app_label in {"accounts", "cohorts", "certifications", "notifications"}:
            names |= {c.name for c in model._meta.constraints}
    return names


def test_every_constraint_has_a_case_here():
    # user_phone_e164 and office_phone_e164 are covered in tests/accounts/test_roles.py,
    # user_email_unique_whatever_case in tests/accounts/test_email_case.py
    assert _all_constraint_names() - set(CASES) == {
        "user_phone_e164",
        "office_phone_e164",
        "user_email_unique_whatever_case",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CASES))
def test_constraint_refuses_with_its_message(name):
    build, message = CASES[name]
    instance = build()
    with pytest.raises(ValidationError) as error:
        instance.validate_constraints()
    # shown in Indonesian by default: the translation of the constraint's own message
    assert gettext(message) in error.value.messages
    assert gettext(message) != message


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CASES))
def test_constraint_holds_in_the_database(name):
    build, _message = CASES[name]
    instance = build()
    model = type(instance)
    before = model._default_manager.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        # bypass the field's own cleaning so the database itself has to refuse
        model._default_manager.bulk_create([instance])
    assert model._default_manager.count() == before


@pytest.mark.django_db
def test_a_case_always_names_its_assisting_office():
    enterprise = f.EnterpriseFactory()
    case = Case(enterprise=enterprise, scheme=f.SchemeFactory())
    with pytest.raises(ValidationError) as error:
        case.full_clean()
    assert "office" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.bulk_create([case])


@pytest.mark.django_db
def test_rejected_withdrawn_and_removed_do_not_block_a_new_enrollment():
    for status in (
        Enrollment.Status.REJECTED,
        Enrollment.Status.WITHDRAWN,
        Enrollment.Status.REMOVED,
    ):
        old = f.EnrollmentFactory(status=status)
        again = f.EnrollmentFactory.build(
            enterprise=old.enterprise, stage=old.stage, program=old.program
        )
        again.validate_constraints()
        again.save()
        assert Enrollment.objects.filter(enterprise=old.enterprise, stage=old.stage).count() == 2


@pytest.mark.django_db
def test_an_enterprise_may_have_no_nib_several_times():
    office = f.TradeOfficeFactory()
    for _ in range(2):
        f.EnterpriseFactory(nib="", registered_by=office)
    assert TradeOffice.objects.get(pk=office.pk).registered_enterprises.filter(nib="").count() == 2


@pytest.mark.django_db
def test_money_fields_hold_more_than_32_bits():
    enterprise = f.EnterpriseFactory(annual_revenue=50_000_000_000)
    enterprise.refresh_from_db()
    assert enterprise.annual_revenue == 50_000_000_000
    assert (
        Program._meta.get_field("fundings")
        .related_model._meta.get_field("amount")
        .get_internal_type()
        == "BigIntegerField"
    )
    assert Stage and Cohort and Session
