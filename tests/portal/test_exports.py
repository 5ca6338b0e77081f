"""Exports from the portal: report a shipment with its channel's evidence, follow its review,
and the 12-month figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Enrollment, EnterpriseSnapshot, ExportRecord
from cohorts.services import exports
from tests import factories as f

pytestmark = pytest.mark.django_db


def shipment(**overrides):
    day = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    data = {
        "export_date": day,
        "channel": "courier",
        "airway_bill_number": "AWB123456",
        "destination_country": "SG",
        "hs_code": "09012110",
        "value": "1200",
        "currency": "USD",
        "exchange_rate": "15800",
        "exchange_rate_date": day,
        "exchange_rate_source": "Bank Indonesia JISDOR",
    }
    data.update(overrides)
    return data


@pytest.fixture
def seated(enterprise_a, program_lampung):
    cohort = f.CohortFactory(stage=f.StageFactory(program=program_lampung))
    return f.EnrollmentFactory(
        enterprise=enterprise_a,
        cohort=cohort,
        status=Enrollment.Status.COMPLETED,
        enrolled_at=timezone.now() - dt.timedelta(days=90),
    )


def test_an_owner_reports_a_shipment_and_sees_it_verified(
    client, participant_a, enterprise_a, seated, staff_lampung
):
    client.force_login(participant_a)
    response = client.post(reverse("portal:export_report"), shipment())
    assert response.status_code == 302, response.content.decode()[-3000:]
    record = ExportRecord.objects.get()
    assert record.enterprise == enterprise_a and record.status == ExportRecord.Status.REPORTED
    assert record.reported_by == participant_a and record.program == seated.program
    exports.export_verify(export_record=record, actor=staff_lampung)
    page = client.get(reverse("portal:export_detail", args=[record.pk])).content.decode()
    assert "Verified" in page and "verified this shipment" in page


def test_missing_evidence_is_refused_on_the_form_with_the_input_kept(client, participant_a, seated):
    client.force_login(participant_a)
    response = client.post(
        reverse("portal:export_report"), shipment(airway_bill_number="", buyer_name="Toko SG")
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "airway bill number" in text and 'value="Toko SG"' in text
    assert not ExportRecord.objects.exists()


def test_another_enterprises_export_is_a_404(client, participant_b, enterprise_a):
    record = f.ExportRecordFactory(enterprise=enterprise_a)
    client.force_login(participant_b)
    assert client.get(reverse("portal:export_detail", args=[record.pk])).status_code == 404


def test_the_12_month_figures(client, participant_a, participant_b, seated):
    url = reverse("portal:snapshot", args=[seated.pk])
    client.force_login(participant_b)
    assert client.get(url).status_code == 404
    client.force_login(participant_a)
    response = client.post(
        url,
        {
            "annual_revenue": "2500000000",
            "employees_women": "9",
            "employees_men": "6",
            "export_status": "direct",
        },
    )
    assert response.status_code == 302
    snapshot = EnterpriseSnapshot.objects.get(moment=EnterpriseSnapshot.Moment.FOLLOW_UP)
    assert snapshot.employees_women == 9 and snapshot.program == seated.program
