"""Certification assistance cases ("Pengajuan fasilitasi sertifikasi") and their timelines.

There are no case services yet: each case is written as those services would leave it, with
its events, certificate and documents, on the days the story tells.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile

from accounts.calendar import add_months
from accounts.models import Enterprise, Funder, TradeOffice, User
from certifications.models import Case, CaseDocument, CaseEvent, Certificate, Scheme
from cohorts.models import Level, Program
from seeds.demo.common import Demo

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
        revision_deadline=demo.day(5) if status == Case.Status.REVISION else None,
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
        review=CaseDocument.Review.APPROVED if accepted else CaseDocument.Review.PENDING,
    )
    document.file.save(
        f"{code}.pdf", ContentFile(b"%PDF-1.4\n% NaikKelas demo document\n"), save=False
    )
    document.save()
    return document


def build_lampung_cases(
    demo: Demo,
    program: Program,
    stage1: dict[str, list[Enterprise]],
) -> None:
    S = Case.Status
    pool = stage1[Level.MAHIR] + stage1[Level.MENENGAH] + stage1[Level.PEMULA][1:]
    # Bundles keep prerequisites true: SPP-IRT after PKP, SPPT SNI after a registered mark.
    bundles = [
        [("pkp", S.GRANTED, -140), ("spp-irt", S.SUBMITTED, -40)],
        [("pkp", S.GRANTED, -130), ("spp-irt", S.REVISION, -50)],
        [("pkp", S.GRANTED, -160), ("spp-irt", S.GRANTED, -120)],
        [("merek", S.GRANTED, -260), ("sppt-sni-5", S.REVISION, -70)],
        [("halal-self-declare", S.GRANTED, -110)],
        [("halal-self-declare", S.SUBMITTED, -30)],
        [("halal-self-declare", S.REQUESTED, -4)],
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


def build_owner_cases(demo: Demo, enterprise: Enterprise, program: Program) -> None:
    """The owner's cases: a registered trademark, and two requests waiting for documents."""
    common = {
        "enterprise": enterprise,
        "office": demo.offices["lampung"],
        "program": program,
        "officer": demo.users["lampung"],
        "funder": demo.funders["lpei"],
    }
    make_case(demo, scheme_code="merek", status=Case.Status.GRANTED, started=-200, **common)
    make_case(
        demo, scheme_code="halal-self-declare", status=Case.Status.PREPARING, started=-20, **common
    )
    sni = make_case(
        demo, scheme_code="sppt-sni-5", status=Case.Status.PREPARING, started=-15, **common
    )
    upload_document(sni, "sertifikat-merek", demo.users["owner"], accepted=True)


JATENG_CASES = (
    ("svlk", Case.Status.SUBMITTED, -40),
    ("merek", Case.Status.GRANTED, -150),
    ("halal-self-declare", Case.Status.PREPARING, -12),
    ("desain-industri", Case.Status.SUBMITTED, -50),
    ("iso-9001", Case.Status.PREPARING, -20),
)


def build_jateng_cases(demo: Demo, program: Program, enterprises: list[Enterprise]) -> None:
    for enterprise, (scheme_code, status, started) in zip(enterprises, JATENG_CASES, strict=False):
        make_case(
            demo,
            enterprise=enterprise,
            scheme_code=scheme_code,
            status=status,
            office=demo.offices["jateng"],
            program=program,
            officer=demo.users["jateng"],
            funder=demo.funders["pasar"],
            started=started,
        )
