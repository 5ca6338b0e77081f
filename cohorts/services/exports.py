"""Export records, their verification, and the new exporters ("Eksportir baru") it produces.

Values: ``value_idr`` is ``value × exchange_rate`` (rupiah per unit of the currency), rounded
to whole rupiah. ``value_usd`` is ``value`` itself for a USD shipment; for any other currency
the caller gives either ``usd_rate`` (rupiah per US dollar, from the same source and date as
the exchange rate), from which ``value_usd = value_idr / usd_rate``, or ``value_usd`` directly
(for example as printed on the PEB). One of the two is required: a record without a dollar
value would drop out of the funders' totals.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from accounts import services as account_services
from accounts.models import Enterprise, User
from cohorts.models import Enrollment, EnterpriseSnapshot, ExportRecord, Graduation, Program
from cohorts.permissions import require_program_staff

# ISO 4217 active codes (2024). Funds codes and precious metals are left out on purpose.
ISO_4217_CODES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
    FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY
    KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP
    MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR
    RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT
    TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR
    ZMW ZWG
    """.split()  # noqa: SIM905  (a block is easier to check against the standard)
)

EVIDENCE_FIELDS = (
    "peb_number",
    "peb_date",
    "npe_number",
    "exporter_name",
    "invoice_or_po_number",
    "platform_name",
    "platform_order_report",
    "airway_bill_number",
)

# channel -> (required evidence, evidence also allowed)
CHANNEL_EVIDENCE: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    ExportRecord.Channel.DIRECT: (frozenset({"peb_number", "peb_date", "npe_number"}), frozenset()),
    ExportRecord.Channel.VIA_EXPORTER: (
        frozenset({"exporter_name", "peb_number", "invoice_or_po_number"}),
        frozenset({"peb_date"}),
    ),
    ExportRecord.Channel.MARKETPLACE: (
        frozenset({"platform_name", "platform_order_report"}),
        frozenset(),
    ),
    ExportRecord.Channel.COURIER: (frozenset({"airway_bill_number"}), frozenset()),
}

# An enrollment counts as joining only if the enterprise took its seat (``enrolled_at`` set):
# an applicant turned away, or one that withdrew before the class began, never joined.
JOINED_STATUSES = (
    Enrollment.Status.ENROLLED,
    Enrollment.Status.COMPLETED,
    Enrollment.Status.NOT_COMPLETED,
    Enrollment.Status.WITHDRAWN,
    Enrollment.Status.REMOVED,
)

CENT = Decimal("0.01")

# How far an enterprise's export status goes; a verified export never lowers it.
EXPORT_STATUS_RANK = {
    Enterprise.ExportStatus.NONE: 0,
    Enterprise.ExportStatus.INDIRECT: 1,
    Enterprise.ExportStatus.DIRECT: 2,
}

# First key of the PostgreSQL advisory lock taken per PEB number (the second is its hash).
PEB_LOCK_NAMESPACE = 7301


def normalise_peb(number: str | None) -> str:
    """A PEB number as stored and compared: no surrounding spaces, upper case."""
    return (number or "").strip().upper()


def require_export_staff(actor: User | None, program: Program | None, enterprise_id: int) -> None:
    """The programme's office decides on the exports that count for it; an export that counts
    for no programme belongs to the office that registered the enterprise."""
    if program is not None:
        require_program_staff(actor, program)
        return
    if actor is not None and roles.is_platform_admin(actor):
        return
    offices = roles.office_ids(actor) if actor is not None else set()
    if not Enterprise.objects.filter(pk=enterprise_id, registered_by_id__in=offices).exists():
        raise ValidationError(
            _("Only the staff of the office that registered this enterprise may do this."),
            code="permission",
        )


def _decimal(value, label: str) -> Decimal:
    if value is None or value == "":
        raise ValidationError(_("%(field)s is missing.") % {"field": label})
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(field)s is not a number.") % {"field": label}) from None
    if not number.is_finite():
        raise ValidationError(_("%(field)s is not a number.") % {"field": label})
    return number


def _check_evidence(channel: str, evidence: dict) -> None:
    if channel not in CHANNEL_EVIDENCE:
        raise ValidationError(_("Choose the channel of the shipment."))
    required, optional = CHANNEL_EVIDENCE[channel]
    label = ExportRecord.Channel(channel).label
    given = {name for name, value in evidence.items() if value not in (None, "")}

    def names(fields):
        return ", ".join(str(ExportRecord._meta.get_field(n).verbose_name) for n in sorted(fields))

    missing = required - given
    if missing:
        raise ValidationError(
            _("For “%(channel)s” the evidence needs: %(names)s.")
            % {"channel": label, "names": names(missing)}
        )
    foreign = given - required - optional
    if foreign:
        raise ValidationError(
            _("This evidence does not belong to “%(channel)s”: %(names)s.")
            % {"channel": label, "names": names(foreign)}
        )


def export_values(
    *,
    value,
    currency: str,
    exchange_rate,
    usd_rate=None,
    value_usd=None,
) -> tuple[Decimal, str, Decimal, int, Decimal]:
    """Check the amount and rates; return (value, currency, rate, value in IDR, value in USD)."""
    value = _decimal(value, _("The value"))
    if value <= 0:
        raise ValidationError(_("The value must be more than zero."))
    currency = (currency or "").strip().upper()
    if currency not in ISO_4217_CODES:
        raise ValidationError(
            _("“%(code)s” is not an ISO 4217 currency code.") % {"code": currency or "—"}
        )
    rate = _decimal(exchange_rate, _("The exchange rate"))
    if rate <= 0:
        raise ValidationError(_("The exchange rate must be more than zero."))
    if currency == "IDR" and rate != 1:
        raise ValidationError(_("A value in rupiah has an exchange rate of 1."))
    value_idr = int((value * rate).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    if currency == "USD":
        usd = value
    elif value_usd not in (None, ""):
        usd = _decimal(value_usd, _("The value in USD"))
        if usd < 0:
            raise ValidationError(_("The value in USD cannot be negative."))
    elif usd_rate not in (None, ""):
        per_dollar = _decimal(usd_rate, _("The USD rate"))
        if per_dollar <= 0:
            raise ValidationError(_("The USD rate must be more than zero."))
        usd = Decimal(value_idr) / per_dollar
    else:
        raise ValidationError(
            _(
                "Give the rupiah rate of the US dollar (or the value in USD) "
                "for a shipment in %(code)s."
            )
            % {"code": currency}
        )
    return value, currency, rate, value_idr, usd.quantize(CENT, rounding=ROUND_HALF_UP)


def _joined(**filters):
    return Enrollment.objects.filter(
        status__in=JOINED_STATUSES, enrolled_at__isnull=False, **filters
    )


def _program_of(enterprise: Enterprise) -> Program | None:
    enrollment = (
        _joined(enterprise=enterprise)
        .select_related("program")
        .order_by("-enrolled_at", "-pk")
        .first()
    )
    return enrollment.program if enrollment else None


def export_record_build(
    *,
    enterprise: Enterprise,
    actor: User | None,
    export_date: dt.date,
    channel: str,
    destination_country: str,
    hs_code: str,
    value,
    currency: str,
    exchange_rate,
    exchange_rate_date: dt.date | None,
    exchange_rate_source: str,
    usd_rate=None,
    value_usd=None,
    program: Program | None = None,
    buyer_name: str = "",
    product=None,
    **evidence,
) -> ExportRecord:
    """Check a shipment and return it unsaved, its values computed. Forms call it to show a
    refusal next to the input; ``export_record_create`` calls it before saving."""
    unknown = set(evidence) - set(EVIDENCE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    evidence = {
        name: (value.strip() if isinstance(value, str) else value)
        for name, value in evidence.items()
    }
    if evidence.get("peb_number"):
        evidence["peb_number"] = normalise_peb(evidence["peb_number"])
    today = timezone.localdate()
    if export_date is None:
        raise ValidationError(_("The export date is missing."))
    if export_date > today:
        raise ValidationError(_("An export cannot be dated in the future."))
    if exchange_rate_date is None:
        raise ValidationError(_("The date of the exchange rate is missing."))
    if exchange_rate_date > today:
        raise ValidationError(_("The exchange rate cannot be dated in the future."))
    if not (exchange_rate_source or "").strip():
        raise ValidationError(_("Name the source of the exchange rate."))
    _check_evidence(channel, evidence)
    if evidence.get("peb_date") and evidence["peb_date"] > today:
        raise ValidationError(_("The PEB cannot be dated in the future."))
    if product is not None and product.enterprise_id != enterprise.pk:
        raise ValidationError(_("The product belongs to another enterprise."))
    value, currency, rate, value_idr, usd = export_values(
        value=value,
        currency=currency,
        exchange_rate=exchange_rate,
        usd_rate=usd_rate,
        value_usd=value_usd,
    )
    record = ExportRecord(
        enterprise=enterprise,
        program=program or _program_of(enterprise),
        export_date=export_date,
        channel=channel,
        destination_country=destination_country,
        buyer_name=(buyer_name or "").strip(),
        product=product,
        hs_code=(hs_code or "").replace(".", "").strip(),
        value=value,
        currency=currency,
        exchange_rate=rate,
        exchange_rate_date=exchange_rate_date,
        exchange_rate_source=exchange_rate_source.strip(),
        value_idr=value_idr,
        value_usd=usd,
        reported_by=actor,
        **{
            name: evidence.get(name) or ("" if name != "peb_date" else None)
            for name in EVIDENCE_FIELDS
        },
    )
    record.full_clean()
    return record


@transaction.atomic
def export_record_create(*, actor: User | None, **fields) -> ExportRecord:
    """Record a reported shipment with the evidence its channel produces (arguments as for
    ``export_record_build``). Only the staff of the programme's office (of the office that
    registered the enterprise, for an export counting for no programme) record it. A PEB
    number that another enterprise already claimed is flagged on every record carrying it,
    for review, not refused. The programme defaults to the one the enterprise most recently
    took a seat in."""
    record = export_record_build(actor=actor, **fields)
    # A member reports its own enterprise's shipment; the office verifies it.
    if actor is None or record.enterprise_id not in roles.enterprise_ids(actor):
        require_export_staff(actor, record.program, record.enterprise_id)
    _lock_peb(record.peb_number)
    record._history_user = actor
    record.save()
    _flag_shared_peb(record, actor)
    return record


def _lock_peb(peb_number: str) -> None:
    """Queue the records of one PEB number behind each other until the transaction ends, so
    two enterprises claiming it at the same moment both see the other's record. (SQLite
    allows one writer at a time anyway.)"""
    if not peb_number or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [PEB_LOCK_NAMESPACE, peb_number]
        )


def _flag_shared_peb(record: ExportRecord, actor: User | None) -> None:
    """Flag every record of the PEB number when more than one enterprise claims it."""
    if not record.peb_number:
        return
    sharing = list(
        ExportRecord.objects.select_for_update().filter(peb_number=record.peb_number).order_by("pk")
    )
    if len({other.enterprise_id for other in sharing}) < 2:
        return
    for other in sharing:
        if not other.peb_flagged:
            other.peb_flagged = True
            other._history_user = actor
            other.save(update_fields=["peb_flagged"])
            if other.pk == record.pk:
                record.peb_flagged = True


# --- new exporters ------------------------------------------------------------------------


def _first_seat(enterprise: Enterprise, program: Program) -> Enrollment | None:
    return _joined(enterprise=enterprise, program=program).order_by("enrolled_at", "pk").first()


def enterprise_joined_on(*, enterprise: Enterprise, program: Program) -> dt.date | None:
    """The day the enterprise took its first seat in the programme, or None if it never did
    (an application alone, even one withdrawn or turned away later, is not joining)."""
    enrollment = _first_seat(enterprise, program)
    if enrollment is None:
        return None
    return timezone.localdate(enrollment.enrolled_at)


def enterprise_exported_at_intake(*, enterprise: Enterprise, program: Program) -> bool:
    """Whether the enterprise already exported (directly or through others) when it joined:
    a verified export of it dated before the day it joined (in any programme, or none), or
    its intake snapshot says so, or else its record as it stood when it took its seat."""
    enrollment = _first_seat(enterprise, program)
    if enrollment is not None and (
        ExportRecord.objects.filter(
            enterprise=enterprise,
            status=ExportRecord.Status.VERIFIED,
            export_date__lt=timezone.localdate(enrollment.enrolled_at),
        ).exists()
    ):
        return True
    snapshot = EnterpriseSnapshot.objects.filter(
        enterprise=enterprise, program=program, moment=EnterpriseSnapshot.Moment.INTAKE
    ).first()
    if snapshot is not None:
        return snapshot.export_status != Enterprise.ExportStatus.NONE
    status = enterprise.export_status
    if enrollment is not None:
        began = enrollment.enrolled_at
        past = enterprise.history.filter(history_date__lte=began).order_by("-history_date").first()
        if past is None:  # no history from before: the oldest we have
            past = enterprise.history.order_by("history_date").first()
        if past is not None:
            status = past.export_status
    return status != Enterprise.ExportStatus.NONE


def _lock_enterprise(enterprise_id: int) -> Enterprise:
    # Every verification of one enterprise's exports queues here, so two staff verifying two
    # exports at the same moment cannot both see "no graduation yet".
    return Enterprise.objects.select_for_update().get(pk=enterprise_id)


def _programs_seated_on(enterprise: Enterprise, day: dt.date) -> list[Program]:
    """The programmes the enterprise held a seat in on the day: taken on or before it and not
    ended before it. With none open that day, the programme of its last seat taken before."""
    seats = [
        enrollment
        for enrollment in _joined(enterprise=enterprise)
        .select_related("program")
        .order_by("enrolled_at", "pk")
        if timezone.localdate(enrollment.enrolled_at) <= day
    ]
    seated = {
        enrollment.program_id: enrollment.program
        for enrollment in seats
        if enrollment.ended_at is None or timezone.localdate(enrollment.ended_at) >= day
    }
    if not seated and seats:
        seated = {seats[-1].program_id: seats[-1].program}
    return list(seated.values())


def _qualifying_export(enterprise: Enterprise) -> ExportRecord | None:
    """The export that makes the enterprise a new exporter under the rule stated on
    ``Graduation``, or None."""
    first_seat = _joined(enterprise=enterprise).order_by("enrolled_at", "pk").first()
    if first_seat is None:
        return None
    joined_on = enterprise_joined_on(enterprise=enterprise, program=first_seat.program)
    if joined_on is None:
        return None
    if enterprise_exported_at_intake(enterprise=enterprise, program=first_seat.program):
        return None
    return (
        ExportRecord.objects.filter(
            enterprise=enterprise,
            status=ExportRecord.Status.VERIFIED,
            export_date__gte=joined_on,
        )
        .order_by("export_date", "pk")
        .first()
    )


def _settle_graduation(*, enterprise: Enterprise, actor: User, reason: str) -> Graduation | None:
    """Make the enterprise's graduation match the rule: keep it when its export still
    qualifies; otherwise revoke it (with the reason) and graduate at the export that now
    qualifies, if any. The caller holds the enterprise's row lock."""
    current = (
        Graduation.objects.select_for_update()
        .filter(enterprise=enterprise, revoked_at__isnull=True)
        .first()
    )
    target = _qualifying_export(enterprise)
    if current is not None and target is not None and current.export_record_id == target.pk:
        return current
    if current is not None:
        current.revoked_at, current.revoked_by = timezone.now(), actor
        current.revoke_reason = reason
        current._history_user = actor
        current.save()
    if target is None:
        return None
    graduation = Graduation(
        enterprise=enterprise,
        export_record=target,
        graduated_on=target.export_date,
    )
    graduation._history_user = actor
    graduation.save()
    graduation.programs.set(_programs_seated_on(enterprise, target.export_date))
    return graduation


def _mark_new_destinations(enterprise_id: int, actor: User) -> None:
    """Set "new destination" on each verified export of the enterprise to a country none of
    its earlier verified exports went to (by export date, then by the order recorded)."""
    seen: set[str] = set()
    for record in (
        ExportRecord.objects.select_for_update()
        .filter(enterprise_id=enterprise_id, status=ExportRecord.Status.VERIFIED)
        .order_by("export_date", "pk")
    ):
        country = record.destination_country.code
        is_new = country not in seen
        seen.add(country)
        if record.is_new_destination != is_new:
            record.is_new_destination = is_new
            record._history_user = actor
            record.save(update_fields=["is_new_destination"])


def _export_status_of(channel: str) -> str:
    if channel == ExportRecord.Channel.DIRECT:
        return Enterprise.ExportStatus.DIRECT
    return Enterprise.ExportStatus.INDIRECT


def _raise_export_status(enterprise: Enterprise, record: ExportRecord, actor: User) -> None:
    """A verified export makes the enterprise an exporter: direct for an export under its own
    PEB, indirect otherwise; a status already higher stays."""
    status = _export_status_of(record.channel)
    if EXPORT_STATUS_RANK[status] > EXPORT_STATUS_RANK[enterprise.export_status]:
        account_services.enterprise_update(enterprise=enterprise, actor=actor, export_status=status)


def _restore_export_status(enterprise: Enterprise, record: ExportRecord, actor: User) -> None:
    """After a reversal that leaves the enterprise without any verified export, its status
    goes back to what its record said just before this export was verified (its history),
    or, without history from then, to its intake snapshot for the export's programme. The
    status is only ever lowered here, never raised; with another verified export left it is
    not touched."""
    if ExportRecord.objects.filter(
        enterprise_id=enterprise.pk, status=ExportRecord.Status.VERIFIED
    ).exists():
        return
    before = None
    if record.decided_at is not None:
        past = (
            enterprise.history.filter(history_date__lt=record.decided_at)
            .order_by("-history_date")
            .first()
        )
        before = past.export_status if past is not None else None
    if before is None and record.program_id is not None:
        snapshot = EnterpriseSnapshot.objects.filter(
            enterprise_id=enterprise.pk,
            program_id=record.program_id,
            moment=EnterpriseSnapshot.Moment.INTAKE,
        ).first()
        before = snapshot.export_status if snapshot is not None else None
    if (
        before is not None
        and EXPORT_STATUS_RANK[before] < EXPORT_STATUS_RANK[enterprise.export_status]
    ):
        account_services.enterprise_update(enterprise=enterprise, actor=actor, export_status=before)


def _locked_record(export_record: ExportRecord, actor: User | None) -> ExportRecord:
    record = ExportRecord.objects.select_for_update().get(pk=export_record.pk)
    require_export_staff(actor, record.program, record.enterprise_id)
    return record


@transaction.atomic
def export_verify(*, export_record: ExportRecord, actor: User) -> ExportRecord:
    """Verify a reported export (staff of the programme's office only). The first verified
    export, after joining any programme, of an enterprise that did not export at intake makes
    it a new exporter, once, of every programme it was seated in then (see ``Graduation``;
    an export dated before the one that graduated it moves the graduation to itself); the
    enterprise's export status is raised to what the export shows; the "new destination"
    marks of its exports are set anew."""
    enterprise = _lock_enterprise(export_record.enterprise_id)
    record = _locked_record(export_record, actor)
    if record.status != ExportRecord.Status.REPORTED:
        raise ValidationError(
            _("Only a reported export can be verified; this one is %(status)s.")
            % {"status": record.get_status_display().lower()}
        )
    record.status = ExportRecord.Status.VERIFIED
    record.decided_by, record.decided_at = actor, timezone.now()
    record.rejection_reason = ""
    record._history_user = actor
    record.save()
    _mark_new_destinations(enterprise.pk, actor)
    record.refresh_from_db(fields=["is_new_destination"])
    # Graduation first: the intake rules read the status the enterprise had before this export.
    _settle_graduation(
        enterprise=enterprise,
        actor=actor,
        reason=_("An earlier export, %(record)s, was verified afterwards.") % {"record": record},
    )
    _raise_export_status(enterprise, record, actor)
    return record


@transaction.atomic
def export_reject(*, export_record: ExportRecord, actor: User, reason: str) -> ExportRecord:
    """Reject a reported export, with the reason the enterprise will read."""
    reason = (reason or "").strip()
    record = _locked_record(export_record, actor)
    if not reason:
        raise ValidationError(_("Give the reason for rejecting the export."))
    if record.status != ExportRecord.Status.REPORTED:
        raise ValidationError(
            _("Only a reported export can be rejected; this one is %(status)s.")
            % {"status": record.get_status_display().lower()}
        )
    record.status = ExportRecord.Status.REJECTED
    record.decided_by, record.decided_at = actor, timezone.now()
    record.rejection_reason = reason
    record._history_user = actor
    record.save()
    return record


@transaction.atomic
def export_verification_reverse(
    *, export_record: ExportRecord, actor: User, reason: str
) -> ExportRecord:
    """Take back a verification: the export is reported again, and a graduation it made is
    revoked (recorded with who, when and why). The rule is then applied again: if another
    verified export qualifies, the earliest of them graduates the enterprise anew, naming the
    programmes it was seated in on that export's date. The "new destination" marks
    are set anew; the export status is restored only if no verified export remains (see
    ``_restore_export_status``)."""
    reason = (reason or "").strip()
    enterprise = _lock_enterprise(export_record.enterprise_id)
    record = _locked_record(export_record, actor)
    if not reason:
        raise ValidationError(_("Give the reason for reversing the verification."))
    if record.status != ExportRecord.Status.VERIFIED:
        raise ValidationError(_("Only a verified export can have its verification reversed."))
    verified_at = record.decided_at
    record.status = ExportRecord.Status.REPORTED
    record.decided_by, record.decided_at = actor, timezone.now()
    record.rejection_reason = ""
    record.is_new_destination = False
    record._history_user = actor
    record.save()
    now = record.decided_at
    _settle_graduation(enterprise=enterprise, actor=actor, reason=reason)
    _mark_new_destinations(enterprise.pk, actor)
    record.decided_at = verified_at  # the moment it was verified, to find the status before
    _restore_export_status(enterprise, record, actor)
    record.decided_at = now
    return record
