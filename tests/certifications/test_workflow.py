"""The request workflow: every allowed move, every refused one, and what gates submission."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import override

from certifications import services
from certifications.models import Case, CaseDocument, CaseEvent, Certificate
from tests import factories as f

S = Case.Status
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def scheme(db):
    return f.SchemeFactory(code="wf-scheme", validity_months=36, surveillance_months=12)


def _request(enterprise, scheme, actor):
    return services.case_request(
        enterprise=enterprise, scheme=scheme, office=enterprise.registered_by, actor=actor
    )


def _bring_to(case, status, actor):
    """Walk a request to ``status`` through the services, the way an office would."""
    path = {
        S.REQUESTED: [],
        S.PREPARING: ["prepare"],
        S.SUBMITTED: ["prepare", "submit"],
        S.REVISION: ["prepare", "submit", "revise"],
        S.GRANTED: ["prepare", "submit", "grant"],
        S.REJECTED: ["prepare", "submit", "reject"],
        S.WITHDRAWN: ["withdraw"],
    }[status]
    for step in path:
        _do(step, case, actor)
    case.refresh_from_db()
    return case


def _do(step, case, actor):
    today = timezone.localdate()
    return {
        "prepare": lambda: services.case_start_preparing(case=case, actor=actor),
        "submit": lambda: services.case_submit(case=case, actor=actor),
        "revise": lambda: services.case_return_for_revision(
            case=case, actor=actor, deadline=today + dt.timedelta(days=7), note="Label ulang"
        ),
        "grant": lambda: services.case_grant(
            case=case, actor=actor, number=f"N-{case.pk}", issue_date=today
        ),
        "reject": lambda: services.case_reject(case=case, actor=actor, reason="Uji gagal"),
        "withdraw": lambda: services.case_withdraw(case=case, actor=actor, reason="Batal"),
    }[step]()


STEP_TARGET = {
    "prepare": S.PREPARING,
    "submit": S.SUBMITTED,
    "revise": S.REVISION,
    "grant": S.GRANTED,
    "reject": S.REJECTED,
    "withdraw": S.WITHDRAWN,
}
ALLOWED = {
    S.REQUESTED: {"prepare", "withdraw"},
    S.PREPARING: {"submit", "withdraw"},
    S.SUBMITTED: {"revise", "grant", "reject", "withdraw"},
    S.REVISION: {"submit", "withdraw"},
    S.GRANTED: set(),
    S.REJECTED: set(),
    S.WITHDRAWN: set(),
}
MOVES = [(status, step) for status in S.values for step in STEP_TARGET]


@pytest.mark.parametrize(("start", "step"), MOVES)
def test_the_transition_map(start, step, scheme, enterprise_a, staff_lampung):
    case = _bring_to(_request(enterprise_a, scheme, staff_lampung), start, staff_lampung)
    events_before = case.events.count()
    if step in ALLOWED[start]:
        _do(step, case, staff_lampung)
        case.refresh_from_db()
        assert case.status == STEP_TARGET[step]
        move = case.events.filter(kind=CaseEvent.Kind.TRANSITION).last()
        assert (move.from_status, move.to_status, move.actor) == (
            start,
            STEP_TARGET[step],
            staff_lampung,
        )
    else:
        with override("en"), pytest.raises(ValidationError) as refusal:
            _do(step, case, staff_lampung)
        assert "cannot become" in str(refusal.value) or "closed" in str(refusal.value)
        case.refresh_from_db()
        assert case.status == start
        assert case.events.count() == events_before


def test_the_allowed_moves_follow_the_map(scheme, enterprise_a, staff_lampung):
    case = _request(enterprise_a, scheme, staff_lampung)
    assert services.case_allowed_moves(case=case) == [S.PREPARING, S.WITHDRAWN]


def test_submission_waits_for_every_mandatory_document_approved(
    scheme, enterprise_a, staff_lampung, participant_a
):
    ktp = f.SchemeDocumentFactory(scheme=scheme, code="ktp", required=True, sensitive=True)
    f.SchemeDocumentFactory(scheme=scheme, code="foto", required=False)
    case = _bring_to(_request(enterprise_a, scheme, staff_lampung), S.PREPARING, staff_lampung)
    with override("en"), pytest.raises(ValidationError, match="missing"):
        services.case_submit(case=case, actor=staff_lampung)
    document = services.document_upload(
        case=case,
        actor=participant_a,
        file=SimpleUploadedFile("ktp.pdf", PDF, content_type="application/pdf"),
        requirement=ktp,
    )
    assert document.sensitive and document.content_type == "application/pdf"
    with override("en"), pytest.raises(ValidationError, match="not approved"):
        services.case_submit(case=case, actor=staff_lampung)
    services.document_review(
        document=document, actor=staff_lampung, decision=CaseDocument.Review.APPROVED
    )
    services.case_submit(case=case, actor=staff_lampung)
    case.refresh_from_db()
    assert case.status == S.SUBMITTED and case.submitted_at is not None


def test_a_missing_prerequisite_needs_a_staff_reason(scheme, enterprise_a, staff_lampung):
    mark = f.SchemeFactory(code="wf-mark", validity_months=120)
    scheme.prerequisites.add(mark)
    case = _bring_to(_request(enterprise_a, scheme, staff_lampung), S.PREPARING, staff_lampung)
    with override("en"), pytest.raises(ValidationError, match="does not hold"):
        services.case_submit(case=case, actor=staff_lampung)
    case.refresh_from_db()
    assert case.status == S.PREPARING
    services.case_submit(case=case, actor=staff_lampung, override_reason="Merek sedang diproses")
    case.refresh_from_db()
    assert case.status == S.SUBMITTED
    override_event = case.events.get(kind=CaseEvent.Kind.PREREQUISITE_OVERRIDE)
    assert "Merek sedang diproses" in override_event.note


def test_a_held_prerequisite_lets_the_request_through(scheme, enterprise_a, staff_lampung):
    mark = f.SchemeFactory(code="wf-mark2", validity_months=120, validity_from="issue")
    scheme.prerequisites.add(mark)
    _bring_to(_request(enterprise_a, mark, staff_lampung), S.GRANTED, staff_lampung)
    case = _bring_to(_request(enterprise_a, scheme, staff_lampung), S.SUBMITTED, staff_lampung)
    assert case.status == S.SUBMITTED
    assert not case.events.filter(kind=CaseEvent.Kind.PREREQUISITE_OVERRIDE).exists()


def test_granting_writes_the_certificate_with_the_schemes_dates(
    scheme, enterprise_a, staff_lampung
):
    case = _bring_to(_request(enterprise_a, scheme, staff_lampung), S.SUBMITTED, staff_lampung)
    certificate = services.case_grant(
        case=case,
        actor=staff_lampung,
        number="SNI-77",
        issue_date=dt.date(2026, 1, 31),
        filing_date=dt.date(2026, 1, 10),
    )
    assert certificate.expiry_date == dt.date(2029, 1, 31)
    assert certificate.next_surveillance_date == dt.date(2027, 1, 31)
    assert certificate.status == Certificate.Status.ACTIVE
    assert case.events.filter(kind=CaseEvent.Kind.CERTIFICATE_ISSUED, note="SNI-77").exists()


def test_a_trademark_runs_ten_years_from_filing_across_a_leap_day(enterprise_a, staff_lampung):
    mark = f.SchemeFactory(code="wf-tm", validity_months=120, validity_from="filing")
    case = _bring_to(_request(enterprise_a, mark, staff_lampung), S.SUBMITTED, staff_lampung)
    certificate = services.case_grant(
        case=case,
        actor=staff_lampung,
        number="IDM000123",
        issue_date=timezone.localdate(),
        filing_date=dt.date(2024, 2, 29),
    )
    assert certificate.expiry_date == dt.date(2034, 2, 28)


def test_another_offices_staff_cannot_move_the_request(
    scheme, enterprise_a, staff_lampung, staff_jateng
):
    case = _request(enterprise_a, scheme, staff_lampung)
    with override("en"), pytest.raises(ValidationError, match="assisting office"):
        services.case_start_preparing(case=case, actor=staff_jateng)
    case.refresh_from_db()
    assert case.status == S.REQUESTED


def test_a_revision_needs_a_deadline_not_in_the_past(scheme, enterprise_a, staff_lampung):
    case = _bring_to(_request(enterprise_a, scheme, staff_lampung), S.SUBMITTED, staff_lampung)
    with override("en"), pytest.raises(ValidationError, match="past"):
        services.case_return_for_revision(
            case=case,
            actor=staff_lampung,
            deadline=timezone.localdate() - dt.timedelta(days=1),
            note="Label",
        )
    case.refresh_from_db()
    assert case.status == S.SUBMITTED and case.revision_deadline is None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("ktp.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" * 8, "PDF, JPEG or PNG"),
        ("catatan.pdf", b"just some text, not a pdf at all\n" * 4, "PDF, JPEG or PNG"),
        ("kosong.pdf", b"", "empty"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_stored(
    name, content, message, scheme, enterprise_a, participant_a, settings
):
    case = _request(enterprise_a, scheme, participant_a)
    with override("en"), pytest.raises(ValidationError, match=message):
        services.document_upload(
            case=case,
            actor=participant_a,
            file=SimpleUploadedFile(name, content, content_type="application/pdf"),
            title="KTP",
        )
    assert not case.documents.exists()
    root = settings.PRIVATE_MEDIA_ROOT
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))


def test_a_file_over_the_limit_is_refused(scheme, enterprise_a, participant_a, settings):
    settings.CASE_DOCUMENT_MAX_BYTES = 1024
    case = _request(enterprise_a, scheme, participant_a)
    with override("en"), pytest.raises(ValidationError, match="largest allowed"):
        services.document_upload(
            case=case,
            actor=participant_a,
            file=SimpleUploadedFile("besar.pdf", PDF + b"0" * 2048),
            title="Besar",
        )
    assert not case.documents.exists()
