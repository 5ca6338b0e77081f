"""Every write that moves a certification request, its documents or its certificate.

Each transition locks the row, checks the move against the map as the row is now, saves (so
history records who) and writes its `CaseEvent` in the same transaction. A refusal is a
`ValidationError` in the user's language and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import Enterprise, Funder, OfficeMembership, Product, TradeOffice, User
from certifications import selectors
from certifications.models import (
    Case,
    CaseDocument,
    CaseEvent,
    Certificate,
    Scheme,
    SchemeDocument,
    SchemeMilestone,
)
from cohorts.models import Program
from notifications.services import reminder_cancel

S = Case.Status

# The whole workflow: from each status, the statuses a request may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.REQUESTED: frozenset({S.PREPARING, S.WITHDRAWN}),
    S.PREPARING: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.REVISION, S.GRANTED, S.REJECTED, S.WITHDRAWN}),
    S.REVISION: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.GRANTED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

# What a document may be, read from its first bytes, never from its name or the browser.
ALLOWED_DOCUMENT_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
}


# --- Who may act ---


def actor_manages_case(actor: User | None, case: Case) -> bool:
    """Platform admins and the staff of the assisting office move a request along."""
    if actor is None:
        return False
    return roles.is_platform_admin(actor) or case.office_id in roles.office_ids(actor)


def actor_acts_for_case(actor: User | None, case: Case) -> bool:
    """The enterprise's members, or the office acting on its behalf."""
    if actor is None:
        return False
    return case.enterprise_id in roles.enterprise_ids(actor) or actor_manages_case(actor, case)


def _require_staff(actor: User | None, case: Case) -> None:
    if not actor_manages_case(actor, case):
        raise ValidationError(
            _("Only the staff of the assisting office may do this."), code="permission"
        )


def _require_party(actor: User | None, case: Case) -> None:
    if not actor_acts_for_case(actor, case):
        raise ValidationError(
            _("Only the enterprise or its assisting office may do this."), code="permission"
        )


# --- Small shared pieces ---


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _event(
    case: Case,
    *,
    actor: User | None,
    kind: str = CaseEvent.Kind.TRANSITION,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        note=note.strip(),
    )


def _touch(case: Case, *, now: dt.datetime | None = None) -> None:
    Case.objects.filter(pk=case.pk).update(last_activity_at=now or timezone.now())


def _require_move(case: Case, to_status: str) -> None:
    if to_status in TRANSITIONS[case.status]:
        return
    if not case.is_open:
        message = _("This request is closed (%(status)s); it can no longer change.")
    else:
        message = _("A request that is “%(status)s” cannot become “%(target)s”.")
    raise ValidationError(
        message % {"status": case.get_status_display(), "target": S(to_status).label},
        code="transition",
    )


def _require_text(value: str, message: str, field: str = "note") -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message}, code="required")
    return value


def _move(
    case: Case, *, actor: User | None, to_status: str, note: str = "", fields: Iterable[str] = ()
) -> Case:
    """Save the locked request in its new status and record the step."""
    from_status = case.status
    now = timezone.now()
    case.status = to_status
    case.last_activity_at = now
    case._history_user = actor
    case.save(update_fields=["status", "last_activity_at", *fields])
    _event(case, actor=actor, from_status=from_status, to_status=to_status, note=note)
    if to_status not in Case.OPEN_STATUSES:
        reminder_cancel(subject_object=case)  # a closed request is no longer reminded of
    return case


# --- Opening a request ---


@transaction.atomic
def case_request(
    *,
    enterprise: Enterprise,
    scheme: Scheme,
    office: TradeOffice,
    actor: User,
    program: Program | None = None,
    products: Iterable[Product] = (),
    officer: User | None = None,
    target_date: dt.date | None = None,
    cost: int = 0,
    subsidy: int = 0,
    subsidy_funder: Funder | None = None,
    renewal_of: Certificate | None = None,
    note: str = "",
) -> Case:
    """A new request for assistance, by the enterprise or by the office on its behalf."""
    case = Case(
        enterprise=enterprise,
        scheme=scheme,
        office=office,
        program=program,
        officer=officer,
        target_date=target_date,
        cost=cost,
        subsidy=subsidy,
        subsidy_funder=subsidy_funder,
        renewal_of=renewal_of,
    )
    _require_party(actor, case)
    if not scheme.is_active:
        raise ValidationError({"scheme": _("This scheme is no longer offered.")})
    if program is not None and program.office_id != office.pk:
        raise ValidationError({"program": _("This programme belongs to another office.")})
    if officer is not None:
        _require_officer_of(officer, office)
    products = list(products)
    foreign = [p.name for p in products if p.enterprise_id != enterprise.pk]
    if foreign:
        raise ValidationError(
            {
                "products": _("These products belong to another enterprise: %(names)s")
                % {"names": ", ".join(foreign)}
            }
        )
    if renewal_of is not None and renewal_of.case.enterprise_id != enterprise.pk:
        raise ValidationError(
            {"renewal_of": _("A renewal continues a certificate of the same enterprise.")}
        )
    duplicate = Case.objects.filter(
        enterprise=enterprise, scheme=scheme, status__in=Case.OPEN_STATUSES
    ).exists()
    if duplicate:
        raise ValidationError(
            {"scheme": _("This enterprise already has an open request for this scheme.")}
        )
    case.full_clean(exclude=["products"])
    case._history_user = actor
    case.save()
    if products:
        case.products.set(products)
    _event(case, actor=actor, to_status=S.REQUESTED, note=note)
    return case


# What the office may correct on a request by hand; status, step and officer each move
# through a service of their own.
CASE_EDITABLE_FIELDS = ("program", "target_date", "cost", "subsidy", "subsidy_funder")


@transaction.atomic
def case_update(
    *, case: Case, actor: User, products: Iterable[Product] | None = None, **changes
) -> Case:
    """Correct the programme, products, target date, cost and subsidy of a request."""
    unknown = set(changes) - set(CASE_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"case_update does not change {', '.join(sorted(unknown))}")
    case = _locked(case)
    _require_staff(actor, case)
    program = changes.get("program", case.program)
    if program is not None and program.office_id != case.office_id:
        raise ValidationError({"program": _("This programme belongs to another office.")})
    if products is not None:
        products = list(products)
        foreign = [p.name for p in products if p.enterprise_id != case.enterprise_id]
        if foreign:
            raise ValidationError(
                {
                    "products": _("These products belong to another enterprise: %(names)s")
                    % {"names": ", ".join(foreign)}
                }
            )
    changed = [name for name, value in changes.items() if getattr(case, name) != value]
    for name in changed:
        setattr(case, name, changes[name])
    if changed:
        case.full_clean(exclude=["products"])
        case.last_activity_at = timezone.now()
        case._history_user = actor
        case.save(update_fields=[*changed, "last_activity_at"])
    if products is not None and set(products) != set(case.products.all()):
        case.products.set(products)
        _touch(case)
    return case


def _require_officer_of(officer: User, office: TradeOffice) -> None:
    if not OfficeMembership.objects.filter(user=officer, office=office).exists():
        raise ValidationError(
            {"officer": _("The officer must be on the staff of the assisting office.")}
        )


# --- The workflow ---


@transaction.atomic
def case_start_preparing(*, case: Case, actor: User, note: str = "") -> Case:
    """The office takes the request on and documents start to be gathered."""
    case = _locked(case)
    _require_staff(actor, case)
    _require_move(case, S.PREPARING)
    if case.current_milestone_id is None:
        case.current_milestone = case.scheme.milestones.order_by("order").first()
    return _move(case, actor=actor, to_status=S.PREPARING, note=note, fields=["current_milestone"])


@dataclass(frozen=True)
class SubmissionCheck:
    """What stands between a request and its submission."""

    missing_documents: list[SchemeDocument]
    unapproved_documents: list[SchemeDocument]
    missing_prerequisites: list[Scheme]

    @property
    def documents_ready(self) -> bool:
        return not self.missing_documents and not self.unapproved_documents


def case_submission_check(*, case: Case) -> SubmissionCheck:
    """Which mandatory documents are missing or not yet approved, which prerequisites are
    not held (an active certificate of the same enterprise)."""
    documents = list(case.documents.all())
    approved = {d.requirement_id for d in documents if d.review == CaseDocument.Review.APPROVED}
    uploaded = {d.requirement_id for d in documents}
    required = list(case.scheme.documents.filter(required=True))
    missing = [r for r in required if r.pk not in uploaded]
    unapproved = [r for r in required if r.pk in uploaded and r.pk not in approved]
    held = set(
        selectors.certificates_in_force()
        .filter(case__enterprise_id=case.enterprise_id)
        .values_list("case__scheme_id", flat=True)
    )
    prerequisites = [p for p in case.scheme.prerequisites.all() if p.pk not in held]
    return SubmissionCheck(missing, unapproved, prerequisites)


def _names(items: Iterable) -> str:
    return ", ".join(str(item.name) for item in items)


@transaction.atomic
def case_submit(*, case: Case, actor: User, note: str = "", override_reason: str = "") -> Case:
    """File the request with the issuer, first time or after a revision.

    Every mandatory document must be approved. Prerequisites must be held, unless the
    office overrides them with a reason (a mark applied for but not yet registered)."""
    case = _locked(case)
    _require_staff(actor, case)
    _require_move(case, S.SUBMITTED)
    check = case_submission_check(case=case)
    problems = []
    if check.missing_documents:
        problems.append(
            _("Required documents are missing: %(names)s")
            % {"names": _names(check.missing_documents)}
        )
    if check.unapproved_documents:
        problems.append(
            _("Required documents are not approved yet: %(names)s")
            % {"names": _names(check.unapproved_documents)}
        )
    if problems:
        raise ValidationError(problems, code="documents")
    override_reason = (override_reason or "").strip()
    if check.missing_prerequisites and not override_reason:
        raise ValidationError(
            {
                "override_reason": _(
                    "The enterprise does not hold %(names)s yet. Give a reason to submit anyway."
                )
                % {"names": _names(check.missing_prerequisites)}
            },
            code="prerequisites",
        )
    fields = ["revision_deadline"]
    if case.submitted_at is None:
        case.submitted_at = timezone.now()
        fields.append("submitted_at")
    case.revision_deadline = None
    if check.missing_prerequisites:
        _event(
            case,
            actor=actor,
            kind=CaseEvent.Kind.PREREQUISITE_OVERRIDE,
            note=f"{_names(check.missing_prerequisites)}: {override_reason}",
        )
    return _move(case, actor=actor, to_status=S.SUBMITTED, note=note, fields=fields)


@transaction.atomic
def case_return_for_revision(*, case: Case, actor: User, deadline: dt.date, note: str) -> Case:
    """The issuer sent the file back: what it asked for, and by when."""
    case = _locked(case)
    _require_staff(actor, case)
    _require_move(case, S.REVISION)
    note = _require_text(note, _("Say what the issuer asked to change."))
    if deadline is None:
        raise ValidationError({"deadline": _("Give the deadline the issuer set.")})
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    case.revision_deadline = deadline
    return _move(case, actor=actor, to_status=S.REVISION, note=note, fields=["revision_deadline"])


@transaction.atomic
def case_grant(
    *,
    case: Case,
    actor: User,
    number: str,
    issue_date: dt.date,
    filing_date: dt.date | None = None,
    note: str = "",
) -> Certificate:
    """The issuer granted it: the request closes and its certificate is written, with the
    expiry and first surveillance the scheme gives."""
    case = _locked(case)
    _require_staff(actor, case)
    _require_move(case, S.GRANTED)
    number = _require_text(number, _("Give the certificate number."), field="number")
    scheme = case.scheme
    today = timezone.localdate()
    if issue_date is None:
        raise ValidationError({"issue_date": _("Give the issue date.")})
    if issue_date > today:
        raise ValidationError({"issue_date": _("The issue date cannot be in the future.")})
    if filing_date is None:
        filing_date = timezone.localdate(case.submitted_at) if case.submitted_at else None
    if scheme.validity_from == Scheme.ValidityFrom.FILING and filing_date is None:
        raise ValidationError({"filing_date": _("This scheme runs from the filing date; give it.")})
    if filing_date is not None and filing_date > issue_date:
        raise ValidationError({"filing_date": _("The filing date cannot be after the issue date.")})
    expiry = scheme.expiry_for(issue_date=issue_date, filing_date=filing_date)
    if expiry is not None and expiry <= issue_date:
        raise ValidationError(
            {"issue_date": _("By this scheme's validity the certificate has already expired.")}
        )
    if Certificate.objects.filter(case__scheme=scheme, number__iexact=number).exists():
        raise ValidationError(
            {"number": _("A certificate of this scheme already has this number.")}
        )
    now = timezone.now()
    case.decided_at = now
    case.revision_deadline = None
    last = scheme.milestones.order_by("-order").first()
    if last is not None:
        case.current_milestone = last
    _move(
        case,
        actor=actor,
        to_status=S.GRANTED,
        note=note,
        fields=["decided_at", "revision_deadline", "current_milestone"],
    )
    certificate = Certificate(
        case=case,
        number=number,
        filing_date=filing_date,
        issue_date=issue_date,
        expiry_date=expiry,
        next_surveillance_date=scheme.surveillance_after(issue_date),
        status=Certificate.Status.ACTIVE
        if expiry is None or expiry > today
        else Certificate.Status.EXPIRED,
    )
    certificate._history_user = actor
    certificate.save()
    _event(case, actor=actor, kind=CaseEvent.Kind.CERTIFICATE_ISSUED, note=number)
    if case.renewal_of_id:  # the renewed certificate's reminders are no longer needed
        reminder_cancel(subject_object=case.renewal_of)
    return certificate


@transaction.atomic
def case_reject(*, case: Case, actor: User, reason: str) -> Case:
    """The issuer refused it; the reason is kept on the timeline."""
    case = _locked(case)
    _require_staff(actor, case)
    _require_move(case, S.REJECTED)
    reason = _require_text(reason, _("Give the issuer's reason."), field="reason")
    case.decided_at = timezone.now()
    case.revision_deadline = None
    return _move(
        case,
        actor=actor,
        to_status=S.REJECTED,
        note=reason,
        fields=["decided_at", "revision_deadline"],
    )


@transaction.atomic
def case_withdraw(*, case: Case, actor: User, reason: str) -> Case:
    """The enterprise or the office stops pursuing it, from any open status."""
    case = _locked(case)
    _require_party(actor, case)
    _require_move(case, S.WITHDRAWN)
    reason = _require_text(reason, _("Say why the request is withdrawn."), field="reason")
    case.decided_at = timezone.now()
    case.revision_deadline = None
    return _move(
        case,
        actor=actor,
        to_status=S.WITHDRAWN,
        note=reason,
        fields=["decided_at", "revision_deadline"],
    )


def case_allowed_moves(*, case: Case) -> list[str]:
    """The statuses this request may move to now, in the workflow's order."""
    allowed = TRANSITIONS[case.status]
    return [status for status in S.values if status in allowed]


@transaction.atomic
def case_set_milestone(
    *, case: Case, actor: User, milestone: SchemeMilestone, note: str = ""
) -> Case:
    """Record the step of the scheme the request has reached."""
    case = _locked(case)
    _require_staff(actor, case)
    if not case.is_open:
        raise ValidationError(_("This request is closed; its steps no longer change."))
    if milestone.scheme_id != case.scheme_id:
        raise ValidationError({"milestone": _("This step belongs to another scheme.")})
    if milestone.pk == case.current_milestone_id:
        raise ValidationError({"milestone": _("The request is already at this step.")})
    case.current_milestone = milestone
    case.last_activity_at = timezone.now()
    case._history_user = actor
    case.save(update_fields=["current_milestone", "last_activity_at"])
    _event(
        case,
        actor=actor,
        kind=CaseEvent.Kind.MILESTONE,
        note=f"{milestone.order}. {milestone.name}" + (f" — {note.strip()}" if note else ""),
    )
    return case


@transaction.atomic
def cases_assign_officer(*, cases: QuerySet[Case], officer: User | None, actor: User) -> int:
    """Give requests an officer (or none), each checked and recorded. Returns how many changed."""
    changed = 0
    for case in Case.objects.select_for_update().filter(pk__in=cases.values("pk")).order_by("pk"):
        _require_staff(actor, case)
        if officer is not None:
            _require_officer_of(officer, case.office)
        if case.officer_id == (officer.pk if officer else None):
            continue
        case.officer = officer
        case.last_activity_at = timezone.now()
        case._history_user = actor
        case.save(update_fields=["officer", "last_activity_at"])
        _event(
            case,
            actor=actor,
            kind=CaseEvent.Kind.OFFICER,
            note=officer.get_full_name() or officer.email if officer else _("No officer"),
        )
        changed += 1
    return changed


# --- Documents ---


def document_file_check(upload: UploadedFile) -> str:
    """The content type of an acceptable upload, or a refusal saying what is wrong."""
    limit = settings.CASE_DOCUMENT_MAX_BYTES
    if upload is None or not upload.size:
        raise ValidationError({"file": _("The file is empty.")}, code="empty")
    if upload.size > limit:
        raise ValidationError(
            {
                "file": _("The file is %(size)s; the largest allowed is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            },
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_DOCUMENT_TYPES:
        raise ValidationError(
            {"file": _("Only PDF, JPEG or PNG files are accepted; this file is not one.")},
            code="file_type",
        )
    return kind.mime


@transaction.atomic
def document_upload(
    *,
    case: Case,
    actor: User,
    file: UploadedFile,
    requirement: SchemeDocument | None = None,
    title: str = "",
) -> CaseDocument:
    """Add a document to an open request; its type is read from its content."""
    case = _locked(case)
    _require_party(actor, case)
    if not case.is_open:
        raise ValidationError(_("This request is closed; documents can no longer be added."))
    if requirement is not None and requirement.scheme_id != case.scheme_id:
        raise ValidationError({"requirement": _("This document is asked for by another scheme.")})
    content_type = document_file_check(file)
    title = (title or "").strip() or (requirement.name if requirement else "")
    title = _require_text(title, _("Name the document."), field="title")
    original = (getattr(file, "name", "") or "")[-255:]
    document = CaseDocument(
        case=case,
        requirement=requirement,
        title=title[:200],
        original_name=original,
        content_type=content_type,
        size=file.size,
        sensitive=bool(requirement and requirement.sensitive),
        uploaded_by=actor,
    )
    # The stored name carries the extension of what the file is, not of what it was called.
    # Everything is checked before the file is written; a failed insert takes the file away.
    document.file.save(f"upload.{ALLOWED_DOCUMENT_TYPES[content_type]}", file, save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    _event(case, actor=actor, kind=CaseEvent.Kind.DOCUMENT_UPLOADED, note=title)
    _touch(case)
    return document


@transaction.atomic
def document_review(
    *, document: CaseDocument, actor: User, decision: str, comment: str = ""
) -> CaseDocument:
    """Approve a document, or ask for changes saying what."""
    document = CaseDocument.objects.select_for_update().select_related("case").get(pk=document.pk)
    case = document.case
    _require_staff(actor, case)
    if not case.is_open:
        raise ValidationError(_("This request is closed; its documents are no longer reviewed."))
    if decision not in (CaseDocument.Review.APPROVED, CaseDocument.Review.CHANGES_NEEDED):
        raise ValidationError({"decision": _("Choose approve or changes needed.")})
    comment = (comment or "").strip()
    if decision == CaseDocument.Review.CHANGES_NEEDED:
        comment = _require_text(comment, _("Say what needs to change."), field="comment")
    document.review = decision
    document.review_note = comment
    document.reviewed_by = actor
    document.reviewed_at = timezone.now()
    document.save(update_fields=["review", "review_note", "reviewed_by", "reviewed_at"])
    kind = (
        CaseEvent.Kind.DOCUMENT_APPROVED
        if decision == CaseDocument.Review.APPROVED
        else CaseEvent.Kind.DOCUMENT_CHANGES
    )
    note = f"{document.title}: {comment}" if comment else document.title
    _event(case, actor=actor, kind=kind, note=note)
    _touch(case)
    return document


# --- Certificates ---


def _locked_certificate(certificate: Certificate) -> Certificate:
    return (
        Certificate.objects.select_for_update()
        .select_related("case__scheme")
        .get(pk=certificate.pk)
    )


def _certificate_change(
    certificate: Certificate,
    *,
    actor: User | None,
    kind: str,
    note: str,
    fields: Iterable[str],
) -> Certificate:
    certificate._history_user = actor
    certificate.save(update_fields=list(fields))
    _event(certificate.case, actor=actor, kind=kind, note=note)
    _touch(certificate.case)
    return certificate


CERTIFICATE_MOVES = {
    # action: (statuses it applies to, the status it gives, event kind)
    "suspend": (
        {Certificate.Status.ACTIVE},
        Certificate.Status.SUSPENDED,
        CaseEvent.Kind.CERTIFICATE_SUSPENDED,
    ),
    "reinstate": (
        {Certificate.Status.SUSPENDED},
        Certificate.Status.ACTIVE,
        CaseEvent.Kind.CERTIFICATE_REINSTATED,
    ),
    "revoke": (
        {Certificate.Status.ACTIVE, Certificate.Status.SUSPENDED},
        Certificate.Status.REVOKED,
        CaseEvent.Kind.CERTIFICATE_REVOKED,
    ),
}


def _certificate_move(*, certificate: Certificate, actor: User, reason: str, action: str):
    certificate = _locked_certificate(certificate)
    _require_staff(actor, certificate.case)
    sources, target, kind = CERTIFICATE_MOVES[action]
    if certificate.status not in sources:
        raise ValidationError(
            _("A certificate that is “%(status)s” cannot become “%(target)s”.")
            % {"status": certificate.get_status_display(), "target": target.label},
            code="transition",
        )
    reason = _require_text(reason, _("Give the reason."), field="reason")
    if (
        target == Certificate.Status.ACTIVE
        and certificate.expiry_date
        and (certificate.expiry_date <= timezone.localdate())
    ):
        raise ValidationError(_("This certificate's validity has ended; it cannot be reinstated."))
    certificate.status = target
    return _certificate_change(certificate, actor=actor, kind=kind, note=reason, fields=["status"])


@transaction.atomic
def certificate_suspend(*, certificate: Certificate, actor: User, reason: str) -> Certificate:
    return _certificate_move(certificate=certificate, actor=actor, reason=reason, action="suspend")


@transaction.atomic
def certificate_reinstate(*, certificate: Certificate, actor: User, reason: str) -> Certificate:
    return _certificate_move(
        certificate=certificate, actor=actor, reason=reason, action="reinstate"
    )


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, actor: User, reason: str) -> Certificate:
    return _certificate_move(certificate=certificate, actor=actor, reason=reason, action="revoke")


@transaction.atomic
def certificate_correct_expiry(
    *, certificate: Certificate, actor: User, expiry_date: dt.date | None, reason: str
) -> Certificate:
    """Put right an expiry the issuer printed differently from the scheme's rule."""
    certificate = _locked_certificate(certificate)
    _require_staff(actor, certificate.case)
    reason = _require_text(reason, _("Give the reason for the correction."), field="reason")
    if certificate.status == Certificate.Status.REVOKED:
        raise ValidationError(_("A revoked certificate is not corrected."))
    if expiry_date is not None and expiry_date <= certificate.issue_date:
        raise ValidationError({"expiry_date": _("A certificate must expire after it is issued.")})
    if expiry_date == certificate.expiry_date:
        raise ValidationError({"expiry_date": _("This is already the expiry date.")})
    before = certificate.expiry_date
    certificate.expiry_date = expiry_date
    fields = ["expiry_date"]
    today = timezone.localdate()
    if certificate.status == Certificate.Status.EXPIRED and (
        expiry_date is None or expiry_date > today
    ):
        certificate.status = Certificate.Status.ACTIVE
        fields.append("status")
    elif certificate.status == Certificate.Status.ACTIVE and expiry_date and expiry_date <= today:
        certificate.status = Certificate.Status.EXPIRED
        fields.append("status")
    note = f"{before or '—'} → {expiry_date or '—'}: {reason}"
    return _certificate_change(
        certificate,
        actor=actor,
        kind=CaseEvent.Kind.CERTIFICATE_EXPIRY_CORRECTED,
        note=note,
        fields=fields,
    )


@transaction.atomic
def certificate_record_surveillance(
    *, certificate: Certificate, actor: User, audit_date: dt.date, note: str = ""
) -> Certificate:
    """A surveillance audit passed: the next one is due an interval later."""
    certificate = _locked_certificate(certificate)
    _require_staff(actor, certificate.case)
    scheme = certificate.case.scheme
    if not scheme.surveillance_months:
        raise ValidationError(_("This scheme has no surveillance audits."))
    if certificate.status != Certificate.Status.ACTIVE:
        raise ValidationError(_("Only an active certificate is audited."))
    if audit_date is None or audit_date > timezone.localdate():
        raise ValidationError({"audit_date": _("The audit date cannot be in the future.")})
    if audit_date < certificate.issue_date:
        raise ValidationError(
            {"audit_date": _("The audit cannot come before the certificate was issued.")}
        )
    certificate.next_surveillance_date = scheme.surveillance_after(audit_date)
    text = f"{audit_date}" + (f": {note.strip()}" if note and note.strip() else "")
    return _certificate_change(
        certificate,
        actor=actor,
        kind=CaseEvent.Kind.SURVEILLANCE,
        note=text,
        fields=["next_surveillance_date"],
    )


def certificates_expire(*, today: dt.date | None = None) -> int:
    """Mark every certificate past its expiry as expired; safe to run twice. The beat runs it
    daily. Returns how many expired in this run."""
    today = today or timezone.localdate()
    expired = 0
    due = (
        selectors.certificates_in_force()
        .filter(expiry_date__lte=today)
        .values_list("pk", flat=True)
    )
    for pk in list(due):
        with transaction.atomic():
            certificate = Certificate.objects.select_for_update().select_related("case").get(pk=pk)
            in_force = (Certificate.Status.ACTIVE, Certificate.Status.SUSPENDED)
            if certificate.status not in in_force or certificate.expiry_date > today:
                continue
            certificate.status = Certificate.Status.EXPIRED
            _certificate_change(
                certificate,
                actor=None,
                kind=CaseEvent.Kind.CERTIFICATE_EXPIRED,
                note=str(certificate.expiry_date),
                fields=["status"],
            )
            expired += 1
    return expired


@transaction.atomic
def certificate_open_renewal(*, certificate: Certificate, actor: User, note: str = "") -> Case:
    """A renewal is a new request for the same scheme and products, linked to the certificate."""
    certificate = _locked_certificate(certificate)
    previous = certificate.case
    _require_party(actor, previous)
    if certificate.status == Certificate.Status.REVOKED:
        raise ValidationError(_("A revoked certificate is not renewed; open a new request."))
    if certificate.renewals.filter(status__in=Case.OPEN_STATUSES).exists():
        raise ValidationError(_("A renewal of this certificate is already open."))
    officer = previous.officer
    if (
        officer is not None
        and not OfficeMembership.objects.filter(user=officer, office_id=previous.office_id).exists()
    ):
        officer = None
    case = case_request(
        enterprise=previous.enterprise,
        scheme=previous.scheme,
        office=previous.office,
        actor=actor,
        program=previous.program,
        products=list(previous.products.all()),
        officer=officer,
        target_date=certificate.expiry_date,
        renewal_of=certificate,
        note=note,
    )
    _event(previous, actor=actor, kind=CaseEvent.Kind.RENEWAL_OPENED, note=certificate.number)
    return case
