"""Export records, reported and decided through the export services.

Verification is what makes a new exporter ("Eksportir baru"): ``export_verify`` writes the
graduation when the rules say so; the demo never writes one itself.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from accounts.models import Enterprise
from cohorts.models import ExportRecord, Level, Program
from cohorts.services import exports
from seeds import catalogue
from seeds.demo.common import EUR_RATE, RATE_SOURCE, USD_RATE, Demo, settle

CHANNELS = (
    ExportRecord.Channel.VIA_EXPORTER,
    ExportRecord.Channel.DIRECT,
    ExportRecord.Channel.COURIER,
    ExportRecord.Channel.MARKETPLACE,
)
DECIDED_AFTER_DAYS = 10
REJECTION_REASON = "Nama eksportir pada PEB tidak sesuai dengan invoice."


def evidence_for(demo: Demo, channel: str, day: dt.date, peb_number: str = "") -> dict:
    """The documents each channel produces."""
    rng = demo.rng
    if channel == ExportRecord.Channel.DIRECT:
        return {
            "peb_number": peb_number or f"{rng.randint(100000, 999999):06d}",
            "peb_date": day - dt.timedelta(days=2),
            "npe_number": f"{rng.randint(100000, 999999)}",
        }
    if channel == ExportRecord.Channel.VIA_EXPORTER:
        return {
            "peb_number": peb_number or f"{rng.randint(100000, 999999):06d}",
            "peb_date": day - dt.timedelta(days=2),
            "exporter_name": "PT Lampung Ekspor Bersama",
            "invoice_or_po_number": f"PO-{day:%Y%m}-{rng.randint(100, 999)}",
        }
    if channel == ExportRecord.Channel.MARKETPLACE:
        return {
            "platform_name": "Pasar Nusantara Global",
            "platform_order_report": f"ORD-{day:%Y%m%d}-{rng.randint(1000, 9999)}",
        }
    return {"airway_bill_number": f"AWB{rng.randint(10_000_000, 99_999_999)}"}


def report(
    demo: Demo,
    *,
    enterprise: Enterprise,
    program: Program,
    day: int,
    channel: str | None = None,
    peb_number: str = "",
) -> ExportRecord:
    """A shipment reported by the office on the enterprise's behalf, ``day`` days from today."""
    rng = demo.rng
    shipped = demo.day(day)
    channel = channel or rng.choice(CHANNELS)
    product = enterprise.products.first()
    euro = rng.random() < 0.2
    return exports.export_record_create(
        actor=demo.users["lampung"],
        enterprise=enterprise,
        program=program,
        export_date=shipped,
        channel=channel,
        destination_country=rng.choice(catalogue.EXPORT_DESTINATIONS),
        buyer_name=demo.fake.company() + " Trading",
        product=product,
        hs_code=product.hs_code if product else "09011190",
        value=Decimal(rng.randrange(2_000, 40_000, 250)),
        currency="EUR" if euro else "USD",
        exchange_rate=EUR_RATE if euro else USD_RATE,
        exchange_rate_date=shipped,
        exchange_rate_source=RATE_SOURCE,
        usd_rate=USD_RATE if euro else None,
        **evidence_for(demo, channel, shipped, peb_number),
    )


def settle_decision(demo: Demo, record: ExportRecord) -> None:
    """The office decided ten days after the shipment."""
    decided_at = demo.at(record.export_date + dt.timedelta(days=DECIDED_AFTER_DAYS), 14)
    settle(ExportRecord.objects.filter(pk=record.pk), decided_at=decided_at)


def verify(demo: Demo, record: ExportRecord) -> ExportRecord:
    record = exports.export_verify(export_record=record, actor=demo.users["lampung"])
    settle_decision(demo, record)
    return record


def build_lampung_exports(
    demo: Demo,
    program: Program,
    classes: dict[str, list[Enterprise]],
    pre_exporters: list[Enterprise],
) -> None:
    staff = demo.users["lampung"]
    # Enterprises that already exported keep exporting; a new country is marked as such.
    for index, enterprise in enumerate(pre_exporters[:8]):
        verify(demo, report(demo, enterprise=enterprise, program=program, day=-100 + 9 * index))
    # First exports after joining: verifying them makes new exporters and raises the
    # enterprise's export status.
    newcomers = classes[Level.MAHIR][12:17] + classes[Level.MENENGAH][6:7]
    for index, enterprise in enumerate(newcomers):
        verify(demo, report(demo, enterprise=enterprise, program=program, day=-75 + 8 * index))
    # Waiting for verification, one rejected, and a PEB claimed by two enterprises (one
    # container, two IKM's goods): the service flags both for review.
    report(demo, enterprise=classes[Level.MENENGAH][7], program=program, day=-6)
    rejected = exports.export_reject(
        export_record=report(demo, enterprise=classes[Level.MENENGAH][8], program=program, day=-20),
        actor=staff,
        reason=REJECTION_REASON,
    )
    settle_decision(demo, rejected)
    shared_peb = "331807"
    for enterprise in classes[Level.MAHIR][17:19]:
        report(
            demo,
            enterprise=enterprise,
            program=program,
            day=-9,
            channel=ExportRecord.Channel.VIA_EXPORTER,
            peb_number=shared_peb,
        )
