"""The Lampung demo: offices, funders, programmes, classes, certification and exports.

Everything is placed around ``today``: stage 1 of the Lampung export forum ended two months
ago, stage 2 is running. Names come from Faker (id_ID) with a fixed seed, so a demo built
on the same day is the same demo. Each part is a small function, so that it can call the
cohort, certification and export services once they exist instead of writing rows itself.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from faker import Faker
from simple_history.utils import bulk_create_with_history

from accounts.models import (
    Enterprise,
    EnterpriseMembership,
    Funder,
    FunderMembership,
    KbliCode,
    OfficeMembership,
    Product,
    Province,
    Regency,
    Sector,
    TradeOffice,
    User,
)
from accounts.services import enterprise_create, enterprise_update
from certifications.models import Case, CaseDocument, CaseEvent, Certificate, Scheme
from cohorts.models import (
    Attendance,
    CoachingVisit,
    Cohort,
    Enrollment,
    EnterpriseSnapshot,
    ExportRecord,
    Funding,
    Graduation,
    Level,
    Program,
    Session,
    Stage,
)
from notifications.models import Reminder
from seeds import catalogue
from seeds.reference import load_reference

DEMO_PASSWORD = "naikkelas-demo"
DEMO_SEED = 1808  # Lampung's Kemendagri code: any fixed number would do.

LAMPUNG_OFFICE = "Dinas Perindustrian dan Perdagangan Provinsi Lampung"
JATENG_OFFICE = "Dinas Perindustrian dan Perdagangan Provinsi Jawa Tengah"
LPEI = "Lembaga Pembiayaan Ekspor Indonesia"
MARKETPLACE = "Pasar Nusantara Digital"
LAMPUNG_PROGRAM = "Forum Ekspor IKM Lampung"
JATENG_PROGRAM = "Kampus Ekspor UMKM Jawa Tengah"
DEMO_OFFICES = (LAMPUNG_OFFICE, JATENG_OFFICE)
DEMO_FUNDERS = (LPEI, MARKETPLACE)

ADMIN_EMAIL = "admin@naikkelas.test"
LAMPUNG_STAFF_EMAIL = "staf@lampung.naikkelas.test"
JATENG_STAFF_EMAIL = "staf@jateng.naikkelas.test"
OWNER_EMAIL = "pemilik@ikm.naikkelas.test"
LPEI_ANALYST_EMAIL = "analis@lpei.naikkelas.test"
MARKETPLACE_ANALYST_EMAIL = "analis@pasar.naikkelas.test"
NATIONAL_VIEWER_EMAIL = "pusat@naikkelas.test"
DEMO_EMAILS = (
    ADMIN_EMAIL,
    LAMPUNG_STAFF_EMAIL,
    JATENG_STAFF_EMAIL,
    OWNER_EMAIL,
    LPEI_ANALYST_EMAIL,
    MARKETPLACE_ANALYST_EMAIL,
    NATIONAL_VIEWER_EMAIL,
)

CLASS_SIZE = 20
LEVEL_NAMES = {Level.PEMULA: "Pemula", Level.MENENGAH: "Menengah", Level.MAHIR: "Mahir"}
USD_RATE = Decimal("16250")
EUR_RATE = Decimal("17600")
RATE_SOURCE = "Bank Indonesia (JISDOR / kurs tengah)"
WIB = ZoneInfo("Asia/Jakarta")

# Models whose rows the demo counts, in the order its summary lists them.
COUNTED_MODELS = (
    User,
    TradeOffice,
    Funder,
    Enterprise,
    Product,
    Program,
    Stage,
    Cohort,
    Enrollment,
    Session,
    Attendance,
    CoachingVisit,
    EnterpriseSnapshot,
    Case,
    CaseEvent,
    Certificate,
    ExportRecord,
    Graduation,
)


@dataclass
class Demo:
    """What the parts of the demo share while it is being built."""

    today: dt.date
    now: dt.datetime
    rng: random.Random
    fake: Faker
    users: dict[str, User] = field(default_factory=dict)
    offices: dict[str, TradeOffice] = field(default_factory=dict)
    funders: dict[str, Funder] = field(default_factory=dict)
    sectors: dict[str, Sector] = field(default_factory=dict)
    schemes: dict[str, Scheme] = field(default_factory=dict)
    nib_counter: int = 0

    def day(self, offset: int) -> dt.date:
        return self.today + dt.timedelta(days=offset)

    def at(self, day: dt.date, hour: int = 9, tz: ZoneInfo = WIB) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=tz)


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise ValueError(day)


# --- existence and removal -------------------------------------------------------------------


def demo_exists() -> bool:
    return Program.objects.filter(office__name=LAMPUNG_OFFICE, name=LAMPUNG_PROGRAM).exists()


def _raw_delete(queryset) -> None:
    # A single DELETE without loading rows: the demo may hold 100,000 synthetic enterprises,
    # and the history signal would otherwise write a "deleted" history row for each of them.
    queryset._raw_delete(queryset.db)


@transaction.atomic
def demo_delete() -> None:
    """Remove the demo offices and funders with everything that hangs from them."""
    offices = TradeOffice.objects.filter(name__in=DEMO_OFFICES)
    funders = Funder.objects.filter(name__in=DEMO_FUNDERS)
    enterprises = Enterprise.objects.filter(registered_by__in=offices)
    programs = Program.objects.filter(office__in=offices)
    enrollments = Enrollment.objects.filter(Q(enterprise__in=enterprises) | Q(program__in=programs))
    sessions = Session.objects.filter(cohort__stage__program__in=programs)
    attendance = Attendance.objects.filter(Q(enrollment__in=enrollments) | Q(session__in=sessions))
    cases = Case.objects.filter(Q(office__in=offices) | Q(enterprise__in=enterprises))
    certificates = Certificate.objects.filter(case__in=cases)
    exports = ExportRecord.objects.filter(Q(enterprise__in=enterprises) | Q(program__in=programs))
    graduations = Graduation.objects.filter(Q(enterprise__in=enterprises) | Q(program__in=programs))

    for model, queryset in (
        (Enrollment, enrollments),
        (Case, cases),
        (ExportRecord, exports),
        (Certificate, certificates),
    ):
        Reminder.objects.filter(
            subject_type=ContentType.objects.get_for_model(model),
            subject_id__in=queryset.values("pk"),
        ).delete()
    for document in CaseDocument.objects.filter(case__in=cases):
        document.file.delete(save=False)

    # History first, while the live rows still say which history belongs to the demo.
    for queryset in (graduations, exports, certificates, cases, attendance, enrollments):
        _raw_delete(queryset.model.history.filter(id__in=queryset.values("pk")))
    _raw_delete(Enterprise.history.filter(id__in=enterprises.values("pk")))

    _raw_delete(graduations)
    _raw_delete(exports)
    _raw_delete(CaseEvent.objects.filter(case__in=cases))
    _raw_delete(CaseDocument.objects.filter(case__in=cases))
    _raw_delete(Case.products.through.objects.filter(case__in=cases))
    Case.objects.filter(renewal_of__in=certificates).update(renewal_of=None)
    _raw_delete(certificates)
    _raw_delete(cases)
    _raw_delete(attendance)
    _raw_delete(CoachingVisit.objects.filter(enrollment__in=enrollments))
    _raw_delete(
        EnterpriseSnapshot.objects.filter(Q(enterprise__in=enterprises) | Q(program__in=programs))
    )
    _raw_delete(enrollments)
    _raw_delete(sessions)
    _raw_delete(Cohort.objects.filter(stage__program__in=programs))
    _raw_delete(Stage.objects.filter(program__in=programs))
    _raw_delete(Funding.objects.filter(Q(program__in=programs) | Q(funder__in=funders)))
    _raw_delete(programs)
    _raw_delete(Product.objects.filter(enterprise__in=enterprises))
    _raw_delete(KbliCode.objects.filter(enterprise__in=enterprises))
    _raw_delete(EnterpriseMembership.objects.filter(enterprise__in=enterprises))
    _raw_delete(enterprises)
    _raw_delete(OfficeMembership.objects.filter(office__in=offices))
    _raw_delete(FunderMembership.objects.filter(funder__in=funders))
    _raw_delete(offices)
    _raw_delete(funders)
    User.objects.filter(email__in=DEMO_EMAILS).delete()


# --- people and organisations ----------------------------------------------------------------


def make_user(email: str, full_name: str, **flags) -> User:
    user, _created = User.objects.update_or_create(
        email=email,
        defaults={"full_name": full_name, "is_active": True, "is_staff": False, **flags},
    )
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    return user


def make_organisations(demo: Demo) -> None:
    lampung = Province.objects.get(code_kemendagri="18")
    jateng = Province.objects.get(code_kemendagri="33")
    demo.offices["lampung"] = TradeOffice.objects.create(
        name=LAMPUNG_OFFICE,
        short_name="Disperindag Lampung",
        kind=TradeOffice.Kind.PROVINCIAL,
        province=lampung,
        regency=Regency.objects.get(code_kemendagri="18.71"),
        address="Jl. Cut Mutia No. 28, Gulak Galik, Teluk Betung Utara, Bandar Lampung",
        email="disperindag@lampung.naikkelas.test",
        phone="+62721481207",
        ikm_population=95_000,
        ikm_population_basis=(
            "IKM in the province registered with the office (SIINas and regency records), "
            "demo figure"
        ),
        exporter_target_percent=Decimal("30"),
    )
    demo.offices["jateng"] = TradeOffice.objects.create(
        name=JATENG_OFFICE,
        short_name="Disperindag Jateng",
        kind=TradeOffice.Kind.PROVINCIAL,
        province=jateng,
        regency=Regency.objects.get(code_kemendagri="33.74"),
        address="Jl. Pahlawan No. 4, Semarang",
        email="disperindag@jateng.naikkelas.test",
        phone="+62248311705",
        ikm_population=150_000,
        ikm_population_basis="IKM registered in the province, demo figure",
        exporter_target_percent=Decimal("10"),
    )
    demo.funders["lpei"] = Funder.objects.create(
        name=LPEI, short_name="LPEI", kind=Funder.Kind.FINANCING_AGENCY
    )
    demo.funders["pasar"] = Funder.objects.create(
        name=MARKETPLACE, short_name="Pasar Nusantara", kind=Funder.Kind.MARKETPLACE
    )


def make_people(demo: Demo) -> None:
    users = demo.users
    users["admin"] = make_user(ADMIN_EMAIL, "Admin NaikKelas", is_staff=True, is_superuser=True)
    users["lampung"] = make_user(LAMPUNG_STAFF_EMAIL, "Rahmat Hidayat", is_staff=True)
    users["jateng"] = make_user(JATENG_STAFF_EMAIL, "Sri Wahyuni", is_staff=True)
    users["lpei"] = make_user(LPEI_ANALYST_EMAIL, "Andi Pratama")
    users["pasar"] = make_user(MARKETPLACE_ANALYST_EMAIL, "Maya Sari")
    users["pusat"] = make_user(
        NATIONAL_VIEWER_EMAIL, "Bambang Sutrisno", is_staff=True, is_national_viewer=True
    )
    OfficeMembership.objects.create(
        user=users["lampung"], office=demo.offices["lampung"], role=OfficeMembership.Role.OFFICER
    )
    OfficeMembership.objects.create(
        user=users["jateng"], office=demo.offices["jateng"], role=OfficeMembership.Role.OFFICER
    )
    FunderMembership.objects.create(user=users["lpei"], funder=demo.funders["lpei"])
    FunderMembership.objects.create(user=users["pasar"], funder=demo.funders["pasar"])


# --- enterprises -----------------------------------------------------------------------------


def next_nib(demo: Demo) -> str:
    demo.nib_counter += 1
    return f"9120{demo.nib_counter:09d}"


def make_enterprise(
    demo: Demo,
    *,
    office: TradeOffice,
    regencies: list[Regency],
    sector_code: str,
    export_status: str = Enterprise.ExportStatus.NONE,
    size: str = "micro",
) -> Enterprise:
    rng, fake = demo.rng, demo.fake
    female = rng.random() < 0.45
    owner = fake.name_female() if female else fake.name_male()
    regency = rng.choice(regencies)
    place = regency.name_id.removeprefix("Kabupaten ").removeprefix("Kota ")
    profile = catalogue.SECTOR_PROFILES[sector_code]
    name = rng.choice(profile.name_patterns).format(place=place, owner=owner.split()[0])
    revenue = {
        "micro": rng.randrange(300, 1_900, 25) * 1_000_000,
        "small": rng.randrange(2_100, 14_000, 100) * 1_000_000,
        "medium": rng.randrange(15_500, 45_000, 500) * 1_000_000,
    }[size]
    enterprise = enterprise_create(
        actor=demo.users["lampung" if office.name == LAMPUNG_OFFICE else "jateng"],
        name=name,
        nib="" if rng.random() < 0.1 else next_nib(demo),
        owner_name=owner,
        owner_gender=Enterprise.Gender.FEMALE if female else Enterprise.Gender.MALE,
        owner_birth_year=rng.randint(1965, 1997),
        women_owned=female,
        women_led=female or rng.random() < 0.1,
        province=office.province,
        regency=regency,
        address=f"{fake.street_address()}, {regency.name_id}",
        sector=demo.sectors[sector_code],
        annual_revenue=revenue,
        employees_women=rng.randint(1, 12),
        employees_men=rng.randint(0, 10),
        export_status=export_status,
        registered_by=office,
    )
    KbliCode.objects.create(enterprise=enterprise, code=profile.kbli)
    for kind in rng.sample(profile.products, k=min(len(profile.products), rng.choice((1, 2, 2)))):
        Product.objects.create(
            enterprise=enterprise,
            name=kind.name,
            hs_code=kind.hs_code,
            unit=kind.unit,
            monthly_capacity=Decimal(rng.randrange(50, 3_000, 50)),
        )
    return enterprise


def make_enterprises(
    demo: Demo, office: TradeOffice, count: int, sectors: tuple[str, ...], **kwargs
) -> list[Enterprise]:
    regencies = list(Regency.objects.filter(province=office.province))
    return [
        make_enterprise(
            demo, office=office, regencies=regencies, sector_code=demo.rng.choice(sectors), **kwargs
        )
        for _ in range(count)
    ]


# --- programmes, stages, classes and sessions ------------------------------------------------


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


def make_cohort(stage: Stage, level: str, *, venue: str, trainers: str, suffix: str = "") -> Cohort:
    return Cohort.objects.create(
        stage=stage,
        level=level,
        name=f"Kelas {LEVEL_NAMES[level]}{suffix} — Tahap {stage.number}",
        capacity=CLASS_SIZE,
        venue=venue,
        trainers=trainers,
    )


def make_sessions(demo: Demo, cohort: Cohort, first_day: int, count: int = 8) -> list[Session]:
    topics = catalogue.SESSION_TOPICS[cohort.level]
    sessions = []
    for number in range(count):
        starts = demo.at(demo.day(first_day + 7 * number))
        sessions.append(
            Session(
                cohort=cohort,
                topic=f"{number + 1}. {topics[number % len(topics)]}",
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=4),
                place=cohort.venue,
                speakers=cohort.trainers,
            )
        )
    return Session.objects.bulk_create(sessions)


# --- enrollments, attendance, coaching -------------------------------------------------------


def enrollment_row(
    demo: Demo, *, enterprise: Enterprise, cohort: Cohort | None, stage: Stage, status: str
) -> Enrollment:
    """One enrollment as the selection and seat services would leave it."""
    rng = demo.rng
    seated = status in (
        Enrollment.Status.ENROLLED,
        Enrollment.Status.COMPLETED,
        Enrollment.Status.NOT_COMPLETED,
    )
    row = Enrollment(
        enterprise=enterprise,
        program=stage.program,
        stage=stage,
        cohort=cohort,
        status=status,
        has_nib=bool(enterprise.nib),
        continuous_production=True,
        sufficient_capacity=rng.random() < 0.85,
        committed=True,
        readiness_score=rng.randint(45, 90),
        suggested_level=cohort.level if cohort else "",
        site_visit_notes="Kunjungan lapangan: produksi berjalan, kemasan perlu diperbaiki.",
        applied_by=demo.users["lampung"],
        enrolled_at=demo.at(stage.start_date) - dt.timedelta(days=7) if seated else None,
    )
    if status == Enrollment.Status.COMPLETED:
        row.assessment_score = rng.randint(72, 96)
        row.output_export_plan = row.output_fob_calculation = True
        row.output_product_catalogue = rng.random() < 0.8
        row.ended_at = demo.at(stage.end_date, 15)
    elif status == Enrollment.Status.NOT_COMPLETED:
        row.assessment_score = rng.randint(40, 65)
        row.ended_at = demo.at(stage.end_date, 15)
    return row


def save_enrollments(demo: Demo, rows: list[Enrollment]) -> list[Enrollment]:
    saved = bulk_create_with_history(rows, Enrollment, default_user=demo.users["lampung"])
    for stage_id in {row.stage_id for row in saved}:
        stage = Stage.objects.get(pk=stage_id)
        Enrollment.objects.filter(stage=stage).update(
            applied_at=demo.at(stage.start_date) - dt.timedelta(days=30)
        )
    return saved


def record_attendance(
    demo: Demo, sessions: list[Session], enrollments: list[Enrollment], recorder: User
) -> None:
    """Attendance for the sessions already held, as the attendance service would record it."""
    held = [s for s in sessions if s.starts_at < demo.now]
    rows = []
    statuses = [Attendance.Status.PRESENT] * 16 + [
        Attendance.Status.ABSENT,
        Attendance.Status.EXCUSED,
        Attendance.Status.SICK,
    ]
    for enrollment in enrollments:
        weak = enrollment.status == Enrollment.Status.NOT_COMPLETED
        for session in held:
            status = (
                demo.rng.choice((Attendance.Status.PRESENT, Attendance.Status.ABSENT))
                if weak
                else demo.rng.choice(statuses)
            )
            rows.append(
                Attendance(
                    enrollment=enrollment,
                    session=session,
                    status=status,
                    attendee_name=enrollment.enterprise.owner_name
                    if status == Attendance.Status.PRESENT
                    else "",
                    recorded_by=recorder,
                )
            )
    bulk_create_with_history(rows, Attendance, default_user=recorder)


def record_coaching(demo: Demo, enrollments: list[Enrollment], first: int, last: int) -> None:
    rows = [
        CoachingVisit(
            enrollment=enrollment,
            coach=demo.rng.choice(catalogue.COACHES),
            visit_date=demo.day(demo.rng.randint(first, last)),
            notes="Meninjau kemasan, kapasitas produksi dan perhitungan harga.",
            next_steps="Perbaiki label bahasa Inggris; siapkan katalog dan daftar harga FOB.",
            recorded_by=demo.users["lampung"],
        )
        for enrollment in enrollments
    ]
    CoachingVisit.objects.bulk_create(rows)


def record_snapshots(
    demo: Demo, program: Program, enrollments: list[Enrollment], moment: str, day: dt.date
) -> None:
    rows = []
    for enrollment in enrollments:
        enterprise = enrollment.enterprise
        growth = 1.0 if moment == EnterpriseSnapshot.Moment.INTAKE else demo.rng.uniform(1.05, 1.3)
        revenue = int(enterprise.annual_revenue * growth)
        rows.append(
            EnterpriseSnapshot(
                enterprise=enterprise,
                program=program,
                moment=moment,
                taken_on=day,
                annual_revenue=revenue,
                employees_women=enterprise.employees_women,
                employees_men=enterprise.employees_men,
                size_class=Enterprise.size_class_for_revenue(revenue),
                export_status=enterprise.export_status,
            )
        )
    EnterpriseSnapshot.objects.bulk_create(rows, ignore_conflicts=True)


# --- certification ---------------------------------------------------------------------------

CASE_PATHS = {
    Case.Status.REQUESTED: [Case.Status.REQUESTED],
    Case.Status.PREPARING: [Case.Status.REQUESTED, Case.Status.PREPARING],
    Case.Status.SUBMITTED: [Case.Status.REQUESTED, Case.Status.PREPARING, Case.Status.SUBMITTED],
    Case.Status.REVISION: [
        Case.Status.REQUESTED,
        Case.Status.PREPARING,
        Case.Status.SUBMITTED,
        Case.Status.REVISION,
    ],
    Case.Status.GRANTED: [
        Case.Status.REQUESTED,
        Case.Status.PREPARING,
        Case.Status.SUBMITTED,
        Case.Status.GRANTED,
    ],
    Case.Status.REJECTED: [
        Case.Status.REQUESTED,
        Case.Status.PREPARING,
        Case.Status.SUBMITTED,
        Case.Status.REJECTED,
    ],
    Case.Status.WITHDRAWN: [Case.Status.REQUESTED, Case.Status.PREPARING, Case.Status.WITHDRAWN],
}
EVENT_NOTES = {
    Case.Status.REQUESTED: "Permohonan fasilitasi diterima.",
    Case.Status.PREPARING: "Dokumen mulai disiapkan bersama pendamping.",
    Case.Status.SUBMITTED: "Berkas diajukan ke lembaga penerbit.",
    Case.Status.REVISION: "Lembaga penerbit meminta perbaikan dokumen.",
    Case.Status.GRANTED: "Sertifikat terbit.",
    Case.Status.REJECTED: "Permohonan ditolak lembaga penerbit.",
    Case.Status.WITHDRAWN: "Dibatalkan atas permintaan IKM.",
}
SCHEME_COSTS = {
    "merek": 1_800_000,
    "desain-industri": 1_250_000,
    "hak-cipta": 400_000,
    "pkp": 0,
    "spp-irt": 500_000,
    "bpom-md": 3_500_000,
    "halal": 650_000,
    "sppt-sni": 25_000_000,
    "iso-9001": 40_000_000,
    "iso-22000": 45_000_000,
    "haccp": 35_000_000,
    "health-certificate": 1_500_000,
    "ska": 0,
    "svlk": 20_000_000,
}


def make_case(
    demo: Demo,
    *,
    enterprise: Enterprise,
    scheme_code: str,
    status: str,
    office: TradeOffice,
    program: Program | None,
    officer: User,
    funder: Funder | None,
    started: int,
) -> Case:
    """A certification case and its timeline, as the case services would have written it."""
    scheme = demo.schemes[scheme_code]
    path = CASE_PATHS[status]
    milestones = list(scheme.milestones.all())
    cost = SCHEME_COSTS[scheme_code]
    subsidy = int(cost * 0.75) if funder and cost else 0
    step_days = 12
    times = [demo.at(demo.day(started + step_days * i), 10) for i in range(len(path))]
    current = None
    if milestones and status != Case.Status.REQUESTED:
        if status == Case.Status.GRANTED:
            current = milestones[-1]
        elif status == Case.Status.PREPARING:
            current = milestones[0]
        else:
            current = milestones[min(len(milestones) - 2, 1)] if len(milestones) > 1 else None
    case = Case(
        enterprise=enterprise,
        scheme=scheme,
        office=office,
        program=program,
        officer=officer,
        status=status,
        current_milestone=current,
        target_date=demo.day(started + 120),
        cost=cost,
        subsidy=subsidy,
        subsidy_funder=funder if subsidy else None,
    )
    case._history_user = officer
    case.save()
    products = list(enterprise.products.all()[:1])
    if products:
        case.products.set(products)
    submitted = times[path.index(Case.Status.SUBMITTED)] if Case.Status.SUBMITTED in path else None
    decided = times[-1] if status in (Case.Status.GRANTED, Case.Status.REJECTED) else None
    Case.objects.filter(pk=case.pk).update(
        requested_at=times[0], submitted_at=submitted, decided_at=decided
    )
    previous = ""
    for to_status, when in zip(path, times, strict=True):
        event = CaseEvent.objects.create(
            case=case,
            actor=officer,
            from_status=previous,
            to_status=to_status,
            note=EVENT_NOTES[to_status],
        )
        CaseEvent.objects.filter(pk=event.pk).update(created_at=when)
        previous = to_status
    if status == Case.Status.GRANTED:
        grant_certificate(demo, case=case, filed=times[path.index(Case.Status.SUBMITTED)].date())
    return case


def grant_certificate(demo: Demo, *, case: Case, filed: dt.date) -> Certificate:
    scheme = case.scheme
    issued = filed + dt.timedelta(days=12)
    expiry = None
    if scheme.validity_from == Scheme.ValidityFrom.FILING:
        expiry = add_months(filed, scheme.validity_months)
    elif scheme.validity_from == Scheme.ValidityFrom.ISSUE:
        expiry = add_months(issued, scheme.validity_months)
    surveillance = (
        add_months(issued, scheme.surveillance_months) if scheme.surveillance_months else None
    )
    certificate = Certificate(
        case=case,
        number=f"{scheme.code.upper()}/{issued:%Y}/{case.pk:05d}",
        filing_date=filed,
        issue_date=issued,
        expiry_date=expiry,
        next_surveillance_date=surveillance,
    )
    certificate._history_user = case.officer
    certificate.save()
    return certificate


def upload_document(case: Case, code: str, uploader: User, accepted: bool) -> CaseDocument:
    requirement = case.scheme.documents.get(code=code)
    document = CaseDocument(
        case=case,
        requirement=requirement,
        title=requirement.name_id,
        uploaded_by=uploader,
        review=CaseDocument.Review.ACCEPTED if accepted else CaseDocument.Review.PENDING,
    )
    document.file.save(
        f"{code}.pdf", ContentFile(b"%PDF-1.4\n% NaikKelas demo document\n"), save=False
    )
    document.save()
    return document


# --- exports ---------------------------------------------------------------------------------


def export_row(
    demo: Demo,
    *,
    enterprise: Enterprise,
    program: Program | None,
    day: dt.date,
    status: str,
    channel: str | None = None,
    usd_value: int | None = None,
    peb_number: str = "",
) -> ExportRecord:
    """An export as reported by the enterprise and decided by the office."""
    rng = demo.rng
    channel = channel or rng.choice(
        (
            ExportRecord.Channel.VIA_EXPORTER,
            ExportRecord.Channel.DIRECT,
            ExportRecord.Channel.COURIER,
            ExportRecord.Channel.MARKETPLACE,
        )
    )
    product = enterprise.products.first()
    euro = rng.random() < 0.2
    value = Decimal(usd_value or rng.randrange(2_000, 40_000, 250))
    rate = EUR_RATE if euro else USD_RATE
    value_idr = int(value * rate)
    row = ExportRecord(
        enterprise=enterprise,
        program=program,
        export_date=day,
        channel=channel,
        destination_country=rng.choice(catalogue.EXPORT_DESTINATIONS),
        buyer_name=demo.fake.company() + " Trading",
        product=product,
        hs_code=product.hs_code if product else "09011190",
        value=value,
        currency="EUR" if euro else "USD",
        exchange_rate=rate,
        exchange_rate_date=day,
        exchange_rate_source=RATE_SOURCE,
        value_idr=value_idr,
        value_usd=(Decimal(value_idr) / USD_RATE).quantize(Decimal("0.01")),
        status=status,
        reported_by=demo.users["lampung"],
    )
    if channel == ExportRecord.Channel.DIRECT:
        row.peb_number = peb_number or f"{rng.randint(100000, 999999):06d}"
        row.peb_date, row.npe_number = day - dt.timedelta(days=2), f"{rng.randint(100000, 999999)}"
    elif channel == ExportRecord.Channel.VIA_EXPORTER:
        row.peb_number = peb_number or f"{rng.randint(100000, 999999):06d}"
        row.peb_date = day - dt.timedelta(days=2)
        row.exporter_name = "PT Lampung Ekspor Bersama"
        row.invoice_or_po_number = f"PO-{day:%Y%m}-{rng.randint(100, 999)}"
    elif channel == ExportRecord.Channel.MARKETPLACE:
        row.platform_name = "Pasar Nusantara Global"
        row.platform_order_report = f"ORD-{day:%Y%m%d}-{rng.randint(1000, 9999)}"
    else:
        row.airway_bill_number = f"AWB{rng.randint(10_000_000, 99_999_999)}"
    if status != ExportRecord.Status.REPORTED:
        row.decided_by = demo.users["lampung"]
        row.decided_at = demo.at(day + dt.timedelta(days=10), 14)
    if status == ExportRecord.Status.REJECTED:
        row.rejection_reason = "Nama eksportir pada PEB tidak sesuai dengan invoice."
    return row


def verify_first_export(demo: Demo, export: ExportRecord) -> Graduation:
    """What the export verification service records for a new exporter."""
    graduation = Graduation(
        enterprise=export.enterprise,
        program=export.program,
        export_record=export,
        graduated_on=export.export_date,
    )
    graduation._history_user = demo.users["lampung"]
    graduation.save()
    new_status = (
        Enterprise.ExportStatus.DIRECT
        if export.channel == ExportRecord.Channel.DIRECT
        else Enterprise.ExportStatus.INDIRECT
    )
    enterprise_update(
        enterprise=export.enterprise, actor=demo.users["lampung"], export_status=new_status
    )
    return graduation


def save_export(demo: Demo, row: ExportRecord) -> ExportRecord:
    row._history_user = demo.users["lampung"]
    row.save()
    return row


# --- the Lampung scenario --------------------------------------------------------------------


def build_lampung(demo: Demo) -> None:
    office, staff, lpei = demo.offices["lampung"], demo.users["lampung"], demo.funders["lpei"]
    program = make_program(
        demo,
        office=office,
        name=LAMPUNG_PROGRAM,
        start=-180,
        end=90,
        description=(
            "Forum ekspor IKM Provinsi Lampung bersama LPEI: tiga kelas per tahap, "
            "pendampingan dan fasilitasi sertifikasi."
        ),
        target_participants=120,
        target_new_exporters=24,
        target_basis="Participants selected in stages 1 and 2 (6 classes of 20)",
    )
    Funding.objects.create(
        program=program, funder=lpei, amount=1_500_000_000, kind=Funding.Kind.GRANT
    )
    stage1 = make_stage(demo, program, 1, -150, -60)
    stage2 = make_stage(demo, program, 2, -14, 75)
    venue = "Balai Diklat Disperindag Lampung, Bandar Lampung"
    trainers = "Tim Narasumber LPEI; Disperindag Lampung"
    s1 = {lvl: make_cohort(stage1, lvl, venue=venue, trainers=trainers) for lvl in Level.values}
    s2 = {lvl: make_cohort(stage2, lvl, venue=venue, trainers=trainers) for lvl in Level.values}

    # Stage 1: sixty enterprises; the advanced and intermediate classes hold those that
    # already exported (twenty in all) before joining.
    new = {
        Level.PEMULA: make_enterprises(demo, office, 20, catalogue.LAMPUNG_SECTORS),
        Level.MENENGAH: make_enterprises(demo, office, 20, catalogue.LAMPUNG_SECTORS),
        Level.MAHIR: make_enterprises(demo, office, 20, catalogue.LAMPUNG_SECTORS, size="small"),
    }
    pre_exporters = new[Level.MAHIR][:12] + new[Level.MENENGAH][:6]
    for index, enterprise in enumerate(pre_exporters):
        status = (
            Enterprise.ExportStatus.DIRECT if index % 5 < 2 else Enterprise.ExportStatus.INDIRECT
        )
        enterprise_update(enterprise=enterprise, actor=staff, export_status=status)
        enterprise.export_status = status
    owner_enterprise = new[Level.PEMULA][0]

    stage1_rows = []
    for level, enterprises in new.items():
        for index, enterprise in enumerate(enterprises):
            status = Enrollment.Status.NOT_COMPLETED if index >= 18 else Enrollment.Status.COMPLETED
            stage1_rows.append(
                enrollment_row(
                    demo, enterprise=enterprise, cohort=s1[level], stage=stage1, status=status
                )
            )
    stage1_enrollments = save_enrollments(demo, stage1_rows)
    for cohort in s1.values():
        sessions = make_sessions(demo, cohort, first_day=-143)
        members = [e for e in stage1_enrollments if e.cohort_id == cohort.pk]
        record_attendance(demo, sessions, members, staff)
        record_coaching(demo, members[::3], -120, -65)
    record_snapshots(
        demo, program, stage1_enrollments, EnterpriseSnapshot.Moment.INTAKE, stage1.start_date
    )
    record_snapshots(
        demo,
        program,
        [e for e in stage1_enrollments if e.status == Enrollment.Status.COMPLETED],
        EnterpriseSnapshot.Moment.COMPLETION,
        stage1.end_date,
    )

    # Stage 2: completers move up a class; newcomers fill the rest.
    completed = {
        level: [
            e.enterprise
            for e in stage1_enrollments
            if e.cohort_id == s1[level].pk and e.status == Enrollment.Status.COMPLETED
        ]
        for level in Level.values
    }
    beginners = make_enterprises(demo, office, 23, catalogue.LAMPUNG_SECTORS)
    direct_intermediate = make_enterprises(demo, office, 2, catalogue.LAMPUNG_SECTORS)
    direct_advanced = make_enterprises(
        demo,
        office,
        2,
        catalogue.LAMPUNG_SECTORS,
        size="small",
        export_status=Enterprise.ExportStatus.INDIRECT,
    )
    applicants = make_enterprises(demo, office, 9, catalogue.LAMPUNG_SECTORS)

    E = Enrollment.Status
    stage2_rows = [
        enrollment_row(demo, enterprise=e, cohort=s2[Level.PEMULA], stage=stage2, status=E.ENROLLED)
        for e in beginners[:20]
    ]
    for position, enterprise in enumerate(beginners[20:], start=1):
        row = enrollment_row(
            demo, enterprise=enterprise, cohort=s2[Level.PEMULA], stage=stage2, status=E.WAITLISTED
        )
        row.waitlist_position = position
        stage2_rows.append(row)
    intermediate = [e for e in completed[Level.PEMULA] if e.pk != owner_enterprise.pk]
    for enterprise in intermediate + direct_intermediate:
        stage2_rows.append(
            enrollment_row(
                demo,
                enterprise=enterprise,
                cohort=s2[Level.MENENGAH],
                stage=stage2,
                status=E.ENROLLED,
            )
        )
    owner_offer = enrollment_row(
        demo, enterprise=owner_enterprise, cohort=s2[Level.MENENGAH], stage=stage2, status=E.OFFERED
    )
    owner_offer.offer_expires_at = demo.now + dt.timedelta(hours=30)
    stage2_rows.append(owner_offer)
    for enterprise in completed[Level.MENENGAH] + direct_advanced[:1]:
        stage2_rows.append(
            enrollment_row(
                demo, enterprise=enterprise, cohort=s2[Level.MAHIR], stage=stage2, status=E.ENROLLED
            )
        )
    advanced_offer = enrollment_row(
        demo, enterprise=direct_advanced[1], cohort=s2[Level.MAHIR], stage=stage2, status=E.OFFERED
    )
    advanced_offer.offer_expires_at = demo.now + dt.timedelta(hours=40)
    stage2_rows.append(advanced_offer)
    for index, enterprise in enumerate(applicants):
        status = (E.APPLIED, E.SELECTED, E.REJECTED)[index % 3]
        row = enrollment_row(demo, enterprise=enterprise, cohort=None, stage=stage2, status=status)
        if status == E.REJECTED:
            row.decision_reason = (
                "Produksi belum berkelanjutan; dianjurkan mendaftar tahap berikut."
            )
        stage2_rows.append(row)
    stage2_enrollments = save_enrollments(demo, stage2_rows)
    for level, cohort in s2.items():
        # The beginners started a week earlier; the other classes have met once.
        sessions = make_sessions(demo, cohort, first_day=-12 if level == Level.PEMULA else -5)
        members = [
            e for e in stage2_enrollments if e.cohort_id == cohort.pk and e.status == E.ENROLLED
        ]
        record_attendance(demo, sessions, members, staff)
        record_coaching(demo, members[::5], -10, -1)
    record_snapshots(
        demo,
        program,
        [e for e in stage2_enrollments if e.status in (E.ENROLLED, E.OFFERED)],
        EnterpriseSnapshot.Moment.INTAKE,
        stage2.start_date,
    )

    build_owner(demo, owner_enterprise, program)
    build_lampung_cases(demo, program, new, stage2_enrollments)
    build_lampung_exports(demo, program, stage1, new, pre_exporters)


def build_owner(demo: Demo, enterprise: Enterprise, program: Program) -> None:
    """The owner persona: completed the beginner class, holds a seat offer, cases waiting."""
    owner = make_user(OWNER_EMAIL, enterprise.owner_name, phone="+6281234567801")
    demo.users["owner"] = owner
    EnterpriseMembership.objects.create(
        user=owner, enterprise=enterprise, role=EnterpriseMembership.Role.OWNER
    )
    enterprise.data_sharing_consent_at = demo.at(demo.day(-150))
    enterprise.data_sharing_consent_by = owner
    Enterprise.objects.filter(pk=enterprise.pk).update(
        data_sharing_consent_at=enterprise.data_sharing_consent_at, data_sharing_consent_by=owner
    )
    common = {
        "enterprise": enterprise,
        "office": demo.offices["lampung"],
        "program": program,
        "officer": demo.users["lampung"],
        "funder": demo.funders["lpei"],
    }
    make_case(demo, scheme_code="merek", status=Case.Status.GRANTED, started=-200, **common)
    make_case(demo, scheme_code="halal", status=Case.Status.PREPARING, started=-20, **common)
    sni = make_case(
        demo, scheme_code="sppt-sni", status=Case.Status.PREPARING, started=-15, **common
    )
    upload_document(sni, "sertifikat-merek", owner, accepted=True)


def build_lampung_cases(
    demo: Demo,
    program: Program,
    stage1: dict[str, list[Enterprise]],
    stage2_enrollments: list[Enrollment],
) -> None:
    S = Case.Status
    pool = stage1[Level.MAHIR] + stage1[Level.MENENGAH] + stage1[Level.PEMULA][1:]
    # Bundles keep prerequisites true: SPP-IRT after PKP, SPPT SNI after a registered mark.
    bundles = [
        [("pkp", S.GRANTED, -140), ("spp-irt", S.SUBMITTED, -40)],
        [("pkp", S.GRANTED, -130), ("spp-irt", S.REVISION, -50)],
        [("pkp", S.GRANTED, -160), ("spp-irt", S.GRANTED, -120)],
        [("merek", S.GRANTED, -260), ("sppt-sni", S.REVISION, -70)],
        [("halal", S.GRANTED, -110)],
        [("halal", S.SUBMITTED, -30)],
        [("halal", S.REQUESTED, -4)],
        [("bpom-md", S.PREPARING, -25)],
        [("bpom-md", S.REJECTED, -120)],
        [("merek", S.SUBMITTED, -60)],
        [("merek", S.WITHDRAWN, -90)],
        [("haccp", S.PREPARING, -35)],
        [("iso-22000", S.SUBMITTED, -80)],
        [("iso-9001", S.GRANTED, -170)],
        [("desain-industri", S.REQUESTED, -6)],
        [("hak-cipta", S.GRANTED, -75)],
        [("health-certificate", S.GRANTED, -45)],
        [("ska", S.GRANTED, -30)],
    ]
    for enterprise, bundle in zip(pool, bundles, strict=False):
        for scheme_code, status, started in bundle:
            make_case(
                demo,
                enterprise=enterprise,
                scheme_code=scheme_code,
                status=status,
                office=demo.offices["lampung"],
                program=program,
                officer=demo.users["lampung"],
                funder=demo.funders["lpei"],
                started=started,
            )


def build_lampung_exports(
    demo: Demo,
    program: Program,
    stage1: Stage,
    classes: dict[str, list[Enterprise]],
    pre_exporters: list[Enterprise],
) -> None:
    V, R = ExportRecord.Status.VERIFIED, ExportRecord.Status.REPORTED
    # Enterprises that already exported keep exporting; some reach a new destination.
    for index, enterprise in enumerate(pre_exporters[:8]):
        row = export_row(
            demo, enterprise=enterprise, program=program, day=demo.day(-100 + 9 * index), status=V
        )
        row.is_new_destination = index % 2 == 0
        save_export(demo, row)
    # New exporters: a first verified export after joining, recorded as a graduation.
    newcomers = classes[Level.MAHIR][12:17] + classes[Level.MENENGAH][6:7]
    for index, enterprise in enumerate(newcomers):
        export = save_export(
            demo,
            export_row(
                demo,
                enterprise=enterprise,
                program=program,
                day=demo.day(-75 + 8 * index),
                status=V,
            ),
        )
        verify_first_export(demo, export)
    # Waiting for verification, one rejected, and a PEB shared by two enterprises.
    save_export(
        demo,
        export_row(
            demo, enterprise=classes[Level.MENENGAH][7], program=program, day=demo.day(-6), status=R
        ),
    )
    save_export(
        demo,
        export_row(
            demo,
            enterprise=classes[Level.MENENGAH][8],
            program=program,
            day=demo.day(-20),
            status=ExportRecord.Status.REJECTED,
        ),
    )
    shared_peb = "331807"
    first = export_row(
        demo,
        enterprise=classes[Level.MAHIR][17],
        program=program,
        day=demo.day(-9),
        status=R,
        channel=ExportRecord.Channel.VIA_EXPORTER,
        peb_number=shared_peb,
    )
    second = export_row(
        demo,
        enterprise=classes[Level.MAHIR][18],
        program=program,
        day=demo.day(-9),
        status=R,
        channel=ExportRecord.Channel.VIA_EXPORTER,
        peb_number=shared_peb,
    )
    second.peb_flagged = True
    save_export(demo, first)
    save_export(demo, second)


# --- Central Java ----------------------------------------------------------------------------


def build_jateng(demo: Demo) -> None:
    office, staff = demo.offices["jateng"], demo.users["jateng"]
    program = make_program(
        demo,
        office=office,
        name=JATENG_PROGRAM,
        start=-45,
        end=120,
        description="Kelas ekspor daring dan luring bersama mitra marketplace.",
        target_participants=40,
        target_new_exporters=8,
        target_basis="Participants of stage 1 (2 classes of 20)",
    )
    Funding.objects.create(
        program=program,
        funder=demo.funders["pasar"],
        amount=750_000_000,
        kind=Funding.Kind.SPONSORSHIP,
    )
    stage = make_stage(demo, program, 1, -30, 90)
    venue, trainers = "Gedung PPIKM Jawa Tengah, Semarang", "Tim Kampus Ekspor Pasar Nusantara"
    beginner = make_cohort(stage, Level.PEMULA, venue=venue, trainers=trainers)
    intermediate = make_cohort(stage, Level.MENENGAH, venue=venue, trainers=trainers)
    rows = [
        enrollment_row(
            demo, enterprise=e, cohort=beginner, stage=stage, status=Enrollment.Status.ENROLLED
        )
        for e in make_enterprises(demo, office, 20, catalogue.JATENG_SECTORS)
    ]
    rows += [
        enrollment_row(
            demo, enterprise=e, cohort=intermediate, stage=stage, status=Enrollment.Status.ENROLLED
        )
        for e in make_enterprises(demo, office, 18, catalogue.JATENG_SECTORS, size="small")
    ]
    for row in rows:
        row.applied_by = staff
    enrollments = save_enrollments(demo, rows)
    for cohort in (beginner, intermediate):
        sessions = make_sessions(demo, cohort, first_day=-26)
        members = [e for e in enrollments if e.cohort_id == cohort.pk]
        record_attendance(demo, sessions, members, staff)
    record_snapshots(demo, program, enrollments, EnterpriseSnapshot.Moment.INTAKE, stage.start_date)
    S = Case.Status
    for enrollment, (scheme_code, status, started) in zip(
        enrollments[::4],
        [
            ("svlk", S.SUBMITTED, -40),
            ("merek", S.GRANTED, -150),
            ("halal", S.PREPARING, -12),
            ("desain-industri", S.SUBMITTED, -50),
            ("iso-9001", S.PREPARING, -20),
        ],
        strict=False,
    ):
        make_case(
            demo,
            enterprise=enrollment.enterprise,
            scheme_code=scheme_code,
            status=status,
            office=office,
            program=program,
            officer=staff,
            funder=demo.funders["pasar"],
            started=started,
        )


# --- entry point -----------------------------------------------------------------------------


def model_counts() -> dict[str, int]:
    return {model._meta.model_name: model.objects.count() for model in COUNTED_MODELS}


@dataclass
class DemoResult:
    built: bool
    today: dt.date
    counts: dict[str, int]


def new_demo(today: dt.date) -> Demo:
    fake = Faker("id_ID")
    fake.seed_instance(DEMO_SEED)
    now = timezone.now()
    if timezone.localdate(now) != today:
        now = dt.datetime.combine(today, dt.time(12), tzinfo=WIB)
    return Demo(today=today, now=now, rng=random.Random(DEMO_SEED), fake=fake)


@transaction.atomic
def build_demo(*, today: dt.date | None = None, reset: bool = False) -> DemoResult:
    """Build the demo around ``today`` unless it is already there; ``reset`` rebuilds it."""
    today = today or timezone.localdate()
    if reset:
        demo_delete()
    elif demo_exists():
        return DemoResult(built=False, today=today, counts=model_counts())
    if not Province.objects.filter(code_kemendagri="18").exists() or not Scheme.objects.exists():
        load_reference()
    demo = new_demo(today)
    demo.sectors = {s.code: s for s in Sector.objects.all()}
    demo.schemes = {s.code: s for s in Scheme.objects.all()}
    make_organisations(demo)
    make_people(demo)
    build_lampung(demo)
    build_jateng(demo)
    return DemoResult(built=True, today=today, counts=model_counts())
