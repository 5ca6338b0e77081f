"""The date and money selectors the reminders, the dashboard and the reports read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from certifications import selectors
from certifications.models import Case, CaseDocument, Certificate
from tests import factories as f

S = Case.Status
TODAY = dt.date(2031, 3, 10)


def _ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def _certificate(case, *, expiry, surveillance=None, status=Certificate.Status.ACTIVE):
    return Certificate.objects.create(
        case=case,
        number=f"C-{case.pk}",
        issue_date=TODAY - dt.timedelta(days=400),
        expiry_date=expiry,
        next_surveillance_date=surveillance,
        status=status,
    )


@pytest.mark.django_db
def test_overdue_lists_open_requests_past_their_target_only():
    late = f.CaseFactory(target_date=TODAY - dt.timedelta(days=1))
    f.CaseFactory(target_date=TODAY)  # due today is not yet late
    f.CaseFactory(target_date=TODAY - dt.timedelta(days=5), status=S.GRANTED)
    f.CaseFactory(target_date=None)
    assert _ids(selectors.cases_overdue(today=TODAY)) == {late.pk}


@pytest.mark.django_db
def test_idle_counts_days_since_the_last_touch_on_open_requests():
    now = timezone.now()
    idle = f.CaseFactory(last_activity_at=now - dt.timedelta(days=14, minutes=1))
    f.CaseFactory(last_activity_at=now - dt.timedelta(days=13))
    f.CaseFactory(last_activity_at=now - dt.timedelta(days=40), status=S.WITHDRAWN)
    assert _ids(selectors.cases_idle(now=now, days=14)) == {idle.pk}
    assert len(_ids(selectors.cases_idle(now=now, days=10))) == 2


@pytest.mark.django_db
def test_revisions_near_their_deadline_include_the_overdue():
    soon = f.CaseFactory(status=S.REVISION, revision_deadline=TODAY + dt.timedelta(days=3))
    late = f.CaseFactory(status=S.REVISION, revision_deadline=TODAY - dt.timedelta(days=1))
    f.CaseFactory(status=S.REVISION, revision_deadline=TODAY + dt.timedelta(days=8))
    found = _ids(selectors.revisions_near_deadline(today=TODAY, within_days=7))
    assert found == {soon.pk, late.pk}


@pytest.mark.django_db
def test_missing_documents_before_the_target_date():
    scheme = f.SchemeFactory()
    ktp = f.SchemeDocumentFactory(scheme=scheme, required=True)
    f.SchemeDocumentFactory(scheme=scheme, required=False)
    soon = TODAY + dt.timedelta(days=10)
    lacking = f.CaseFactory(scheme=scheme, status=S.PREPARING, target_date=soon)
    complete = f.CaseFactory(scheme=scheme, status=S.PREPARING, target_date=soon)
    CaseDocument.objects.create(case=complete, requirement=ktp, title="KTP", file="x.pdf")
    sent_back = f.CaseFactory(
        scheme=scheme, status=S.REVISION, target_date=soon, revision_deadline=soon
    )
    CaseDocument.objects.create(
        case=sent_back,
        requirement=ktp,
        title="KTP",
        file="y.pdf",
        review=CaseDocument.Review.CHANGES_NEEDED,
        review_note="Buram",
    )
    f.CaseFactory(scheme=scheme, status=S.PREPARING, target_date=TODAY + dt.timedelta(days=60))
    f.CaseFactory(scheme=scheme, status=S.SUBMITTED, target_date=soon)  # filed already
    found = _ids(selectors.cases_missing_documents(today=TODAY, within_days=14))
    assert found == {lacking.pk, sent_back.pk}
    assert selectors.case_missing_requirements(case=lacking) == [ktp]
    assert selectors.case_missing_requirements(case=complete) == []


@pytest.mark.django_db
@pytest.mark.parametrize("window", [90, 30, 7])
def test_certificates_expiring_within_each_window(window):
    edges = {
        days: _certificate(f.CaseFactory(status=S.GRANTED), expiry=TODAY + dt.timedelta(days=days))
        for days in (0, 7, 8, 30, 31, 90, 91)
    }
    _certificate(
        f.CaseFactory(status=S.GRANTED),
        expiry=TODAY + dt.timedelta(days=5),
        status=Certificate.Status.REVOKED,
    )
    _certificate(f.CaseFactory(status=S.GRANTED), expiry=None)  # Halal: no expiry
    found = _ids(selectors.certificates_expiring(today=TODAY, within_days=window))
    assert found == {c.pk for days, c in edges.items() if days <= window}


@pytest.mark.django_db
def test_surveillance_due_only_for_active_certificates():
    due = _certificate(
        f.CaseFactory(status=S.GRANTED), expiry=None, surveillance=TODAY + dt.timedelta(days=20)
    )
    _certificate(
        f.CaseFactory(status=S.GRANTED), expiry=None, surveillance=TODAY + dt.timedelta(days=45)
    )
    _certificate(
        f.CaseFactory(status=S.GRANTED),
        expiry=None,
        surveillance=TODAY,
        status=Certificate.Status.SUSPENDED,
    )
    assert _ids(selectors.certificates_surveillance_due(today=TODAY, within_days=30)) == {due.pk}


@pytest.mark.django_db
def test_money_is_summed_per_programme_and_per_funder(program_lampung, funder_lpei, funder_pasar):
    f.CaseFactory(
        program=program_lampung, cost=10_000_000, subsidy=7_500_000, subsidy_funder=funder_lpei
    )
    f.CaseFactory(
        program=program_lampung, cost=4_000_000, subsidy=4_000_000, subsidy_funder=funder_pasar
    )
    f.CaseFactory(program=None, cost=60_000_000_000, subsidy=0)  # beyond 32 bits
    by_program = {
        row["program"]: row for row in selectors.case_money_by_program(Case.objects.all())
    }
    assert by_program[program_lampung.pk] == {
        "program": program_lampung.pk,
        "requests": 2,
        "cost": 14_000_000,
        "subsidy": 11_500_000,
    }
    assert by_program[None]["cost"] == 60_000_000_000
    by_funder = {
        row["subsidy_funder"]: row["subsidy"]
        for row in selectors.case_money_by_funder(Case.objects.all())
    }
    assert by_funder == {funder_lpei.pk: 7_500_000, funder_pasar.pk: 4_000_000}
