"""Training certificates (PDF with a QR code, public verification) and private calendar feeds."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from cohorts.models import Enrollment
from portal.models import CalendarFeed, TrainingCertificate

pytestmark = pytest.mark.django_db


def completed(offer):
    Enrollment.objects.filter(pk=offer.pk).update(
        status=Enrollment.Status.COMPLETED, ended_at=timezone.now()
    )


def test_a_completed_class_gives_a_pdf_whose_code_verifies(client, participant_a, offer_a):
    completed(offer_a)
    client.force_login(participant_a)
    page = client.get(reverse("portal:class_detail", args=[offer_a.cohort_id])).content.decode()
    url = reverse("portal:training_certificate", args=[offer_a.cohort_id])
    assert url in page
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    certificate = TrainingCertificate.objects.get(enrollment=offer_a)
    assert len(certificate.token) >= 30
    # The same certificate every time.
    client.get(url)
    assert TrainingCertificate.objects.count() == 1
    client.logout()
    verify = client.get(reverse("portal:verify", args=[certificate.token]))
    text = verify.content.decode()
    assert verify.status_code == 200
    assert "Genuine training certificate" in text
    assert "Kopi Lampung Jaya" in text and "Pemula Lampung A" in text
    # Only the name, the class and the date: not the owner, the NIB or the address.
    assert offer_a.enterprise.nib not in text
    assert offer_a.enterprise.owner_name not in text


def test_an_unknown_code_is_not_genuine(client):
    response = client.get(reverse("portal:verify", args=["tebakan-saja"]))
    assert response.status_code == 404
    assert "Certificate not found" in response.content.decode()


def test_no_certificate_before_the_class_is_completed(client, participant_a, offer_a):
    Enrollment.objects.filter(pk=offer_a.pk).update(status=Enrollment.Status.ENROLLED)
    client.force_login(participant_a)
    url = reverse("portal:training_certificate", args=[offer_a.cohort_id])
    assert client.get(url).status_code == 404
    assert not TrainingCertificate.objects.exists()


def test_another_enterprises_certificate_is_a_404(client, participant_b, offer_a):
    completed(offer_a)
    client.force_login(participant_b)
    url = reverse("portal:training_certificate", args=[offer_a.cohort_id])
    assert client.get(url).status_code == 404


def test_the_private_feed_lists_the_sessions_and_stops_when_revoked(client, participant_a, offer_a):
    Enrollment.objects.filter(pk=offer_a.pk).update(status=Enrollment.Status.ENROLLED)
    client.force_login(participant_a)
    client.post(reverse("portal:calendar_feed"), {"action": "renew"})
    feed = CalendarFeed.objects.get(user=participant_a)
    page = client.get(reverse("portal:calendar_feed")).content.decode()
    url = reverse("portal:calendar_feed_ics", args=[feed.token])
    assert url in page
    client.logout()
    calendar = Calendar.from_ical(client.get(url).content)
    assert len(list(calendar.walk("VEVENT"))) == 2
    client.force_login(participant_a)
    client.post(reverse("portal:calendar_feed"), {"action": "renew"})
    assert client.get(url).status_code == 404  # the old address stops working
    client.post(reverse("portal:calendar_feed"), {"action": "revoke"})
    assert not CalendarFeed.objects.exists()


def test_certification_certificate_link_opens_its_request(client, participant_a, case_a):
    from certifications.models import Certificate

    certificate = Certificate.objects.create(case=case_a, number="X-1", issue_date="2026-01-01")
    client.force_login(participant_a)
    response = client.get(reverse("portal:certificate_detail", args=[certificate.pk]))
    assert response["Location"] == reverse("portal:case_detail", args=[case_a.pk])
