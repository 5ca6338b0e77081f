"""What the certification tests share: a scheme with steps and documents, a request of the
Lampung office, and the walk of a request through the services to any status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from certifications import services
from certifications.models import Case, CaseDocument
from tests import factories as f

S = Case.Status
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32


@pytest.fixture
def english(settings, client):
    """Pages in English, so the tests read the message ids."""
    settings.LANGUAGE_CODE = "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def scheme(db):
    scheme = f.SchemeFactory(
        code="admin-sni",
        name_id="SPPT SNI Kopi",
        name_en="SNI coffee",
        validity_months=48,
        surveillance_months=12,
    )
    for order, (name_id, name_en) in enumerate(
        [("Permohonan", "Application"), ("Audit", "Audit"), ("Terbit", "Issued")], start=1
    ):
        f.SchemeMilestoneFactory(scheme=scheme, order=order, name_id=name_id, name_en=name_en)
    f.SchemeDocumentFactory(
        scheme=scheme, code="panduan", name_id="Panduan mutu", name_en="Quality manual"
    )
    f.SchemeDocumentFactory(
        scheme=scheme, code="ktp", name_id="KTP", name_en="Identity card", sensitive=True
    )
    return scheme


@pytest.fixture
def case(scheme, enterprise_a, office_lampung, program_lampung, staff_lampung):
    return services.case_request(
        enterprise=enterprise_a,
        scheme=scheme,
        office=office_lampung,
        program=program_lampung,
        actor=staff_lampung,
        cost=25_000_000,
        subsidy=15_000_000,
        subsidy_funder=program_lampung.fundings.first().funder,
    )


def upload(case, actor, *, code, content=PDF, name="dokumen.pdf") -> CaseDocument:
    return services.document_upload(
        case=case,
        actor=actor,
        file=SimpleUploadedFile(name, content),
        requirement=case.scheme.documents.get(code=code),
    )


def documents_approved(case, actor) -> None:
    for requirement in case.scheme.documents.filter(required=True):
        document = services.document_upload(
            case=case,
            actor=actor,
            file=SimpleUploadedFile(f"{requirement.code}.pdf", PDF),
            requirement=requirement,
        )
        services.document_review(
            document=document, actor=actor, decision=CaseDocument.Review.APPROVED
        )


def bring_to(case, status, actor) -> Case:
    """Walk a request to ``status`` through the services, the way an office would."""
    today = timezone.localdate()
    if status == S.WITHDRAWN:
        services.case_withdraw(case=case, actor=actor, reason="Tidak jadi")
    elif status != S.REQUESTED:
        services.case_start_preparing(case=case, actor=actor)
        if status != S.PREPARING:
            documents_approved(case, actor)
            services.case_submit(case=case, actor=actor, override_reason="Merek sudah diajukan")
        if status == S.REVISION:
            services.case_return_for_revision(
                case=case, actor=actor, deadline=today + dt.timedelta(days=7), note="Label"
            )
        elif status == S.GRANTED:
            services.case_grant(case=case, actor=actor, number=f"SNI-{case.pk}", issue_date=today)
        elif status == S.REJECTED:
            services.case_reject(case=case, actor=actor, reason="Uji gagal")
    case.refresh_from_db()
    assert case.status == status
    return case
