"""Export records: channel evidence, values in IDR and USD, bad input, PEB shared, decisions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cohorts.models import ExportRecord
from cohorts.services import exports
from tests import factories as f

EVIDENCE = {
    "direct": {"peb_number": "000123", "peb_date": dt.date(2024, 1, 2), "npe_number": "NPE-9"},
    "via_exporter": {
        "exporter_name": "PT Ekspor Bersama",
        "peb_number": "000777",
        "invoice_or_po_number": "PO-11",
    },
    "marketplace": {"platform_name": "Pasar Digital", "platform_order_report": "RPT-2024-01"},
    "courier": {"airway_bill_number": "AWB1234567"},
}


def shipment(enterprise, actor, **changes):
    today = timezone.localdate()
    arguments = {
        "enterprise": enterprise,
        "actor": actor,
        "export_date": today - dt.timedelta(days=5),
        "channel": "courier",
        "destination_country": "JP",
        "hs_code": "0901.11.10",
        "value": Decimal("2000"),
        "currency": "USD",
        "exchange_rate": Decimal("15800"),
        "exchange_rate_date": today - dt.timedelta(days=5),
        "exchange_rate_source": "Bank Indonesia JISDOR",
        "buyer_name": "Tokyo Coffee KK",
        **EVIDENCE.get(changes.get("channel", "courier"), {}),
    }
    arguments.update(changes)
    return exports.export_record_create(**arguments)


@pytest.mark.parametrize("channel", list(EVIDENCE))
def test_each_channel_is_accepted_with_its_own_evidence(enterprise_a, staff_lampung, channel):
    record = shipment(enterprise_a, staff_lampung, channel=channel)
    assert record.status == ExportRecord.Status.REPORTED
    assert record.hs_code == "09011110"
    assert record.value_idr == 31_600_000 and record.value_usd == Decimal("2000.00")
    assert record.history.first().history_user == staff_lampung


@pytest.mark.parametrize(
    ("channel", "evidence", "message"),
    [
        ("direct", {"npe_number": ""}, "needs"),
        ("via_exporter", {"invoice_or_po_number": ""}, "needs"),
        ("marketplace", {"platform_order_report": ""}, "needs"),
        ("courier", {"airway_bill_number": ""}, "needs"),
        ("courier", {"peb_number": "000999"}, "does not belong"),
        ("marketplace", {"airway_bill_number": "AWB1"}, "does not belong"),
        ("direct", {"invoice_or_po_number": "INV-1"}, "does not belong"),
    ],
)
def test_evidence_that_does_not_match_the_channel_is_refused(
    enterprise_a, staff_lampung, channel, evidence, message
):
    with pytest.raises(ValidationError, match=message):
        shipment(enterprise_a, staff_lampung, channel=channel, **evidence)
    assert not ExportRecord.objects.exists()


def test_other_currency_with_usd_rate_gives_both_values(enterprise_a, staff_lampung):
    record = shipment(
        enterprise_a,
        staff_lampung,
        value=Decimal("100000"),
        currency="jpy",
        exchange_rate=Decimal("105.5"),
        usd_rate=Decimal("15800"),
    )
    assert record.currency == "JPY"
    assert record.value_idr == 10_550_000
    assert record.value_usd == Decimal("667.72")  # 10,550,000 / 15,800


def test_other_currency_with_value_usd_given(enterprise_a, staff_lampung):
    record = shipment(
        enterprise_a,
        staff_lampung,
        currency="EUR",
        exchange_rate=Decimal("17000"),
        value_usd="2150",
    )
    assert record.value_idr == 34_000_000 and record.value_usd == Decimal("2150.00")


def test_rupiah_shipment_has_a_rate_of_one(enterprise_a, staff_lampung):
    with pytest.raises(ValidationError):
        shipment(
            enterprise_a, staff_lampung, currency="IDR", exchange_rate=Decimal("2"), usd_rate=1
        )
    record = shipment(
        enterprise_a,
        staff_lampung,
        currency="IDR",
        value=Decimal("31600000"),
        exchange_rate=Decimal("1"),
        usd_rate=Decimal("15800"),
    )
    assert record.value_idr == 31_600_000 and record.value_usd == Decimal("2000.00")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"export_date": timezone.localdate() + dt.timedelta(days=1)}, "future"),
        ({"value": Decimal("-5")}, "more than zero"),
        ({"value": Decimal("0")}, "more than zero"),
        ({"value": "abc"}, "not a number"),
        ({"currency": "XYZ"}, "ISO 4217"),
        ({"currency": "US"}, "ISO 4217"),
        ({"exchange_rate": None}, "missing"),
        ({"exchange_rate": Decimal("0")}, "more than zero"),
        ({"exchange_rate_date": None}, "missing"),
        ({"exchange_rate_date": timezone.localdate() + dt.timedelta(days=1)}, "future"),
        ({"exchange_rate_source": ""}, "source"),
        ({"currency": "EUR"}, "rate of the US dollar"),
        ({"hs_code": "0901"}, "8 digits|HS"),
        ({"channel": "pigeon"}, "channel"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    enterprise_a, staff_lampung, changes, message
):
    with pytest.raises(ValidationError, match=message):
        shipment(enterprise_a, staff_lampung, **changes)
    assert not ExportRecord.objects.exists()


def test_a_peb_claimed_by_two_enterprises_is_flagged_on_both_not_refused(
    enterprise_a, enterprise_b, staff_lampung
):
    first = shipment(enterprise_a, staff_lampung, channel="direct")
    own_again = shipment(enterprise_a, staff_lampung, channel="direct")
    assert not first.peb_flagged and not own_again.peb_flagged
    second = shipment(enterprise_b, staff_lampung, channel="via_exporter", peb_number="000123")
    assert second.peb_flagged
    first.refresh_from_db()
    assert first.peb_flagged
    assert first.history.first().peb_flagged  # recorded in history


def test_reject_needs_a_reason_and_only_from_reported(enterprise_a, staff_lampung):
    record = shipment(enterprise_a, staff_lampung)
    with pytest.raises(ValidationError, match="reason"):
        exports.export_reject(export_record=record, actor=staff_lampung, reason="")
    exports.export_reject(export_record=record, actor=staff_lampung, reason="AWB unreadable")
    record.refresh_from_db()
    assert record.status == ExportRecord.Status.REJECTED
    assert record.rejection_reason == "AWB unreadable" and record.decided_by == staff_lampung
    with pytest.raises(ValidationError):
        exports.export_verify(export_record=record, actor=staff_lampung)
    with pytest.raises(ValidationError):
        exports.export_reject(export_record=record, actor=staff_lampung, reason="again")


def test_verifying_twice_is_refused(enterprise_a, staff_lampung):
    record = shipment(enterprise_a, staff_lampung)
    exports.export_verify(export_record=record, actor=staff_lampung)
    with pytest.raises(ValidationError):
        exports.export_verify(export_record=record, actor=staff_lampung)


def test_new_destination_only_for_a_country_not_exported_to_before(enterprise_a, staff_lampung):
    today = timezone.localdate()
    japan = shipment(enterprise_a, staff_lampung, export_date=today - dt.timedelta(days=30))
    japan_again = shipment(enterprise_a, staff_lampung, export_date=today - dt.timedelta(days=3))
    korea = shipment(enterprise_a, staff_lampung, destination_country="KR")
    for record in (japan, japan_again, korea):
        exports.export_verify(export_record=record, actor=staff_lampung)
    flags = dict(ExportRecord.objects.values_list("pk", "is_new_destination"))
    assert flags == {japan.pk: True, japan_again.pk: False, korea.pk: True}


def test_a_product_of_another_enterprise_is_refused(enterprise_a, enterprise_b, staff_lampung):
    product = f.ProductFactory(enterprise=enterprise_b)
    with pytest.raises(ValidationError, match="another enterprise"):
        shipment(enterprise_a, staff_lampung, product=product)


def test_staff_of_another_office_cannot_record_or_decide_on_an_export(
    enterprise_a, enterprise_jateng, program_lampung, staff_lampung, staff_jateng
):
    with pytest.raises(ValidationError) as refused:
        shipment(enterprise_a, staff_jateng, program=program_lampung)
    assert refused.value.code == "permission" and "programme's office" in str(refused.value)
    record = shipment(enterprise_a, staff_lampung, program=program_lampung)
    for decide in (
        lambda: exports.export_verify(export_record=record, actor=staff_jateng),
        lambda: exports.export_reject(export_record=record, actor=staff_jateng, reason="no"),
    ):
        with pytest.raises(ValidationError) as refused:
            decide()
        assert refused.value.code == "permission"
    exports.export_verify(export_record=record, actor=staff_lampung)
    with pytest.raises(ValidationError) as refused:
        exports.export_verification_reverse(export_record=record, actor=staff_jateng, reason="x")
    assert refused.value.code == "permission"
    record.refresh_from_db()
    assert record.status == ExportRecord.Status.VERIFIED and record.decided_by == staff_lampung
    # an export counting for no programme belongs to the office that registered the enterprise
    with pytest.raises(ValidationError, match="registered this enterprise") as refused:
        shipment(enterprise_jateng, staff_lampung)
    assert refused.value.code == "permission"
    assert ExportRecord.objects.count() == 1


def test_an_export_of_another_offices_programme_is_not_decided_by_the_registering_office(
    enterprise_a, program_jateng, staff_lampung, staff_jateng
):
    record = f.ExportRecordFactory(enterprise=enterprise_a, program=program_jateng)
    with pytest.raises(ValidationError) as refused:
        exports.export_verify(export_record=record, actor=staff_lampung)
    assert refused.value.code == "permission"
    exports.export_verify(export_record=record, actor=staff_jateng)
    record.refresh_from_db()
    assert record.status == ExportRecord.Status.VERIFIED


def test_the_peb_number_is_stored_normalised_and_matched_exactly(
    enterprise_a, enterprise_b, staff_lampung
):
    first = shipment(enterprise_a, staff_lampung, channel="direct", peb_number=" peb-7a ")
    assert first.peb_number == "PEB-7A"
    second = shipment(enterprise_b, staff_lampung, channel="direct", peb_number="Peb-7A")
    assert second.peb_number == "PEB-7A" and second.peb_flagged
    first.refresh_from_db()
    assert first.peb_flagged


def test_new_destination_marks_follow_the_export_dates_whatever_the_verification_order(
    enterprise_a, staff_lampung
):
    today = timezone.localdate()
    later = shipment(enterprise_a, staff_lampung, export_date=today - dt.timedelta(days=3))
    earlier = shipment(enterprise_a, staff_lampung, export_date=today - dt.timedelta(days=30))
    exports.export_verify(export_record=later, actor=staff_lampung)
    exports.export_verify(export_record=earlier, actor=staff_lampung)

    def flags():
        return dict(ExportRecord.objects.values_list("pk", "is_new_destination"))

    assert flags() == {earlier.pk: True, later.pk: False}
    assert later.history.first().history_user == staff_lampung
    exports.export_verification_reverse(
        export_record=earlier, actor=staff_lampung, reason="wrong country"
    )
    assert flags() == {earlier.pk: False, later.pk: True}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_enterprises_claiming_one_peb_at_the_same_moment_are_both_flagged(
    enterprise_a, enterprise_b, staff_lampung, monkeypatch
):
    import threading
    import time

    from django.db import connection

    from tests.conftest import need_postgres

    need_postgres()
    flag = exports._flag_shared_peb

    def slow_flag(record, actor):  # widen the window between the check and the commit
        flag(record, actor)
        time.sleep(0.3)

    monkeypatch.setattr(exports, "_flag_shared_peb", slow_flag)
    barrier = threading.Barrier(2)
    errors = []

    def claim(enterprise):
        try:
            barrier.wait(timeout=10)
            shipment(enterprise, staff_lampung, channel="direct", peb_number="424242")
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(e,)) for e in (enterprise_a, enterprise_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert list(ExportRecord.objects.values_list("peb_flagged", flat=True)) == [True, True]
