"""The certification reminder rules: due and not yet due, run twice, cancelled on closing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from certifications import reminders, services
from certifications.models import Case, Certificate
from notifications import kinds
from notifications.models import Reminder
from tests.certifications.conftest import bring_to


def rows(kind):
    return list(Reminder.objects.filter(kind=kind).order_by("pk"))


def set_case(case, **fields):
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()


@pytest.fixture
def today():
    return timezone.localdate()


def test_a_missing_document_is_reminded_before_the_target_date(case, participant_a, today):
    set_case(case, target_date=today + dt.timedelta(days=40))
    assert reminders.remind_documents_missing() == 0  # not yet due
    set_case(case, target_date=today + dt.timedelta(days=10))
    assert reminders.remind_documents_missing() == 1
    assert reminders.remind_documents_missing() == 0
    (row,) = rows(kinds.DOCUMENT_MISSING)
    assert row.recipient == participant_a
    assert row.link == reverse("portal:case_upload", args=[case.pk])


def test_closing_the_request_cancels_its_reminders(case, participant_a, staff_lampung, today):
    set_case(case, target_date=today + dt.timedelta(days=3))
    reminders.remind_documents_missing()
    services.case_withdraw(case=case, actor=staff_lampung, reason="Tidak jadi")
    assert rows(kinds.DOCUMENT_MISSING)[0].status == Reminder.Status.CANCELLED
    assert reminders.remind_documents_missing() == 0  # closed: no longer due


def test_a_revision_near_its_deadline(case, participant_a, staff_lampung, today):
    bring_to(case, Case.Status.REVISION, staff_lampung)
    set_case(case, revision_deadline=today + dt.timedelta(days=20))
    assert reminders.remind_revisions() == 0
    set_case(case, revision_deadline=today + dt.timedelta(days=5))
    assert reminders.remind_revisions() == 1
    assert reminders.remind_revisions() == 0
    assert rows(kinds.REVISION_DEADLINE)[0].recipient == participant_a


def test_an_idle_request_reminds_its_officer(case, staff_lampung, participant_a):
    set_case(case, last_activity_at=timezone.now() - dt.timedelta(days=3))
    assert reminders.remind_idle_cases() == 0
    set_case(case, last_activity_at=timezone.now() - dt.timedelta(days=15))
    assert reminders.remind_idle_cases() == 1
    assert reminders.remind_idle_cases() == 0
    assert rows(kinds.CASE_IDLE)[0].recipient == staff_lampung  # the office, no officer set


@pytest.fixture
def certificate(case, staff_lampung):
    bring_to(case, Case.Status.GRANTED, staff_lampung)
    return case.certificate


def test_an_expiring_certificate_at_90_30_and_7_days(certificate, participant_a, today):
    certificate.expiry_date = today + dt.timedelta(days=200)
    certificate.save(update_fields=["expiry_date"])
    assert reminders.remind_certificates_expiring() == 0
    for days, step in [(80, "90d"), (25, "30d"), (6, "7d")]:
        Certificate.objects.filter(pk=certificate.pk).update(
            expiry_date=today + dt.timedelta(days=days)
        )
        assert reminders.remind_certificates_expiring() == 1
        assert reminders.remind_certificates_expiring() == 0
        assert rows(kinds.CERTIFICATE_EXPIRING)[-1].unique_key.split(":")[3] == step


def test_granting_the_renewal_cancels_the_expiry_reminders(
    certificate, participant_a, staff_lampung, today
):
    Certificate.objects.filter(pk=certificate.pk).update(expiry_date=today + dt.timedelta(days=20))
    certificate.refresh_from_db()
    reminders.remind_certificates_expiring()
    renewal = services.certificate_open_renewal(certificate=certificate, actor=participant_a)
    assert rows(kinds.CERTIFICATE_EXPIRING)[0].status == Reminder.Status.PENDING  # not yet
    bring_to(renewal, Case.Status.GRANTED, staff_lampung)
    assert rows(kinds.CERTIFICATE_EXPIRING)[0].status == Reminder.Status.CANCELLED
    Certificate.objects.filter(pk=certificate.pk).update(expiry_date=today + dt.timedelta(days=6))
    assert reminders.remind_certificates_expiring() == 0  # renewed: no longer reminded


def test_surveillance_due(certificate, participant_a, today):
    Certificate.objects.filter(pk=certificate.pk).update(
        next_surveillance_date=today + dt.timedelta(days=100)
    )
    assert reminders.remind_surveillance() == 0
    Certificate.objects.filter(pk=certificate.pk).update(
        next_surveillance_date=today + dt.timedelta(days=10)
    )
    assert reminders.remind_surveillance() == 1
    assert reminders.remind_surveillance() == 0
    assert rows(kinds.SURVEILLANCE_DUE)[0].link == reverse(
        "portal:certificate_detail", args=[certificate.pk]
    )
