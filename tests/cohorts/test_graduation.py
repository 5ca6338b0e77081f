"""New exporters: the first verified export after joining, exactly once; revoked on reversal;
never for an enterprise that already exported; repeat exports counted."""

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Enterprise
from cohorts import selectors
from cohorts.models import Enrollment, ExportRecord, Graduation
from cohorts.services import exports, snapshots
from tests import factories as f
from tests.conftest import need_postgres


def join(enterprise, program, days_ago=60):
    stage = f.StageFactory(program=program)
    return f.EnrollmentFactory(
        enterprise=enterprise,
        cohort=f.CohortFactory(stage=stage),
        status=Enrollment.Status.ENROLLED,
        enrolled_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def report(enterprise, actor, days_ago=10, country="JP", program=None):
    date = timezone.localdate() - dt.timedelta(days=days_ago)
    return exports.export_record_create(
        enterprise=enterprise,
        actor=actor,
        program=program,
        export_date=date,
        channel="courier",
        airway_bill_number=f"AWB{days_ago}{country}",
        destination_country=country,
        hs_code="09011110",
        value=Decimal("500"),
        currency="USD",
        exchange_rate=Decimal("16000"),
        exchange_rate_date=date,
        exchange_rate_source="JISDOR",
    )


def test_first_verified_export_writes_the_graduation_once(
    enterprise_a, program_lampung, staff_lampung
):
    join(enterprise_a, program_lampung)
    first = report(enterprise_a, staff_lampung, days_ago=20)
    second = report(enterprise_a, staff_lampung, days_ago=5)
    assert first.program == program_lampung  # the programme it joined
    exports.export_verify(export_record=first, actor=staff_lampung)
    exports.export_verify(export_record=second, actor=staff_lampung)
    graduation = Graduation.objects.get()
    assert graduation.export_record == first
    assert list(graduation.programs.all()) == [program_lampung]
    assert graduation.graduated_on == first.export_date
    assert graduation.history.first().history_user == staff_lampung


def test_reported_or_rejected_exports_do_not_graduate(enterprise_a, program_lampung, staff_lampung):
    join(enterprise_a, program_lampung)
    record = report(enterprise_a, staff_lampung)
    exports.export_reject(export_record=record, actor=staff_lampung, reason="no AWB scan")
    assert not Graduation.objects.exists()


def test_an_export_before_joining_does_not_graduate(enterprise_a, program_lampung, staff_lampung):
    join(enterprise_a, program_lampung, days_ago=5)
    record = report(enterprise_a, staff_lampung, days_ago=30)
    exports.export_verify(export_record=record, actor=staff_lampung)
    assert not Graduation.objects.exists()


def test_an_enterprise_exporting_at_intake_never_graduates_but_counts_new_destinations(
    enterprise_a, program_lampung, staff_lampung
):
    enterprise_a.export_status = Enterprise.ExportStatus.INDIRECT
    enterprise_a.save()
    enrollment = join(enterprise_a, program_lampung)
    snapshots.snapshot_record(
        enterprise=enterprise_a, program=program_lampung, moment="intake", actor=staff_lampung
    )
    enrollment.refresh_from_db()
    record = report(enterprise_a, staff_lampung, country="AU")
    exports.export_verify(export_record=record, actor=staff_lampung)
    assert not Graduation.objects.exists()
    record.refresh_from_db()
    assert record.is_new_destination


def test_intake_status_comes_from_the_record_when_the_enrollment_began(
    enterprise_a, enterprise_b, program_lampung, staff_lampung
):
    # enterprise_a: not exporting when it joined, its record said "direct" afterwards
    join(enterprise_a, program_lampung, days_ago=0)
    account_services.enterprise_update(
        enterprise=enterprise_a, actor=staff_lampung, export_status=Enterprise.ExportStatus.DIRECT
    )
    # enterprise_b: exporting directly when it joined, later set back to "none"
    account_services.enterprise_update(
        enterprise=enterprise_b, actor=staff_lampung, export_status=Enterprise.ExportStatus.DIRECT
    )
    join(enterprise_b, program_lampung, days_ago=0)
    account_services.enterprise_update(
        enterprise=enterprise_b, actor=staff_lampung, export_status=Enterprise.ExportStatus.NONE
    )
    for enterprise in (enterprise_a, enterprise_b):
        record = report(enterprise, staff_lampung, days_ago=0)
        exports.export_verify(export_record=record, actor=staff_lampung)
    assert list(Graduation.objects.values_list("enterprise_id", flat=True)) == [enterprise_a.pk]


def test_reversing_the_verification_revokes_the_graduation_with_a_record(
    enterprise_a, program_lampung, staff_lampung, manager_lampung
):
    join(enterprise_a, program_lampung)
    record = report(enterprise_a, staff_lampung)
    exports.export_verify(export_record=record, actor=staff_lampung)
    with pytest.raises(ValidationError, match="reason"):
        exports.export_verification_reverse(export_record=record, actor=manager_lampung, reason="")
    exports.export_verification_reverse(
        export_record=record, actor=manager_lampung, reason="PEB belongs to another IKM"
    )
    graduation = Graduation.objects.get()
    assert graduation.revoked_at is not None and graduation.revoked_by == manager_lampung
    assert graduation.revoke_reason == "PEB belongs to another IKM"
    assert graduation.history.first().history_user == manager_lampung
    record.refresh_from_db()
    assert record.status == ExportRecord.Status.REPORTED
    assert not selectors.graduations_with_repeat_exports().filter(revoked_at__isnull=True).exists()
    # verifying it again graduates anew
    exports.export_verify(export_record=record, actor=staff_lampung)
    assert Graduation.objects.filter(revoked_at__isnull=True).count() == 1
    assert Graduation.objects.count() == 2


def test_after_a_revocation_the_next_verified_export_becomes_the_first(
    enterprise_a, program_lampung, staff_lampung
):
    join(enterprise_a, program_lampung)
    first = report(enterprise_a, staff_lampung, days_ago=20)
    later = report(enterprise_a, staff_lampung, days_ago=10)
    exports.export_verify(export_record=first, actor=staff_lampung)
    exports.export_verify(export_record=later, actor=staff_lampung)
    exports.export_verification_reverse(export_record=first, actor=staff_lampung, reason="wrong")
    active = Graduation.objects.get(revoked_at__isnull=True)
    assert active.export_record == later


def test_repeat_exports_within_12_months_of_graduation_are_counted(
    enterprise_a, program_lampung, staff_lampung
):
    join(enterprise_a, program_lampung, days_ago=800)
    first = report(enterprise_a, staff_lampung, days_ago=500)
    exports.export_verify(export_record=first, actor=staff_lampung)
    for days_ago in (400, 200, 136):  # 100, 300 and 364 days after graduating
        exports.export_verify(
            export_record=report(enterprise_a, staff_lampung, days_ago=days_ago),
            actor=staff_lampung,
        )
    exports.export_verify(  # 400 days after: outside the window
        export_record=report(enterprise_a, staff_lampung, days_ago=100), actor=staff_lampung
    )
    report(enterprise_a, staff_lampung, days_ago=300, country="KR")  # reported, not verified
    [graduation] = selectors.graduations_with_repeat_exports()
    assert graduation.repeat_exports == 3


def test_repeat_exports_are_zero_without_any(enterprise_a, program_lampung, staff_lampung):
    join(enterprise_a, program_lampung)
    exports.export_verify(export_record=report(enterprise_a, staff_lampung), actor=staff_lampung)
    [graduation] = selectors.graduations_with_repeat_exports()
    assert graduation.repeat_exports == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_verifying_two_exports_at_once_graduate_the_enterprise_once(
    enterprise_a, program_lampung, staff_lampung, manager_lampung, monkeypatch
):
    need_postgres()
    joined_on = exports.enterprise_joined_on

    def slow_joined_on(**kwargs):  # widen the window between "none yet" and the insert
        time.sleep(0.3)
        return joined_on(**kwargs)

    monkeypatch.setattr(exports, "enterprise_joined_on", slow_joined_on)
    join(enterprise_a, program_lampung)
    records = [report(enterprise_a, staff_lampung, days_ago=d) for d in (20, 10)]
    barrier = threading.Barrier(2)
    errors = []

    def verify(record, actor):
        try:
            barrier.wait(timeout=10)
            exports.export_verify(export_record=record, actor=actor)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=verify, args=(record, actor))
        for record, actor in zip(records, [staff_lampung, manager_lampung], strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert ExportRecord.objects.filter(status=ExportRecord.Status.VERIFIED).count() == 2
    assert Graduation.objects.filter(enterprise=enterprise_a, revoked_at__isnull=True).count() == 1


@pytest.mark.parametrize("status", [Enrollment.Status.WITHDRAWN, Enrollment.Status.REMOVED])
def test_an_applicant_who_never_took_a_seat_does_not_become_a_new_exporter(
    enterprise_a, program_lampung, staff_lampung, status
):
    f.EnrollmentFactory(
        enterprise=enterprise_a,
        stage=f.StageFactory(program=program_lampung),
        status=status,
        enrolled_at=None,
    )
    assert exports.enterprise_joined_on(enterprise=enterprise_a, program=program_lampung) is None
    record = report(enterprise_a, staff_lampung, program=program_lampung)
    exports.export_verify(export_record=record, actor=staff_lampung)
    assert not Graduation.objects.exists()
    # nor is the programme taken as the one its exports count for
    assert report(enterprise_a, staff_lampung, days_ago=3).program is None


def test_verification_raises_the_export_status_and_never_lowers_it(
    enterprise_a, program_lampung, staff_lampung
):
    join(enterprise_a, program_lampung)
    courier = report(enterprise_a, staff_lampung, days_ago=20)
    exports.export_verify(export_record=courier, actor=staff_lampung)
    enterprise_a.refresh_from_db()
    assert enterprise_a.export_status == Enterprise.ExportStatus.INDIRECT
    assert enterprise_a.history.first().history_user == staff_lampung
    direct = exports.export_record_create(
        enterprise=enterprise_a,
        actor=staff_lampung,
        export_date=timezone.localdate() - dt.timedelta(days=10),
        channel="direct",
        peb_number="000321",
        peb_date=timezone.localdate() - dt.timedelta(days=11),
        npe_number="NPE-1",
        destination_country="JP",
        hs_code="09011110",
        value=Decimal("500"),
        currency="USD",
        exchange_rate=Decimal("16000"),
        exchange_rate_date=timezone.localdate() - dt.timedelta(days=10),
        exchange_rate_source="JISDOR",
    )
    exports.export_verify(export_record=direct, actor=staff_lampung)
    later = report(enterprise_a, staff_lampung, days_ago=5)
    exports.export_verify(export_record=later, actor=staff_lampung)
    enterprise_a.refresh_from_db()
    assert enterprise_a.export_status == Enterprise.ExportStatus.DIRECT
    # reversing while another verified export remains leaves the status alone ...
    exports.export_verification_reverse(export_record=direct, actor=staff_lampung, reason="x")
    exports.export_verification_reverse(export_record=later, actor=staff_lampung, reason="x")
    enterprise_a.refresh_from_db()
    assert enterprise_a.export_status == Enterprise.ExportStatus.DIRECT
    # ... and with none left it goes back to what it was before the verification
    exports.export_verification_reverse(export_record=courier, actor=staff_lampung, reason="x")
    enterprise_a.refresh_from_db()
    assert enterprise_a.export_status == Enterprise.ExportStatus.NONE


def test_an_enterprise_does_not_graduate_again_in_its_second_programme(
    enterprise_a, program_lampung, staff_lampung, office_lampung
):
    second_program = f.ProgramFactory(office=office_lampung, name="Forum Ekspor Lampung II")
    join(enterprise_a, program_lampung, days_ago=90)
    exports.export_verify(
        export_record=report(enterprise_a, staff_lampung, days_ago=60), actor=staff_lampung
    )
    join(enterprise_a, second_program, days_ago=30)
    record = report(enterprise_a, staff_lampung, days_ago=10, country="KR")
    assert record.program == second_program
    assert exports.enterprise_exported_at_intake(enterprise=enterprise_a, program=second_program)
    exports.export_verify(export_record=record, actor=staff_lampung)
    [graduation] = Graduation.objects.all()
    assert list(graduation.programs.all()) == [program_lampung]


def end_seat(enrollment, days_ago):
    enrollment.status = Enrollment.Status.COMPLETED
    enrollment.ended_at = timezone.now() - dt.timedelta(days=days_ago)
    enrollment.save()


def test_seated_in_two_programmes_at_once_graduates_once_naming_both(
    enterprise_a, program_lampung, staff_lampung, office_lampung
):
    second_program = f.ProgramFactory(office=office_lampung, name="Forum Ekspor Lampung II")
    join(enterprise_a, program_lampung, days_ago=90)
    join(enterprise_a, second_program, days_ago=60)
    # the first export counts for the second programme, a later one for the first
    first = report(enterprise_a, staff_lampung, days_ago=30, program=second_program)
    later = report(enterprise_a, staff_lampung, days_ago=10, program=program_lampung)
    exports.export_verify(export_record=first, actor=staff_lampung)
    exports.export_verify(export_record=later, actor=staff_lampung)
    [graduation] = Graduation.objects.all()
    assert graduation.export_record == first
    assert set(graduation.programs.all()) == {program_lampung, second_program}
    # each programme counts it once
    for program in (program_lampung, second_program):
        assert Graduation.objects.filter(programs=program).count() == 1


def test_consecutive_programmes_graduate_once_in_the_one_seated_at_the_export(
    enterprise_a, program_lampung, staff_lampung, office_lampung
):
    second_program = f.ProgramFactory(office=office_lampung, name="Forum Ekspor Lampung II")
    end_seat(join(enterprise_a, program_lampung, days_ago=120), days_ago=90)
    join(enterprise_a, second_program, days_ago=60)
    first = report(enterprise_a, staff_lampung, days_ago=30)
    assert first.program == second_program
    exports.export_verify(export_record=first, actor=staff_lampung)
    later = report(enterprise_a, staff_lampung, days_ago=10, program=program_lampung)
    exports.export_verify(export_record=later, actor=staff_lampung)
    [graduation] = Graduation.objects.all()
    assert graduation.export_record == first
    assert list(graduation.programs.all()) == [second_program]


def test_an_export_between_two_programmes_counts_for_the_last_one_joined(
    enterprise_a, program_lampung, staff_lampung, office_lampung
):
    second_program = f.ProgramFactory(office=office_lampung, name="Forum Ekspor Lampung II")
    end_seat(join(enterprise_a, program_lampung, days_ago=120), days_ago=90)
    between = report(enterprise_a, staff_lampung, days_ago=70, program=program_lampung)
    join(enterprise_a, second_program, days_ago=60)
    exports.export_verify(export_record=between, actor=staff_lampung)
    exports.export_verify(
        export_record=report(enterprise_a, staff_lampung, days_ago=10), actor=staff_lampung
    )
    [graduation] = Graduation.objects.all()
    assert graduation.export_record == between
    assert list(graduation.programs.all()) == [program_lampung]


def test_reversal_graduates_at_the_earliest_remaining_export_with_its_programmes(
    enterprise_a, program_lampung, staff_lampung, office_lampung
):
    second_program = f.ProgramFactory(office=office_lampung, name="Forum Ekspor Lampung II")
    join(enterprise_a, program_lampung, days_ago=90)
    first = report(enterprise_a, staff_lampung, days_ago=70, program=program_lampung)
    join(enterprise_a, second_program, days_ago=60)
    later = report(enterprise_a, staff_lampung, days_ago=10, program=second_program)
    exports.export_verify(export_record=first, actor=staff_lampung)
    exports.export_verify(export_record=later, actor=staff_lampung)
    assert list(Graduation.objects.get().programs.all()) == [program_lampung]
    exports.export_verification_reverse(export_record=first, actor=staff_lampung, reason="wrong")
    revoked = Graduation.objects.get(revoked_at__isnull=False)
    assert revoked.export_record == first and revoked.revoke_reason == "wrong"
    active = Graduation.objects.get(revoked_at__isnull=True)
    assert active.export_record == later
    assert set(active.programs.all()) == {program_lampung, second_program}
    # reversing the export that no longer graduates it changes nothing
    exports.export_verify(export_record=first, actor=staff_lampung)
    active = Graduation.objects.get(revoked_at__isnull=True)
    assert active.export_record == first
    exports.export_verification_reverse(export_record=later, actor=staff_lampung, reason="x")
    assert Graduation.objects.get(revoked_at__isnull=True) == active


def test_an_earlier_export_verified_later_takes_the_graduation(
    enterprise_a, program_lampung, staff_lampung
):
    join(enterprise_a, program_lampung, days_ago=90)
    earlier = report(enterprise_a, staff_lampung, days_ago=40)
    later = report(enterprise_a, staff_lampung, days_ago=10)
    exports.export_verify(export_record=later, actor=staff_lampung)
    exports.export_verify(export_record=earlier, actor=staff_lampung)
    active = Graduation.objects.get(revoked_at__isnull=True)
    assert active.export_record == earlier
    revoked = Graduation.objects.get(revoked_at__isnull=False)
    assert revoked.export_record == later and revoked.revoked_by == staff_lampung
