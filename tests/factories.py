"""factory-boy factories for every model, in one place."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import (
    Enterprise,
    EnterpriseMembership,
    Funder,
    FunderMembership,
    OfficeMembership,
    Product,
    Province,
    Regency,
    Sector,
    TradeOffice,
    User,
)
from certifications.models import Case, Scheme, SchemeDocument, SchemeMilestone
from cohorts.models import (
    Cohort,
    Enrollment,
    ExportRecord,
    Funding,
    Level,
    Program,
    Session,
    Stage,
)

PASSWORD = "naikkelas-test-pass"


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ("code_kemendagri",)

    code_kemendagri = factory.Sequence(lambda n: f"{(n % 80) + 10:02d}")
    code_bps = factory.SelfAttribute("code_kemendagri")
    name_id = factory.Sequence(lambda n: f"Provinsi {n}")
    name_en = factory.Sequence(lambda n: f"Province {n}")


class RegencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Regency

    province = factory.SubFactory(ProvinceFactory)
    kind = Regency.Kind.REGENCY
    code_bps = factory.Sequence(lambda n: f"{n % 10000:04d}")
    code_kemendagri = factory.Sequence(lambda n: f"{n // 100 % 100:02d}.{n % 100:02d}")
    name_id = factory.Sequence(lambda n: f"Kabupaten {n}")
    name_en = factory.Sequence(lambda n: f"Regency {n}")


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"sector-{n}")
    name_id = factory.Sequence(lambda n: f"Sektor {n}")
    name_en = factory.Sequence(lambda n: f"Sector {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name", locale="id_ID")
    password = factory.django.Password(PASSWORD)


class TradeOfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TradeOffice

    name = factory.Sequence(lambda n: f"Dinas Perindustrian dan Perdagangan {n}")
    kind = TradeOffice.Kind.PROVINCIAL
    province = factory.SubFactory(ProvinceFactory)
    ikm_population = 1000
    exporter_target_percent = Decimal("10")


class FunderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funder

    name = factory.Sequence(lambda n: f"Funder {n}")
    short_name = factory.Sequence(lambda n: f"F{n}")
    kind = Funder.Kind.FINANCING_AGENCY


def staff_of(office: TradeOffice, role=OfficeMembership.Role.OFFICER, **kwargs) -> User:
    user = UserFactory(is_staff=True, **kwargs)
    OfficeMembership.objects.create(user=user, office=office, role=role)
    return user


def analyst_of(funder: Funder, **kwargs) -> User:
    user = UserFactory(**kwargs)
    FunderMembership.objects.create(user=user, funder=funder)
    return user


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"IKM Contoh {n}")
    nib = factory.Sequence(lambda n: f"{9100000000000 + n:013d}")
    owner_name = factory.Faker("name", locale="id_ID")
    registered_by = factory.SubFactory(TradeOfficeFactory)
    province = factory.SelfAttribute("registered_by.province")
    annual_revenue = 500_000_000
    employees_women = 3
    employees_men = 2


def owner_of(enterprise: Enterprise, **kwargs) -> User:
    user = UserFactory(**kwargs)
    EnterpriseMembership.objects.create(
        user=user, enterprise=enterprise, role=EnterpriseMembership.Role.OWNER
    )
    return user


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    enterprise = factory.SubFactory(EnterpriseFactory)
    name = factory.Sequence(lambda n: f"Kopi robusta {n}")
    hs_code = "09011110"
    monthly_capacity = Decimal("500")
    unit = "kg"


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    office = factory.SubFactory(TradeOfficeFactory)
    name = factory.Sequence(lambda n: f"Forum Ekspor {n}")
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=90))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=270))


class FundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funding

    program = factory.SubFactory(ProgramFactory)
    funder = factory.SubFactory(FunderFactory)
    amount = 250_000_000


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    program = factory.SubFactory(ProgramFactory)
    number = factory.Sequence(lambda n: n + 1)
    start_date = factory.SelfAttribute("program.start_date")
    end_date = factory.SelfAttribute("program.end_date")


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    stage = factory.SubFactory(StageFactory)
    level = Level.PEMULA
    name = factory.Sequence(lambda n: f"Kelas {n}")
    capacity = 20
    venue = "Bandar Lampung"


class EnrollmentFactory(factory.django.DjangoModelFactory):
    """An enrollment; with ``cohort`` given, its stage and programme follow from it."""

    class Meta:
        model = Enrollment

    enterprise = factory.SubFactory(EnterpriseFactory)
    cohort = None
    stage = factory.LazyAttribute(
        lambda o: o.cohort.stage if o.cohort is not None else StageFactory()
    )
    program = factory.SelfAttribute("stage.program")
    status = Enrollment.Status.APPLIED


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    cohort = factory.SubFactory(CohortFactory)
    topic = factory.Sequence(lambda n: f"Pertemuan {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=3))


class SchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scheme
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"scheme-{n}")
    family = Scheme.Family.OTHER
    name_id = factory.Sequence(lambda n: f"Skema {n}")
    name_en = factory.Sequence(lambda n: f"Scheme {n}")
    issuing_body = "BSN"
    validity_months = 48


class SchemeMilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchemeMilestone

    scheme = factory.SubFactory(SchemeFactory)
    order = factory.Sequence(lambda n: n + 1)
    name_id = factory.Sequence(lambda n: f"Tahapan {n}")
    name_en = factory.Sequence(lambda n: f"Milestone {n}")


class SchemeDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchemeDocument

    scheme = factory.SubFactory(SchemeFactory)
    code = factory.Sequence(lambda n: f"doc-{n}")
    name_id = factory.Sequence(lambda n: f"Dokumen {n}")
    name_en = factory.Sequence(lambda n: f"Document {n}")


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    enterprise = factory.SubFactory(EnterpriseFactory)
    scheme = factory.SubFactory(SchemeFactory)
    office = factory.SelfAttribute("enterprise.registered_by")


class ExportRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExportRecord

    enterprise = factory.SubFactory(EnterpriseFactory)
    export_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    channel = ExportRecord.Channel.COURIER
    airway_bill_number = factory.Sequence(lambda n: f"AWB{n:08d}")
    destination_country = "SG"
    hs_code = "09011110"
    value = Decimal("1000.00")
    currency = "USD"
    exchange_rate = Decimal("15800")
    exchange_rate_date = factory.SelfAttribute("export_date")
    exchange_rate_source = "Bank Indonesia JISDOR"
    value_idr = 15_800_000
    value_usd = Decimal("1000.00")
