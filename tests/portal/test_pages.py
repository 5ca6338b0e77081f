"""The participants' pages through the test client: what they show and what they change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from icalendar import Calendar

from certifications.models import CaseDocument
from cohorts.models import Enrollment, Level
from notifications.models import Reminder
from tests import factories as f
from tests.portal.conftest import PDF

pytestmark = pytest.mark.django_db


def test_home_lists_the_offer_first_the_next_session_and_open_requests(
    client, participant_a, offer_a, case_a
):
    client.force_login(participant_a)
    page = client.get(reverse("portal:home")).content.decode()
    assert "Answer the seat offer for Pemula Lampung A" in page
    assert reverse("portal:offer", args=[offer_a.pk]) in page
    assert "Upload the documents asked for SNI coffee" in page
    assert reverse("portal:case_detail", args=[case_a.pk]) in page
    # Not enrolled yet: the class's sessions are not the enterprise's.
    assert "Harga FOB" not in page


def test_accepting_an_offer_enrolls_and_shows_the_next_session(client, participant_a, offer_a):
    client.force_login(participant_a)
    url = reverse("portal:offer", args=[offer_a.pk])
    assert "Accept the seat" in client.get(url).content.decode()
    response = client.post(url, {"choice": "accept"})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:class_detail", args=[offer_a.cohort_id])
    offer_a.refresh_from_db()
    assert offer_a.status == Enrollment.Status.ENROLLED
    home = client.get(reverse("portal:home")).content.decode()
    assert "Harga FOB" in home
    assert "WIB" in home


def test_declining_an_offer(client, participant_a, offer_a):
    client.force_login(participant_a)
    client.post(reverse("portal:offer", args=[offer_a.pk]), {"choice": "decline"})
    offer_a.refresh_from_db()
    assert offer_a.status == Enrollment.Status.WAITLISTED


def test_an_expired_offer_is_refused_with_a_message_and_nothing_changes(
    client, participant_a, offer_a
):
    Enrollment.objects.filter(pk=offer_a.pk).update(
        offer_expires_at=offer_a.offer_expires_at - dt.timedelta(days=5)
    )
    client.force_login(participant_a)
    response = client.post(reverse("portal:offer", args=[offer_a.pk]), {"choice": "accept"})
    assert response.status_code == 200
    assert "expired" in response.content.decode()
    offer_a.refresh_from_db()
    assert offer_a.status == Enrollment.Status.OFFERED


def test_class_page_shows_sessions_attendance_and_the_calendar_file(client, participant_a, offer_a):
    Enrollment.objects.filter(pk=offer_a.pk).update(status=Enrollment.Status.ENROLLED)
    client.force_login(participant_a)
    page = client.get(reverse("portal:class_detail", args=[offer_a.cohort_id])).content.decode()
    assert "Harga FOB" in page and "Pengenalan ekspor" in page
    assert "Attendance:" in page
    response = client.get(reverse("portal:class_ics", args=[offer_a.cohort_id]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    summaries = sorted(str(e["summary"]) for e in calendar.walk("VEVENT"))
    assert summaries == ["Pemula Lampung A: Harga FOB", "Pemula Lampung A: Pengenalan ekspor"]


def test_upload_through_the_portal_uses_the_admin_checks(client, participant_a, case_a):
    client.force_login(participant_a)
    url = reverse("portal:case_upload", args=[case_a.pk])
    requirement = case_a.scheme.documents.get()
    refused = client.post(
        url,
        {"requirement": requirement.pk, "file": SimpleUploadedFile("x.pdf", b"not a pdf at all")},
    )
    assert refused.status_code == 200
    assert "Only PDF, JPEG or PNG files are accepted" in refused.content.decode()
    assert not CaseDocument.objects.exists()
    response = client.post(
        url, {"requirement": requirement.pk, "file": SimpleUploadedFile("panduan.pdf", PDF)}
    )
    assert response.status_code == 302
    document = CaseDocument.objects.get()
    assert document.case == case_a and document.requirement == requirement
    page = client.get(reverse("portal:case_detail", args=[case_a.pk])).content.decode()
    assert "Waiting for review" in page
    home = client.get(reverse("portal:home")).content.decode()
    assert "Upload the documents asked for" not in home


def test_latest_reminders_are_the_users_own(client, participant_a, participant_b):
    Reminder.objects.create(
        kind="t", recipient=participant_a, title="Pengingat A", body="x", unique_key="a"
    )
    Reminder.objects.create(
        kind="t", recipient=participant_b, title="Pengingat B", body="x", unique_key="b"
    )
    client.force_login(participant_a)
    page = client.get(reverse("portal:home")).content.decode()
    assert "Pengingat A" in page and "Pengingat B" not in page


def test_a_user_of_two_enterprises_switches(client, participant_a, enterprise_b):
    from accounts.models import EnterpriseMembership

    EnterpriseMembership.objects.create(user=participant_a, enterprise=enterprise_b)
    client.force_login(participant_a)
    first = client.get(reverse("portal:home")).content.decode()
    assert "<h1>Kopi Lampung Jaya</h1>" in first
    client.post(reverse("portal:switch_enterprise"), {"enterprise": enterprise_b.pk})
    assert "<h1>Keripik Pisang Bu Tini</h1>" in client.get(reverse("portal:home")).content.decode()


def test_switching_to_someone_elses_enterprise_is_a_404(client, participant_a, enterprise_b):
    client.force_login(participant_a)
    response = client.post(reverse("portal:switch_enterprise"), {"enterprise": enterprise_b.pk})
    assert response.status_code == 404


def test_a_link_from_an_email_comes_back_after_login(client, participant_a, offer_a):
    participant_a.set_password("rahasia-panjang-99")
    participant_a.save()
    target = reverse("portal:offer", args=[offer_a.pk])
    response = client.get(target)
    assert response.status_code == 302
    login_url = response["Location"]
    assert login_url.startswith(reverse("portal:login")) and "next=" in login_url
    response = client.post(
        login_url,
        {"username": participant_a.email, "password": "rahasia-panjang-99", "next": target},
        REMOTE_ADDR="127.0.0.1",
    )
    assert response.status_code == 302 and response["Location"] == target


def test_analysts_go_to_reports_or_a_plain_page(client, analyst_lpei):
    client.force_login(analyst_lpei)
    response = client.get(reverse("portal:home"))
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"] == reverse("reports:home")
    else:
        assert "not linked to an enterprise" not in response.content.decode()


def test_password_reset_sends_a_link_that_sets_a_new_password(client, participant_a):
    cache.clear()
    response = client.post(reverse("portal:password_reset"), {"email": participant_a.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/masuk/sandi-baru/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert "Choose a new password" in response.content.decode()
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "Kopi-Lampung-2026!", "new_password2": "Kopi-Lampung-2026!"},
    )
    assert response.status_code == 302
    participant_a.refresh_from_db()
    assert participant_a.check_password("Kopi-Lampung-2026!")


def test_password_reset_requests_are_throttled(client, participant_a, settings):
    cache.clear()
    settings.PASSWORD_RESET_LIMIT_PER_HOUR = 2
    url = reverse("portal:password_reset")
    codes = [client.post(url, {"email": participant_a.email}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert len(mail.outbox) == 2


def test_pages_show_in_indonesian_by_default(client, participant_a, offer_a, settings):
    settings.LANGUAGE_CODE = "id"
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    client.force_login(participant_a)
    page = client.get(reverse("portal:offer", args=[offer_a.pk])).content.decode()
    assert 'lang="id"' in page


def test_no_inline_script_or_style(client, participant_a, offer_a, case_a):
    client.force_login(participant_a)
    for url in (
        reverse("portal:home"),
        reverse("portal:offer", args=[offer_a.pk]),
        reverse("portal:case_detail", args=[case_a.pk]),
        reverse("portal:case_upload", args=[case_a.pk]),
    ):
        page = client.get(url).content.decode()
        assert "<script" not in page and "<style" not in page and 'style="' not in page


def test_asking_for_assistance_with_a_new_scheme(client, participant_a, enterprise_a, scheme):
    from certifications.models import Case

    client.force_login(participant_a)
    url = reverse("portal:case_new")
    response = client.post(url, {"scheme": scheme.pk, "note": "Untuk kopi bubuk"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.enterprise == enterprise_a and case.office == enterprise_a.registered_by
    again = client.post(url, {"scheme": scheme.pk, "note": "lagi"})
    assert again.status_code == 200
    assert "already has an open request" in again.content.decode()
    assert Case.objects.count() == 1


def test_the_reminders_page_lists_the_users_own(client, participant_a, participant_b):
    Reminder.objects.create(
        kind="t", recipient=participant_a, title="Untuk A", body="isi", unique_key="ra"
    )
    Reminder.objects.create(
        kind="t", recipient=participant_b, title="Untuk B", body="isi", unique_key="rb"
    )
    client.force_login(participant_a)
    page = client.get(reverse("portal:reminders")).content.decode()
    assert "Untuk A" in page and "Untuk B" not in page


def test_applying_to_an_open_stage(client, participant_a, enterprise_a, program_lampung):
    from tests import factories as f

    stage = f.StageFactory(program=program_lampung)
    client.force_login(participant_a)
    url = reverse("portal:apply")
    assert program_lampung.name in client.get(url).content.decode()
    refused = client.post(url, {"stage": stage.pk, "has_nib": "on"})
    assert refused.status_code == 200 and "field-error" in refused.content.decode()
    assert not Enrollment.objects.exists()
    response = client.post(url, {"stage": stage.pk, "has_nib": "on", "committed": "on"})
    assert response.status_code == 302
    enrollment = Enrollment.objects.get()
    assert enrollment.enterprise == enterprise_a and enrollment.has_nib and enrollment.committed
    assert enrollment.status == Enrollment.Status.APPLIED
    page = client.get(url).content.decode()
    assert "My applications" in page and "Applied" in page


def test_home_reads_offers_and_classes_together_and_one_enterprise_without_a_list(
    client, participant_a, offer_a, case_a, django_assert_max_num_queries
):
    client.force_login(participant_a)
    # session, user, memberships, enterprise, offers and classes, requests, reminders: no
    # sessions query while the enterprise is enrolled in no class
    with django_assert_max_num_queries(7):
        response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert response.context["offers"] == [offer_a]
    assert response.context["sessions"] == []
    assert response.context["enterprises"] == [offer_a.enterprise]


def test_home_lists_the_next_sessions_of_the_enrolled_classes_only_in_order(
    client, participant_a, offer_a, offer_b, stage, django_assert_max_num_queries
):
    Enrollment.objects.filter(pk__in=[offer_a.pk, offer_b.pk]).update(
        status=Enrollment.Status.ENROLLED, enrolled_at=offer_a.offer_expires_at
    )
    soon = offer_a.cohort.sessions.get(topic="Harga FOB").starts_at
    f.SessionFactory(
        cohort=offer_a.cohort, topic="Dokumen ekspor", starts_at=soon - dt.timedelta(days=1)
    )
    f.SessionFactory(
        cohort=offer_a.cohort,
        topic="Batal",
        starts_at=soon + dt.timedelta(days=1),
        cancelled_at=soon,
    )
    # a class of the programme's second stage that enterprise A only waits for
    second = f.StageFactory(program=stage.program, number=2)
    other = f.CohortFactory(stage=second, level=Level.MENENGAH, name="Menengah Lampung", capacity=2)
    f.SessionFactory(cohort=other, topic="Kontrak dagang", starts_at=soon)
    f.EnrollmentFactory(
        enterprise=offer_a.enterprise, cohort=other, status=Enrollment.Status.WAITLISTED
    )
    client.force_login(participant_a)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("portal:home"))
    topics = [s.topic for s in response.context["sessions"]]
    assert topics == ["Dokumen ekspor", "Harga FOB"]
