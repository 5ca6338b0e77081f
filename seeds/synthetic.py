"""Synthetic enterprises in bulk, for load tests and benchmarks (``seed_demo --enterprises N``).

Proportions per enterprise: 1.5 products; 40% take part in a class (a tenth of those in two
stages); 10% have a certification case; 3% a verified first export with its graduation.
Every class has 8 sessions already held, with attendance. Rows go in with bulk inserts in
batches; the history-tracked models get their history rows through simple_history's
``bulk_create_with_history``, so the audit trail is complete.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from faker import Faker
from simple_history.utils import bulk_create_with_history
from tqdm import tqdm

from accounts.models import Enterprise, Product, Regency, Sector, TradeOffice, User
from accounts.services import enterprise_bulk_create
from certifications.models import Case, CaseEvent, Scheme
from cohorts.models import (
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
from seeds import catalogue
from seeds.demo import (
    CASE_PATHS,
    CLASS_SIZE,
    DEMO_SEED,
    LAMPUNG_OFFICE,
    LAMPUNG_STAFF_EMAIL,
    LEVEL_NAMES,
    RATE_SOURCE,
    USD_RATE,
    WIB,
)

SYNTHETIC_PROGRAM_PREFIX = "Program data sintetis"
SYNTHETIC_NIB_PREFIX = "8"
BATCH_SIZE = 2_000
SESSIONS_PER_CLASS = 8
CASE_SCHEMES = (
    "halal-self-declare",
    "merek",
    "pkp",
    "bpom-md",
    "haccp",
    "iso-9001",
    "desain-industri",
)
CASE_STATUSES = tuple(CASE_PATHS)
ATTENDANCE_STATUSES = [Attendance.Status.PRESENT] * 8 + [
    Attendance.Status.ABSENT,
    Attendance.Status.EXCUSED,
]


def enrolls(index: int) -> bool:
    return index % 5 in (0, 1)  # 40%


def enrolls_twice(index: int) -> bool:
    return index % 20 == 0  # a tenth of those enrolled also join stage 2


def has_case(index: int) -> bool:
    return index % 10 == 3  # 10%


def exports(index: int) -> bool:
    return index % 100 in (0, 1, 5)  # 3%, all among the enrolled


@dataclass
class ClassFiller:
    """Hands out seats class by class, opening a new class of 20 (with its sessions) when full."""

    stage: Stage
    level: str
    first_session: dt.date
    cohort: Cohort | None = None
    seated: int = 0
    opened: int = 0
    sessions: dict[int, list[Session]] = field(default_factory=dict)

    def seat(self) -> Cohort:
        if self.cohort is None or self.seated >= CLASS_SIZE:
            self.opened += 1
            self.cohort = Cohort.objects.create(
                stage=self.stage,
                level=self.level,
                name=f"Kelas {LEVEL_NAMES[self.level]} {self.opened} — Tahap {self.stage.number}",
                capacity=CLASS_SIZE,
                venue="Balai Diklat Disperindag Lampung",
            )
            rows = []
            for number in range(SESSIONS_PER_CLASS):
                starts = dt.datetime.combine(
                    self.first_session + dt.timedelta(days=7 * number), dt.time(9), tzinfo=WIB
                )
                rows.append(
                    Session(
                        cohort=self.cohort,
                        topic=f"Pertemuan {number + 1}",
                        starts_at=starts,
                        ends_at=starts + dt.timedelta(hours=3),
                    )
                )
            self.sessions[self.cohort.pk] = Session.objects.bulk_create(rows)
            self.seated = 0
        self.seated += 1
        return self.cohort


@dataclass
class Synthetic:
    today: dt.date
    rng: random.Random
    fake: Faker
    office: TradeOffice
    actor: User | None
    program: Program
    stages: list[Stage]
    fillers: dict[tuple[int, str], ClassFiller]
    regencies: list[Regency]
    sectors: dict[str, Sector]
    schemes: dict[str, Scheme]
    next_nib: int
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int) -> None:
        self.counts[key] = self.counts.get(key, 0) + n


def start(today: dt.date) -> Synthetic:
    office = TradeOffice.objects.get(name=LAMPUNG_OFFICE)
    actor = User.objects.filter(email=LAMPUNG_STAFF_EMAIL).first()
    number = Program.objects.filter(name__startswith=SYNTHETIC_PROGRAM_PREFIX).count() + 1
    program = Program.objects.create(
        office=office,
        name=f"{SYNTHETIC_PROGRAM_PREFIX} {number}",
        description="Synthetic data for load tests; not a real programme.",
        start_date=today - dt.timedelta(days=200),
        end_date=today + dt.timedelta(days=30),
    )
    stages = [
        Stage.objects.create(
            program=program,
            number=1,
            start_date=today - dt.timedelta(days=200),
            end_date=today - dt.timedelta(days=110),
        ),
        Stage.objects.create(
            program=program,
            number=2,
            start_date=today - dt.timedelta(days=60),
            end_date=today + dt.timedelta(days=30),
        ),
    ]
    fillers = {
        (stage.number, level): ClassFiller(
            stage=stage, level=level, first_session=stage.start_date + dt.timedelta(days=2)
        )
        for stage in stages
        for level in Level.values
    }
    last_nib = Enterprise.objects.filter(nib__startswith=SYNTHETIC_NIB_PREFIX).aggregate(
        last=Max("nib")
    )["last"]
    fake = Faker("id_ID")
    fake.seed_instance(DEMO_SEED + number)
    return Synthetic(
        today=today,
        rng=random.Random(DEMO_SEED + number),
        fake=fake,
        office=office,
        actor=actor,
        program=program,
        stages=stages,
        fillers=fillers,
        regencies=list(Regency.objects.filter(province=office.province)),
        sectors={s.code: s for s in Sector.objects.all()},
        schemes={s.code: s for s in Scheme.objects.filter(code__in=CASE_SCHEMES)},
        next_nib=int(last_nib) + 1 if last_nib else int(SYNTHETIC_NIB_PREFIX + "0" * 12),
    )


def enterprise_rows(syn: Synthetic, indexes: range) -> list[Enterprise]:
    rng, fake = syn.rng, syn.fake
    rows = []
    for _index in indexes:
        sector_code = rng.choice(catalogue.LAMPUNG_SECTORS)
        profile = catalogue.SECTOR_PROFILES[sector_code]
        female = rng.random() < 0.45
        first = fake.first_name_female() if female else fake.first_name_male()
        owner = f"{first} {fake.last_name()}"
        regency = rng.choice(syn.regencies)
        revenue = rng.randrange(200, 4_000, 10) * 1_000_000
        rows.append(
            Enterprise(
                name=rng.choice(profile.name_patterns).format(
                    place=regency.name_id.split(" ", 1)[1], owner=first
                ),
                nib=f"{syn.next_nib:013d}",
                owner_name=owner,
                owner_gender=Enterprise.Gender.FEMALE if female else Enterprise.Gender.MALE,
                owner_birth_year=rng.randint(1965, 1999),
                women_owned=female,
                women_led=female,
                province=syn.office.province,
                regency=regency,
                sector=syn.sectors[sector_code],
                annual_revenue=revenue,
                size_class=Enterprise.size_class_for_revenue(revenue),
                size_class_basis="Synthetic revenue (PP 7/2021, art. 35)",
                employees_women=rng.randint(0, 8),
                employees_men=rng.randint(0, 8),
                registered_by=syn.office,
            )
        )
        syn.next_nib += 1
    return rows


def product_rows(syn: Synthetic, enterprises: list[Enterprise], base: int) -> list[Product]:
    rows = []
    for offset, enterprise in enumerate(enterprises):
        kinds = catalogue.SECTOR_PROFILES[enterprise.sector.code].products
        for n in range(1 if (base + offset) % 2 == 0 else 2):  # 1.5 on average
            kind = kinds[n % len(kinds)]
            rows.append(
                Product(
                    enterprise=enterprise,
                    name=kind.name,
                    hs_code=kind.hs_code,
                    unit=kind.unit,
                    monthly_capacity=Decimal(syn.rng.randrange(50, 2_000, 50)),
                )
            )
    return rows


def enrollment_rows(syn: Synthetic, enterprises: list[Enterprise], base: int) -> list[Enrollment]:
    rows = []
    for offset, enterprise in enumerate(enterprises):
        index = base + offset
        if not enrolls(index):
            continue
        plans = [(1, Level.values[index % 3])]
        if enrolls_twice(index):
            plans.append((2, Level.values[min(index % 3 + 1, 2)]))
        for stage_number, level in plans:
            stage = syn.stages[stage_number - 1]
            cohort = syn.fillers[(stage_number, level)].seat()
            if stage_number == 1:
                status = (
                    Enrollment.Status.COMPLETED
                    if syn.rng.random() < 0.85
                    else Enrollment.Status.NOT_COMPLETED
                )
            else:
                status = Enrollment.Status.ENROLLED
            rows.append(
                Enrollment(
                    enterprise=enterprise,
                    program=syn.program,
                    stage=stage,
                    cohort=cohort,
                    status=status,
                    has_nib=True,
                    continuous_production=True,
                    sufficient_capacity=True,
                    committed=True,
                    readiness_score=syn.rng.randint(40, 95),
                    suggested_level=level,
                    assessment_score=syn.rng.randint(55, 95) if stage_number == 1 else None,
                )
            )
    return rows


def attendance_rows(syn: Synthetic, enrollments: list[Enrollment]) -> list[Attendance]:
    rows = []
    for enrollment in enrollments:
        filler = syn.fillers[(enrollment.stage.number, enrollment.cohort.level)]
        for session in filler.sessions[enrollment.cohort_id]:
            rows.append(
                Attendance(
                    enrollment=enrollment,
                    session=session,
                    status=syn.rng.choice(ATTENDANCE_STATUSES),
                    recorded_by=syn.actor,
                )
            )
    return rows


def case_rows(syn: Synthetic, enterprises: list[Enterprise], base: int) -> list[Case]:
    rows = []
    for offset, enterprise in enumerate(enterprises):
        if has_case(base + offset):
            status = syn.rng.choice(CASE_STATUSES)
            rows.append(
                Case(
                    enterprise=enterprise,
                    scheme=syn.schemes[syn.rng.choice(CASE_SCHEMES)],
                    office=syn.office,
                    program=syn.program,
                    officer=syn.actor,
                    status=status,
                    # A request sent back always carries the issuer's deadline.
                    revision_deadline=(
                        timezone.localdate() + dt.timedelta(days=14)
                        if status == Case.Status.REVISION
                        else None
                    ),
                )
            )
    return rows


def case_event_rows(syn: Synthetic, cases: list[Case]) -> list[CaseEvent]:
    rows = []
    for case in cases:
        previous = ""
        for status in CASE_PATHS[case.status]:
            rows.append(
                CaseEvent(case=case, actor=syn.actor, from_status=previous, to_status=status)
            )
            previous = status
    return rows


def export_rows(syn: Synthetic, enterprises: list[Enterprise], base: int) -> list[ExportRecord]:
    rows = []
    for offset, enterprise in enumerate(enterprises):
        if not exports(base + offset):
            continue
        day = syn.today - dt.timedelta(days=syn.rng.randint(10, 100))
        value = Decimal(syn.rng.randrange(1_000, 30_000, 100))
        hs_code = catalogue.SECTOR_PROFILES[enterprise.sector.code].products[0].hs_code
        rows.append(
            ExportRecord(
                enterprise=enterprise,
                program=syn.program,
                export_date=day,
                channel=ExportRecord.Channel.COURIER,
                airway_bill_number=f"AWB{syn.rng.randint(10_000_000, 99_999_999)}",
                destination_country=syn.rng.choice(catalogue.EXPORT_DESTINATIONS),
                hs_code=hs_code,
                value=value,
                currency="USD",
                exchange_rate=USD_RATE,
                exchange_rate_date=day,
                exchange_rate_source=RATE_SOURCE,
                value_idr=int(value * USD_RATE),
                value_usd=value,
                status=ExportRecord.Status.VERIFIED,
                decided_by=syn.actor,
                decided_at=dt.datetime.combine(day, dt.time(14), tzinfo=WIB),
            )
        )
    return rows


def with_history(rows: list, model, actor: User | None) -> list:
    """Insert rows in batches with one history row each (nothing to do for an empty batch)."""
    if not rows:
        return []
    return bulk_create_with_history(rows, model, batch_size=BATCH_SIZE, default_user=actor)


def add_batch(syn: Synthetic, indexes: range) -> None:
    base, actor = indexes.start, syn.actor
    with transaction.atomic():
        enterprises = enterprise_bulk_create(
            enterprises=enterprise_rows(syn, indexes), actor=actor, batch_size=BATCH_SIZE
        )
        products = Product.objects.bulk_create(product_rows(syn, enterprises, base), BATCH_SIZE)
        enrollments = with_history(enrollment_rows(syn, enterprises, base), Enrollment, actor)
        attendance = with_history(attendance_rows(syn, enrollments), Attendance, actor)
        cases = with_history(case_rows(syn, enterprises, base), Case, actor)
        events = CaseEvent.objects.bulk_create(case_event_rows(syn, cases), BATCH_SIZE)
        records = with_history(export_rows(syn, enterprises, base), ExportRecord, actor)
        graduations = with_history(
            [
                Graduation(
                    enterprise=record.enterprise,
                    export_record=record,
                    graduated_on=record.export_date,
                )
                for record in records
            ],
            Graduation,
            actor,
        )
        Graduation.programs.through.objects.bulk_create(
            [
                Graduation.programs.through(graduation=graduation, program=syn.program)
                for graduation in graduations
            ],
            BATCH_SIZE,
        )
    syn.add("enterprises", len(enterprises))
    syn.add("products", len(products))
    syn.add("enrollments", len(enrollments))
    syn.add("attendance", len(attendance))
    syn.add("cases", len(cases))
    syn.add("case events", len(events))
    syn.add("exports", len(records))
    syn.add("graduations", len(graduations))


def add_synthetic_enterprises(
    *, count: int, today: dt.date, batch_size: int = BATCH_SIZE, progress: bool | None = None
) -> dict[str, int]:
    """Add ``count`` synthetic enterprises to the Lampung office; the demo must exist."""
    with transaction.atomic():
        syn = start(today)
    with tqdm(
        total=count, unit="IKM", file=sys.stderr, disable=None if progress is None else not progress
    ) as bar:
        for first in range(0, count, batch_size):
            indexes = range(first, min(first + batch_size, count))
            add_batch(syn, indexes)
            bar.update(len(indexes))
    syn.add("classes", sum(f.opened for f in syn.fillers.values()))
    syn.add("sessions", syn.counts["classes"] * SESSIONS_PER_CLASS)
    return syn.counts
