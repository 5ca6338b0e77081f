"""The story: Lampung's export forum in two stages, and Central Java's export campus.

Everything is placed around ``today``: stage 1 of the Lampung forum ended two months ago and
stage 2 is running. Staff take every step through the services, so the demo obeys the same
rules as the application: who completed a class follows from attendance and assessment,
moving up a class goes through the seat rules, a seat offer comes from a seat set free, and
new exporters come from verified exports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import (
    Enterprise,
    Funder,
    Product,
    Province,
    Sector,
    TradeOffice,
    User,
)
from accounts.services import enterprise_update
from certifications.models import Case, CaseEvent, Certificate, Scheme
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
from cohorts.services import classes as class_services
from cohorts.services import seats, selection
from seeds import catalogue
from seeds.demo import certification, exports, outbox, people
from seeds.demo.classes import (
    admit,
    apply_to_stage,
    make_cohort,
    make_program,
    make_stage,
    place,
    run_finished_class,
    run_ongoing_class,
    settle_admissions,
    settle_closing,
)
from seeds.demo.common import JATENG_PROGRAM, LAMPUNG_PROGRAM, Demo, new_demo
from seeds.demo.removal import demo_delete, demo_exists
from seeds.reference import load_reference

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

WITHDRAWAL_REASON = "Pemilik sedang menjalani perawatan; mengundurkan diri dari tahap ini."
REJECTION_REASON = "Produksi belum berkelanjutan; dianjurkan mendaftar tahap berikut."


# --- Lampung ---------------------------------------------------------------------------------


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
    # already exported (eighteen) before joining, so their intake snapshots say so.
    new = {
        Level.PEMULA: people.make_enterprises(demo, office, 20, catalogue.LAMPUNG_SECTORS),
        Level.MENENGAH: people.make_enterprises(demo, office, 20, catalogue.LAMPUNG_SECTORS),
        Level.MAHIR: people.make_enterprises(
            demo, office, 20, catalogue.LAMPUNG_SECTORS, size="small"
        ),
    }
    pre_exporters = new[Level.MAHIR][:12] + new[Level.MENENGAH][:6]
    for index, enterprise in enumerate(pre_exporters):
        status = (
            Enterprise.ExportStatus.DIRECT if index % 5 < 2 else Enterprise.ExportStatus.INDIRECT
        )
        enterprise_update(enterprise=enterprise, actor=staff, export_status=status)
        enterprise.export_status = status
    owner_enterprise = new[Level.PEMULA][0]
    people.make_owner(demo, owner_enterprise)

    stage1_members = {level: admit(demo, new[level], s1[level], staff) for level in Level.values}
    settle_admissions(demo, stage1)
    for level, cohort in s1.items():
        result = run_finished_class(
            demo, cohort, stage1_members[level], first_day=-143, actor=staff
        )
        settle_closing(demo, result, staff)

    build_lampung_stage2(demo, stage2, s1, s2, owner_enterprise)

    certification.build_owner_cases(demo, owner_enterprise, program)
    certification.build_lampung_cases(demo, program, new)
    exports.build_lampung_exports(demo, program, new, pre_exporters)


def build_lampung_stage2(
    demo: Demo,
    stage2: Stage,
    s1: dict[str, Cohort],
    s2: dict[str, Cohort],
    owner_enterprise: Enterprise,
) -> None:
    """Stage 2: completers move up a class, newcomers fill the rest, the owner waits for a
    seat and is offered one when a participant withdraws."""
    office, staff, owner = demo.offices["lampung"], demo.users["lampung"], demo.users["owner"]
    sectors = catalogue.LAMPUNG_SECTORS
    beginners = people.make_enterprises(demo, office, 23, sectors)
    direct_intermediate = people.make_enterprises(demo, office, 3, sectors)
    direct_advanced = people.make_enterprises(
        demo, office, 2, sectors, size="small", export_status=Enterprise.ExportStatus.INDIRECT
    )
    applicants = people.make_enterprises(demo, office, 9, sectors)

    # The owner applied herself, through the portal.
    owner_application = apply_to_stage(
        demo, enterprise=owner_enterprise, stage=stage2, actor=owner, level=Level.MENENGAH
    )
    # Twenty seats for beginners: the last three wait.
    admit(demo, beginners, s2[Level.PEMULA], staff)
    # Intermediate: three newcomers, then the completers of the beginners' class move up;
    # the owner's own application keeps her out of the promotion, and the class is full.
    leaving = admit(demo, direct_intermediate, s2[Level.MENENGAH], staff)[0]
    class_services.cohorts_promote_eligible(
        from_cohort=s1[Level.PEMULA], to_cohort=s2[Level.MENENGAH], actor=staff
    )
    class_services.cohorts_promote_eligible(
        from_cohort=s1[Level.MENENGAH], to_cohort=s2[Level.MAHIR], actor=staff
    )
    admit(demo, direct_advanced, s2[Level.MAHIR], staff)
    owner_application = selection.enrollment_select(enrollment=owner_application, actor=staff)
    place(owner_application, s2[Level.MENENGAH], staff)  # the waiting list
    for index, enterprise in enumerate(applicants):
        application = apply_to_stage(
            demo, enterprise=enterprise, stage=stage2, actor=staff, level=Level.PEMULA
        )
        if index % 3 == 1:
            selection.enrollment_select(enrollment=application, actor=staff)
        elif index % 3 == 2:
            selection.enrollment_reject(
                enrollment=application, actor=staff, reason=REJECTION_REASON
            )
    settle_admissions(demo, stage2)

    # Before the class has met twice a withdrawal frees a seat: the withdrawal service offers
    # it to the first on the waiting list (the owner), with a deadline and a reminder.
    seats.enrollment_withdraw(enrollment=leaving, actor=staff, reason=WITHDRAWAL_REASON)

    # The beginners started a week earlier; the other classes have met once.
    for level, cohort in s2.items():
        run_ongoing_class(demo, cohort, first_day=-12 if level == Level.PEMULA else -5, actor=staff)


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
    sectors = catalogue.JATENG_SECTORS
    enrollments = admit(demo, people.make_enterprises(demo, office, 20, sectors), beginner, staff)
    enrollments += admit(
        demo,
        people.make_enterprises(demo, office, 18, sectors, size="small"),
        intermediate,
        staff,
    )
    settle_admissions(demo, stage)
    for cohort in (beginner, intermediate):
        run_ongoing_class(demo, cohort, first_day=-26, actor=staff, coached_every=None)
    certification.build_jateng_cases(demo, program, [e.enterprise for e in enrollments[::4]])


# --- entry point -----------------------------------------------------------------------------


def model_counts() -> dict[str, int]:
    return {model._meta.model_name: model.objects.count() for model in COUNTED_MODELS}


@dataclass
class DemoResult:
    built: bool
    today: dt.date
    counts: dict[str, int]


@transaction.atomic
def build_demo(*, today: dt.date | None = None, reset: bool = False) -> DemoResult:
    """Build the demo around ``today`` unless it is already there; ``reset`` rebuilds it.

    ``today`` may lie in the past, never in the future: the services refuse to record
    attendance, visits or exports that have not happened yet.
    """
    today = today or timezone.localdate()
    if today > timezone.localdate():
        raise ValueError(f"The demo cannot be built around a day to come ({today}).")
    if reset:
        demo_delete()
    elif demo_exists():
        return DemoResult(built=False, today=today, counts=model_counts())
    if not Province.objects.filter(code_kemendagri="18").exists() or not Scheme.objects.exists():
        load_reference()
    demo = new_demo(today)
    demo.sectors = {s.code: s for s in Sector.objects.all()}
    demo.schemes = {s.code: s for s in Scheme.objects.all()}
    people.make_organisations(demo)
    people.make_people(demo)
    build_lampung(demo)
    build_jateng(demo)
    outbox.build_outbox(demo)
    return DemoResult(built=True, today=today, counts=model_counts())
