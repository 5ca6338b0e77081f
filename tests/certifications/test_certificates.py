"""Certificates: expiry arithmetic from issue and filing dates, the daily expiry job run
twice, and the certificate page's moves through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.calendar import add_months
from certifications import services
from certifications.models import Case, CaseEvent, Certificate, Scheme
from certifications.tasks import expire_certificates
from tests import factories as f
from tests.certifications.conftest import S, bring_to

C = Certificate.Status
D = dt.date

# --- expiry arithmetic -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2023, 1, 31), 1, D(2023, 2, 28)),  # month end into a short month
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # ... of a leap year
        (D(2024, 3, 31), 6, D(2024, 9, 30)),  # 31st into a 30-day month
        (D(2020, 5, 31), 18, D(2021, 11, 30)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),  # a leap day, a year on
        (D(2024, 2, 29), 48, D(2028, 2, 29)),  # ... four years on, a leap day again
        (D(2024, 2, 29), 120, D(2034, 2, 28)),
        (D(2023, 12, 31), 36, D(2026, 12, 31)),  # across year ends
        (D(2023, 11, 30), 3, D(2024, 2, 29)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("runs_from", "months", "filed", "issued", "expected"),
    [
        ("issue", 48, D(2023, 12, 1), D(2024, 2, 29), D(2028, 2, 29)),
        ("issue", 36, D(2024, 1, 10), D(2024, 1, 31), D(2027, 1, 31)),
        ("issue", 60, None, D(2021, 2, 28), D(2026, 2, 28)),
        ("filing", 120, D(2016, 2, 29), D(2017, 6, 30), D(2026, 2, 28)),  # a trademark
        ("filing", 120, D(2020, 8, 31), D(2021, 3, 1), D(2030, 8, 31)),
        ("filing", 120, None, D(2021, 3, 1), None),  # no filing date: cannot say
        ("none", None, D(2024, 1, 1), D(2024, 2, 1), None),  # Halal does not expire
    ],
)
def test_a_scheme_counts_validity_from_the_date_it_runs_from(
    db, runs_from, months, filed, issued, expected
):
    scheme = Scheme(validity_from=runs_from, validity_months=months)
    assert scheme.expiry_for(issue_date=issued, filing_date=filed) == expected


def test_surveillance_comes_an_interval_after_the_issue_or_last_audit(db):
    scheme = Scheme(validity_from="issue", validity_months=48, surveillance_months=12)
    assert scheme.surveillance_after(D(2024, 2, 29)) == D(2025, 2, 28)
    assert Scheme(validity_from="none").surveillance_after(D(2024, 2, 29)) is None


def test_granting_a_trademark_filed_on_a_leap_day_runs_ten_years_from_filing(
    case, scheme, staff_lampung
):
    Scheme.objects.filter(pk=scheme.pk).update(
        validity_from="filing", validity_months=120, surveillance_months=None
    )
    case = bring_to(case, S.SUBMITTED, staff_lampung)
    certificate = services.case_grant(
        case=case,
        actor=staff_lampung,
        number="IDM000999",
        filing_date=D(2024, 2, 29),
        issue_date=D(2025, 1, 31),
    )
    assert (certificate.expiry_date, certificate.next_surveillance_date) == (D(2034, 2, 28), None)


def test_a_certificate_whose_validity_already_ended_is_recorded_expired(
    case, scheme, staff_lampung
):
    Scheme.objects.filter(pk=scheme.pk).update(validity_from="filing", validity_months=12)
    case = bring_to(case, S.SUBMITTED, staff_lampung)
    today = timezone.localdate()
    certificate = services.case_grant(
        case=case,
        actor=staff_lampung,
        number="OLD-1",
        filing_date=today - dt.timedelta(days=380),
        issue_date=today - dt.timedelta(days=30),
    )
    assert certificate.status == C.EXPIRED


# --- the daily job ---------------------------------------------------------------------------


def test_the_beat_runs_the_expiry_daily():
    from celery.schedules import crontab

    from config.celery import app

    entry = app.conf.beat_schedule["expire-certificates"]
    assert entry["task"] == "certifications.tasks.expire_certificates"
    assert app.tasks[entry["task"]].name == expire_certificates.name
    assert entry["schedule"] == crontab(hour=0, minute=10)


def test_expiring_twice_expires_each_certificate_once(
    db, office_lampung, staff_lampung, enterprise_a, enterprise_b
):
    today = timezone.localdate()
    scheme = f.SchemeFactory(validity_months=12)

    def certificate(enterprise, expiry, status=C.ACTIVE):
        made = f.CaseFactory(enterprise=enterprise, scheme=scheme, status=S.GRANTED)
        return Certificate.objects.create(
            case=made,
            number=f"N-{made.pk}",
            issue_date=expiry - dt.timedelta(days=365),
            expiry_date=expiry,
            status=status,
        )

    lapsed = certificate(enterprise_a, today - dt.timedelta(days=1))
    suspended = certificate(enterprise_b, today, status=C.SUSPENDED)
    current = certificate(f.EnterpriseFactory(), today + dt.timedelta(days=1))
    revoked = certificate(f.EnterpriseFactory(), today - dt.timedelta(days=3), status=C.REVOKED)

    assert expire_certificates() == 2
    assert expire_certificates() == 0
    statuses = dict(Certificate.objects.values_list("pk", "status"))
    assert statuses == {
        lapsed.pk: C.EXPIRED,
        suspended.pk: C.EXPIRED,
        current.pk: C.ACTIVE,
        revoked.pk: C.REVOKED,
    }
    events = CaseEvent.objects.filter(kind=CaseEvent.Kind.CERTIFICATE_EXPIRED)
    assert sorted(events.values_list("case_id", flat=True)) == sorted(
        [lapsed.case_id, suspended.case_id]
    )
    assert lapsed.history.count() == 2  # created, then expired once


# --- the certificate page --------------------------------------------------------------------

ACTS = {"suspend", "reinstate", "revoke", "correct-expiry", "surveillance", "renew"}


def cert_url(certificate, act=None):
    if act is None:
        return reverse("admin:certifications_certificate_change", args=[certificate.pk])
    return reverse("admin:certifications_certificate_act", args=[certificate.pk, act])


@pytest.fixture
def certificate(case, staff_lampung):
    return bring_to(case, S.GRANTED, staff_lampung).certificate


@pytest.fixture
def staff(client, staff_lampung, english):
    client.force_login(staff_lampung)
    return client


def offered(client, certificate) -> set[str]:
    page = client.get(cert_url(certificate)).content.decode()
    return {act for act in ACTS if cert_url(certificate, act) in page}


def test_the_certificate_page_offers_what_its_status_allows_and_saves_nothing_itself(
    staff, certificate
):
    page = staff.get(cert_url(certificate))
    assert not page.context["adminform"].form.fields
    assert 'name="_save"' not in page.content.decode()
    assert offered(staff, certificate) == {
        "suspend",
        "revoke",
        "correct-expiry",
        "surveillance",
        "renew",
    }
    assert staff.get(reverse("admin:certifications_certificate_add")).status_code == 403


def test_suspending_and_reinstating_through_their_pages(staff, certificate, staff_lampung):
    refused = staff.post(cert_url(certificate, "suspend"), {"reason": ""})
    assert refused.status_code == 200 and refused.context["form"].errors["reason"]
    staff.post(cert_url(certificate, "suspend"), {"reason": "Temuan audit"})
    certificate.refresh_from_db()
    assert certificate.status == C.SUSPENDED
    assert offered(staff, certificate) == {"reinstate", "revoke", "correct-expiry", "renew"}
    staff.post(cert_url(certificate, "reinstate"), {"reason": "Temuan ditutup"})
    certificate.refresh_from_db()
    assert certificate.status == C.ACTIVE
    kinds = set(certificate.case.events.values_list("kind", flat=True))
    assert {CaseEvent.Kind.CERTIFICATE_SUSPENDED, CaseEvent.Kind.CERTIFICATE_REINSTATED} <= kinds


def test_revoking_asks_first_and_says_what_follows(staff, certificate):
    confirm = staff.post(cert_url(certificate, "revoke"), {"reason": "Produk ditarik"})
    assert confirm.templates[0].name == "admin/certifications/certificate/act_confirm.html"
    text = " ".join(confirm.context["consequences"])
    assert "cannot be undone" in text and "Produk ditarik" in text
    certificate.refresh_from_db()
    assert certificate.status == C.ACTIVE
    staff.post(cert_url(certificate, "revoke"), {"reason": "Produk ditarik", "confirm": "1"})
    certificate.refresh_from_db()
    assert certificate.status == C.REVOKED
    assert offered(staff, certificate) == set()


def test_correcting_the_expiry_needs_a_date_or_no_expiry_and_a_reason(staff, certificate):
    url = cert_url(certificate, "correct-expiry")
    refused = staff.post(url, {"expiry_date": "", "reason": "Salah ketik"})
    assert refused.context["form"].errors["expiry_date"]
    assert refused.context["form"]["reason"].value() == "Salah ketik"
    new = certificate.issue_date + dt.timedelta(days=1000)
    refused = staff.post(url, {"expiry_date": new.isoformat(), "reason": ""})
    assert refused.context["form"].errors["reason"]
    assert refused.context["form"]["expiry_date"].value() == new.isoformat()
    assert (
        staff.post(url, {"expiry_date": new.isoformat(), "reason": "Sesuai cetakan"}).status_code
        == 302
    )
    certificate.refresh_from_db()
    assert certificate.expiry_date == new
    event = certificate.case.events.get(kind=CaseEvent.Kind.CERTIFICATE_EXPIRY_CORRECTED)
    assert "Sesuai cetakan" in event.note


def test_a_surveillance_audit_moves_the_next_one_and_a_future_audit_is_refused(staff, certificate):
    url = cert_url(certificate, "surveillance")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    refused = staff.post(url, {"audit_date": tomorrow.isoformat(), "note": "Audit pertama"})
    assert "future" in str(refused.context["form"].errors["audit_date"])
    assert refused.context["form"]["note"].value() == "Audit pertama"
    today = timezone.localdate()
    staff.post(url, {"audit_date": today.isoformat(), "note": "Audit pertama"})
    certificate.refresh_from_db()
    assert certificate.next_surveillance_date == add_months(today, 12)


def test_a_renewal_opens_as_a_new_request_linked_to_the_certificate(
    staff, certificate, staff_lampung
):
    response = staff.post(
        cert_url(certificate, "renew"), {"note": "Masa berlaku habis tahun depan"}
    )
    renewal = Case.objects.get(renewal_of=certificate)
    assert response["Location"] == reverse("admin:certifications_case_change", args=[renewal.pk])
    assert renewal.status == S.REQUESTED and renewal.scheme == certificate.case.scheme
    assert "renew" not in offered(staff, certificate)


def test_a_read_only_user_is_offered_nothing_and_refused(client, national_viewer, certificate):
    client.force_login(national_viewer)
    assert offered(client, certificate) == set()
    assert client.post(cert_url(certificate, "suspend"), {"reason": "x"}).status_code == 403
    certificate.refresh_from_db()
    assert certificate.status == C.ACTIVE


def test_another_offices_staff_do_not_find_the_certificate(client, staff_jateng, certificate):
    client.force_login(staff_jateng)
    assert client.post(cert_url(certificate, "suspend"), {"reason": "x"}).status_code == 404
    certificate.refresh_from_db()
    assert certificate.status == C.ACTIVE
