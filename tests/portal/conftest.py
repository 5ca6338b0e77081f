"""A Lampung class with a seat offered to enterprise A and another to enterprise B, a session
in the coming week, and a certification request for each enterprise."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from certifications import services as case_services
from cohorts.models import Enrollment, Level
from tests import factories as f

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english(settings, client):
    settings.LANGUAGE_CODE = "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def stage(program_lampung):
    return f.StageFactory(program=program_lampung, number=1)


@pytest.fixture
def cohort(stage):
    cohort = f.CohortFactory(
        stage=stage,
        level=Level.PEMULA,
        name="Pemula Lampung A",
        capacity=2,
        time_zone="Asia/Jakarta",
    )
    start = timezone.now() + dt.timedelta(days=3)
    f.SessionFactory(cohort=cohort, topic="Harga FOB", starts_at=start)
    f.SessionFactory(
        cohort=cohort, topic="Pengenalan ekspor", starts_at=start - dt.timedelta(days=10)
    )
    return cohort


def offered(enterprise, cohort):
    return f.EnrollmentFactory(
        enterprise=enterprise,
        cohort=cohort,
        status=Enrollment.Status.OFFERED,
        offer_expires_at=timezone.now() + dt.timedelta(hours=48),
        offers_made=1,
    )


@pytest.fixture
def offer_a(enterprise_a, cohort):
    return offered(enterprise_a, cohort)


@pytest.fixture
def offer_b(enterprise_b, cohort):
    return offered(enterprise_b, cohort)


@pytest.fixture
def scheme(db):
    scheme = f.SchemeFactory(code="portal-sni", name_id="SPPT SNI Kopi", name_en="SNI coffee")
    for order, name in enumerate(["Application", "Audit", "Issued"], start=1):
        f.SchemeMilestoneFactory(scheme=scheme, order=order, name_id=name, name_en=name)
    f.SchemeDocumentFactory(
        scheme=scheme, code="panduan", name_id="Panduan mutu", name_en="Quality manual"
    )
    return scheme


def case_of(enterprise, scheme, office, staff):
    return case_services.case_request(
        enterprise=enterprise, scheme=scheme, office=office, actor=staff
    )


@pytest.fixture
def case_a(enterprise_a, scheme, office_lampung, staff_lampung):
    return case_of(enterprise_a, scheme, office_lampung, staff_lampung)


@pytest.fixture
def case_b(enterprise_b, scheme, office_lampung, staff_lampung):
    return case_of(enterprise_b, scheme, office_lampung, staff_lampung)
