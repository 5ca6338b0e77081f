"""Certification assistance requests ("Pengajuan fasilitasi sertifikasi") and their timelines.

Each request is opened, documented, reviewed, submitted and decided through the certification
services, so its timeline, documents and certificate are what an office would have left. The
services stamp each step with the moment they run; once a request's story is played, its
moments are moved back to the days the story tells (``settle_case``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.calendar import add_months
from accounts.models import Enterprise, Funder, TradeOffice, User
from certifications import services
from certifications.models import Case, CaseDocument, CaseEvent, Certificate
from cohorts.models import Level, Program
from seeds.demo.common import Demo, settle

S = Case.Status

# The statuses a request passes through to reach each one (the synthetic data reuses them).
CASE_PATHS = {
    S.REQUESTED: [S.REQUESTED],
    S.PREPARING: [S.REQUESTED, S.PREPARING],
    S.SUBMITTED: [S.REQUESTED, S.PREPARING, S.SUBMITTED],
    S.REVISION: [S.REQUESTED, S.PREPARING, S.SUBMITTED, S.REVISION],
    S.GRANTED: [S.REQUESTED, S.PREPARING, S.SUBMITTED, S.GRANTED],
    S.REJECTED: [S.REQUESTED, S.PREPARING, S.SUBMITTED, S.REJECTED],
    S.WITHDRAWN: [S.REQUESTED, S.PREPARING, S.WITHDRAWN],
}
NOTES = {
    S.REQUESTED: "Permohonan fasilitasi diterima.",
    S.PREPARING: "Dokumen mulai disiapkan bersama pendamping.",
    S.SUBMITTED: "Berkas diajukan ke lembaga penerbit.",
    S.REVISION: "Lembaga penerbit meminta label kemasan diperbaiki.",
    S.GRANTED: "Sertifikat terbit.",
    S.REJECTED: "Hasil uji laboratorium belum memenuhi persyaratan.",
    S.WITHDRAWN: "IKM memutuskan menunda karena pindah lokasi produksi.",
}
SCHEME_COSTS = {
    "merek": 1_800_000,
    "desain-industri": 1_250_000,
    "hak-cipta": 400_000,
    "pkp": 0,
    "spp-irt": 500_000,
    "bpom-md": 3_500_000,
    "halal-reguler": 4_500_000,
    "halal-self-declare": 0,
    "sppt-sni-1": 12_000_000,
    "sppt-sni-5": 25_000_000,
    "iso-9001": 40_000_000,
    "iso-22000": 45_000_000,
    "haccp": 35_000_000,
    "health-certificate": 1_500_000,
    "ska": 0,
    "svlk": 20_000_000,
}
DEMO_PDF = b"%PDF-1.4\n% NaikKelas demo document\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def demo_file(code: str) -> ContentFile:
    return ContentFile(DEMO_PDF, name=f"{code}.pdf")


@dataclass
class Story:
    """One request: what it is for, how far it gets and on which days (offsets from today)."""

    scheme_code: str
    status: str
    started: int
    # The day it was submitted and the day it was decided; by default a steady pace.
    submitted: int | None = None
    decided: int | None = None
    documents_missing: int = 0  # required documents still to come (for a request in preparation)

    def days(self) -> tuple[int, int, int]:
        submitted = self.submitted if self.submitted is not None else self.started + 20
        decided = self.decided if self.decided is not None else submitted + 25
        return self.started, min(submitted, -1), min(decided, -1)


def play(
    demo: Demo,
    story: Story,
    *,
    enterprise: Enterprise,
    office: TradeOffice,
    program: Program | None,
    officer: User,
    funder: Funder | None,
    uploader: User | None = None,
) -> Case:
    """Take a request through the services to the status its story ends in."""
    scheme = demo.schemes[story.scheme_code]
    cost = SCHEME_COSTS[story.scheme_code]
    subsidy = int(cost * 0.75) if funder and cost else 0
    started, submitted, decided = story.days()
    case = services.case_request(
        enterprise=enterprise,
        scheme=scheme,
        office=office,
        actor=officer,
        program=program,
        products=list(enterprise.products.all()[:1]),
        officer=officer,
        target_date=demo.day(started + 120),
        cost=cost,
        subsidy=subsidy,
        subsidy_funder=funder if subsidy else None,
        note=NOTES[S.REQUESTED],
    )
    path = CASE_PATHS[story.status]
    if story.status == S.WITHDRAWN:
        services.case_start_preparing(case=case, actor=officer, note=NOTES[S.PREPARING])
        services.case_withdraw(case=case, actor=officer, reason=NOTES[S.WITHDRAWN])
    elif S.PREPARING in path:
        services.case_start_preparing(case=case, actor=officer, note=NOTES[S.PREPARING])
        gather_documents(case, uploader or officer, officer, missing=story.documents_missing)
    if S.SUBMITTED in path:
        middle = scheme.milestones.order_by("order")[1:2].first()
        if middle is not None:
            services.case_set_milestone(case=case, actor=officer, milestone=middle)
        services.case_submit(case=case, actor=officer, note=NOTES[S.SUBMITTED])
    if story.status == S.REVISION:
        # Set while the demo is built: the issuer's deadline falls in the coming week.
        services.case_return_for_revision(
            case=case,
            actor=officer,
            deadline=timezone.localdate() + dt.timedelta(days=5),
            note=NOTES[S.REVISION],
        )
    elif story.status == S.GRANTED:
        services.case_grant(
            case=case,
            actor=officer,
            number=certificate_number(case, demo.day(decided)),
            filing_date=demo.day(submitted),
            issue_date=demo.day(decided),
            note=NOTES[S.GRANTED],
        )
    elif story.status == S.REJECTED:
        services.case_reject(case=case, actor=officer, reason=NOTES[S.REJECTED])
    settle_case(demo, case, started=started, submitted=submitted, decided=decided)
    case.refresh_from_db()
    return case


def gather_documents(case: Case, uploader: User, reviewer: User, *, missing: int = 0) -> None:
    """Upload the scheme's required documents (all but ``missing`` of them) and approve them."""
    required = list(case.scheme.documents.filter(required=True).order_by("code"))
    for requirement in required[: len(required) - missing]:
        upload_document(case, requirement.code, uploader, reviewer)


def upload_document(case: Case, code: str, uploader: User, reviewer: User | None) -> CaseDocument:
    requirement = case.scheme.documents.get(code=code)
    document = services.document_upload(
        case=case, actor=uploader, file=demo_file(code), requirement=requirement
    )
    if reviewer is not None:
        services.document_review(
            document=document, actor=reviewer, decision=CaseDocument.Review.APPROVED
        )
    return document


def certificate_number(case: Case, issued: dt.date) -> str:
    return f"{case.scheme.code.upper()}/{issued:%Y}/{case.pk:05d}"


def settle_case(demo: Demo, case: Case, *, started: int, submitted: int, decided: int) -> None:
    """Move the request's moments to the story's days, keeping their order: opened and taken
    on at the start, documents gathered until the submission, decided on its day."""
    events = list(case.events.order_by("pk"))
    moments: list[dt.datetime] = []
    day = started
    hour = 9
    for event in events:
        planned = _planned_day(event, started=started, submitted=submitted, decided=decided)
        if planned is not None and planned > day:
            day, hour = planned, 9
        elif moments:
            hour += 1
            if hour > 16:
                day, hour = min(day + 1, -1), 9
        moments.append(demo.at(demo.day(day), hour))
    for event, moment in zip(events, moments, strict=True):
        settle(CaseEvent.objects.filter(pk=event.pk), created_at=moment)
    submitted_at = next(
        (m for e, m in zip(events, moments, strict=True) if e.to_status == S.SUBMITTED), None
    )
    closed = [m for e, m in zip(events, moments, strict=True) if e.to_status in _CLOSED]
    settle(
        Case.objects.filter(pk=case.pk),
        requested_at=moments[0],
        submitted_at=submitted_at,
        decided_at=closed[-1] if closed else None,
        last_activity_at=moments[-1],
    )
    uploads = [m for e, m in zip(events, moments, strict=True) if e.kind == _UPLOADED]
    reviews = [m for e, m in zip(events, moments, strict=True) if e.kind == _APPROVED]
    for index, document in enumerate(case.documents.order_by("pk")):
        fields = {"uploaded_at": uploads[index]}
        if document.reviewed_at is not None and index < len(reviews):
            fields["reviewed_at"] = reviews[index]
        settle(CaseDocument.objects.filter(pk=document.pk), **fields)


_CLOSED = (S.GRANTED, S.REJECTED, S.WITHDRAWN)
_UPLOADED = CaseEvent.Kind.DOCUMENT_UPLOADED
_APPROVED = CaseEvent.Kind.DOCUMENT_APPROVED


def _planned_day(event: CaseEvent, *, started: int, submitted: int, decided: int) -> int | None:
    if event.kind == CaseEvent.Kind.TRANSITION:
        return {
            S.REQUESTED: started,
            S.PREPARING: min(started + 2, submitted),
            S.SUBMITTED: submitted,
            S.REVISION: min(submitted + 14, decided),
        }.get(event.to_status, decided)
    if event.kind in (CaseEvent.Kind.MILESTONE, CaseEvent.Kind.PREREQUISITE_OVERRIDE):
        return max(submitted - 1, started)
    if event.kind == CaseEvent.Kind.CERTIFICATE_ISSUED:
        return decided
    return None  # documents: one after another, the same day or the next


# --- Lampung ---------------------------------------------------------------------------------


def build_lampung_cases(demo: Demo, program: Program, stage1: dict[str, list[Enterprise]]) -> None:
    """Requests of the forum's enterprises over every status; bundles keep prerequisites true
    (SPP-IRT after PKP, SPPT SNI after a registered trademark)."""
    office, staff, lpei = demo.offices["lampung"], demo.users["lampung"], demo.funders["lpei"]
    pool = stage1[Level.MAHIR] + stage1[Level.MENENGAH] + stage1[Level.PEMULA][1:]
    bundles = [
        [Story("pkp", S.GRANTED, -140, -135, -130), Story("spp-irt", S.SUBMITTED, -40)],
        # Sent back for revision: the deadline falls in the coming week.
        [
            Story("pkp", S.GRANTED, -130, -125, -120),
            Story("spp-irt", S.REVISION, -50, -30, -8),
        ],
        [Story("pkp", S.GRANTED, -160, -155, -150), Story("spp-irt", S.GRANTED, -120)],
        [Story("merek", S.GRANTED, -260), Story("sppt-sni-5", S.REVISION, -70, -45, -10)],
        [Story("halal-reguler", S.GRANTED, -110)],
        [Story("halal-self-declare", S.SUBMITTED, -30, -12)],
        [Story("halal-self-declare", S.REQUESTED, -4)],
        # Waiting for documents: two of the required ones have not come yet.
        [Story("bpom-md", S.PREPARING, -25, documents_missing=2)],
        [Story("bpom-md", S.REJECTED, -120)],
        [Story("merek", S.SUBMITTED, -60)],
        [Story("merek", S.WITHDRAWN, -90, decided=-75)],
        [Story("haccp", S.PREPARING, -35, documents_missing=1)],
        [Story("iso-22000", S.SUBMITTED, -80)],
        [Story("iso-9001", S.GRANTED, -170)],
        [Story("desain-industri", S.REQUESTED, -6)],
        [Story("hak-cipta", S.GRANTED, -75)],
        [Story("health-certificate", S.GRANTED, -45, -30, -20)],
        [Story("ska", S.GRANTED, -30, -15, -10)],
        [Story("merek", S.GRANTED, -300), Story("sppt-sni-1", S.SUBMITTED, -20, -5)],
    ]
    for enterprise, bundle in zip(pool, bundles, strict=False):
        for story in bundle:
            play(
                demo,
                story,
                enterprise=enterprise,
                office=office,
                program=program,
                officer=staff,
                funder=lpei,
            )
    build_expiring_certificate(demo, pool[len(bundles)])


def build_expiring_certificate(demo: Demo, enterprise: Enterprise) -> Certificate:
    """An ISO 9001 certificate obtained before the forum began, audited every year, that
    expires within the coming 90 days; its renewal has been requested."""
    staff = demo.users["lampung"]
    scheme = demo.schemes["iso-9001"]
    expires = demo.day(45)
    issued = add_months(expires, -scheme.validity_months)
    issue_day = (issued - demo.today).days
    case = play(
        demo,
        Story("iso-9001", S.GRANTED, issue_day - 90, issue_day - 30, issue_day),
        enterprise=enterprise,
        office=demo.offices["lampung"],
        program=None,
        officer=staff,
        funder=None,
    )
    certificate = case.certificate
    audit = scheme.surveillance_after(issued)
    # Audited every year while it was in force (a demo built on a past day may find it lapsed).
    while certificate.status == Certificate.Status.ACTIVE and audit and audit < demo.today:
        certificate = services.certificate_record_surveillance(
            certificate=certificate, actor=staff, audit_date=audit, note="Audit survailen lulus."
        )
        latest = case.events.filter(kind=CaseEvent.Kind.SURVEILLANCE).latest("pk")
        settle(CaseEvent.objects.filter(pk=latest.pk), created_at=demo.at(audit, 14))
        audit = scheme.surveillance_after(audit)
    renewal = services.certificate_open_renewal(
        certificate=certificate, actor=staff, note="Perpanjangan sebelum masa berlaku habis."
    )
    settle_case(demo, renewal, started=-3, submitted=-1, decided=-1)
    opened = renewal.events.get().created_at
    settle(case.events.filter(kind=CaseEvent.Kind.RENEWAL_OPENED), created_at=opened)
    settle(Case.objects.filter(pk=case.pk), last_activity_at=opened)
    return certificate


def build_owner_cases(demo: Demo, enterprise: Enterprise, program: Program) -> None:
    """The owner's requests: a registered trademark, and two requests waiting for documents
    (Halal with none yet, SPPT SNI with the trademark certificate she uploaded herself)."""
    common = {
        "enterprise": enterprise,
        "office": demo.offices["lampung"],
        "program": program,
        "officer": demo.users["lampung"],
        "funder": demo.funders["lpei"],
    }
    play(demo, Story("merek", S.GRANTED, -200), **common)
    play(demo, Story("halal-self-declare", S.PREPARING, -20, documents_missing=99), **common)
    sni = play(demo, Story("sppt-sni-5", S.PREPARING, -15, documents_missing=99), **common)
    upload_document(sni, "sertifikat-merek", demo.users["owner"], demo.users["lampung"])
    settle_case(demo, sni, started=-15, submitted=-1, decided=-1)


JATENG_CASES = (
    Story("svlk", S.SUBMITTED, -40),
    Story("merek", S.GRANTED, -150),
    Story("halal-self-declare", S.PREPARING, -12, documents_missing=2),
    Story("desain-industri", S.SUBMITTED, -50),
    Story("iso-9001", S.PREPARING, -20, documents_missing=3),
)


def build_jateng_cases(demo: Demo, program: Program, enterprises: list[Enterprise]) -> None:
    for enterprise, story in zip(enterprises, JATENG_CASES, strict=False):
        play(
            demo,
            story,
            enterprise=enterprise,
            office=demo.offices["jateng"],
            program=program,
            officer=demo.users["jateng"],
            funder=demo.funders["pasar"],
        )
