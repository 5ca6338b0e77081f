"""Personal data (UU PDP 27/2022): a person downloads what is held about them; the office
anonymises an owner, history included, and every count stays."""

import json

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.models import Enterprise, EnterpriseMembership, PersonalDataAct, User
from certifications.models import CaseDocument
from cohorts.models import Attendance, Enrollment
from notifications.models import Reminder
from tests import factories as f

pytestmark = pytest.mark.django_db

DOWNLOAD = "/akun/data-pribadi/"


def _remind(user, key, title):
    return Reminder.objects.create(
        kind="test", recipient=user, title=title, body=f"Isi {title}", unique_key=key
    )


@pytest.fixture
def attended(enterprise_a, program_lampung):
    stage = f.StageFactory(program=program_lampung)
    cohort = f.CohortFactory(stage=stage)
    enrollment = f.EnrollmentFactory(
        enterprise=enterprise_a, cohort=cohort, status=Enrollment.Status.ENROLLED
    )
    session = f.SessionFactory(cohort=cohort, topic="Dokumen ekspor")
    attendance = Attendance.objects.create(
        enrollment=enrollment, session=session, status="present", attendee_name="Siti Aminah"
    )
    attendance.attendee_name = "Siti A."  # a second version in the history
    attendance.save()
    return attendance


def test_a_participant_downloads_what_is_held_about_them(
    client, participant_a, participant_b, attended
):
    _remind(participant_a, "a-1", "Pertemuan besok")
    _remind(participant_b, "b-1", "Tawaran kuota untuk Bu Tini")
    client.force_login(participant_a)
    response = client.get(DOWNLOAD)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["accounts"]["account"]["email"] == participant_a.email
    assert data["accounts"]["enterprises"][0]["enterprise"] == "Kopi Lampung Jaya"
    assert (
        data["accounts"]["enterprises"][0]["owner_name"]
        == participant_a.enterprises.get().owner_name
    )
    assert [r["title"] for r in data["notifications"]["reminders"]] == ["Pertemuan besok"]
    assert data["cohorts"]["attendance"][0]["attended_by"] == "Siti A."
    assert "Bu Tini" not in response.content.decode()
    act = PersonalDataAct.objects.get()
    assert (act.kind, act.user, act.actor) == ("export", participant_a, participant_a)


def test_the_download_needs_a_sign_in(client):
    response = client.get(DOWNLOAD)
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")


@pytest.fixture
def identity_document(enterprise_a, office_lampung):
    case = f.CaseFactory(enterprise=enterprise_a, office=office_lampung)
    return CaseDocument.objects.create(
        case=case,
        title="KTP pemilik",
        sensitive=True,
        original_name="ktp-siti.jpg",
        file=ContentFile(b"\xff\xd8\xff identity", name="ktp.jpg"),
    )


def _anonymise_url(enterprise):
    return reverse("admin:accounts_enterprise_anonymise_owner", args=[enterprise.pk])


def test_staff_anonymise_an_owner_and_the_counts_stay(
    client, staff_lampung, enterprise_a, participant_a, participant_b, attended, identity_document
):
    enterprise_a.owner_name, enterprise_a.owner_birth_year = "Siti Aminah", 1980
    enterprise_a.owner_gender, enterprise_a.women_owned = "F", True
    enterprise_a.address = "Jl. Kopi 1, Bandar Lampung"
    enterprise_a.save()
    _remind(participant_a, "a-1", "Pertemuan besok untuk Siti")
    _remind(participant_b, "b-1", "Pengingat Bu Tini")
    enrollments_before = Enrollment.objects.count()
    stored = identity_document.file.path

    client.force_login(staff_lampung)
    page = client.get(_anonymise_url(enterprise_a))
    assert page.status_code == 200
    assert participant_a.email in page.content.decode()  # the account that will close
    refused = client.post(_anonymise_url(enterprise_a), {"reason": " "})
    assert refused.status_code == 200
    enterprise_a.refresh_from_db()
    assert enterprise_a.owner_name == "Siti Aminah"  # nothing done without the request noted

    done = client.post(
        _anonymise_url(enterprise_a), {"reason": "Surat permintaan pemilik, 3 Desember 2026"}
    )
    assert done.status_code == 302

    enterprise_a.refresh_from_db()
    assert (enterprise_a.owner_name, enterprise_a.owner_birth_year, enterprise_a.address) == (
        "Anonim",
        None,
        "",
    )
    assert (enterprise_a.owner_gender, enterprise_a.women_owned) == ("F", True)
    history = list(enterprise_a.history.values_list("owner_name", "owner_birth_year", "address"))
    assert len(history) >= 2 and set(history) == {("Anonim", None, "")}
    owner = User.objects.get(pk=participant_a.pk)
    assert not owner.is_active and not owner.has_usable_password()
    assert owner.email.endswith("@anonim.invalid") and owner.full_name == ""
    assert not EnterpriseMembership.objects.filter(user=owner).exists()
    assert not Attendance.objects.exclude(attendee_name="").exists()
    assert not Attendance.history.exclude(attendee_name="").exists()
    identity_document.refresh_from_db()
    assert not identity_document.file and identity_document.original_name == ""
    assert not __import__("os").path.exists(stored)
    assert Reminder.objects.get(unique_key="a-1").body == "—"
    assert Reminder.objects.get(unique_key="b-1").title == "Pengingat Bu Tini"
    assert Enrollment.objects.count() == enrollments_before
    assert Enterprise.objects.filter(women_owned=True).count() == 1
    act = PersonalDataAct.objects.get(kind="anonymise")
    assert act.actor == staff_lampung and act.enterprise == enterprise_a
    assert "Surat permintaan pemilik" in act.note

    again = client.post(_anonymise_url(enterprise_a), {"reason": "lagi"})
    assert again.status_code == 200
    assert "sudah dianonimkan" in again.content.decode()


def test_another_office_cannot_anonymise(client, staff_jateng, enterprise_a):
    client.force_login(staff_jateng)
    response = client.post(_anonymise_url(enterprise_a), {"reason": "coba"})
    assert response.status_code == 404
    assert not PersonalDataAct.objects.exists()


def test_the_national_viewer_is_not_offered_it(client, national_viewer, enterprise_a):
    client.force_login(national_viewer)
    change = client.get(reverse("admin:accounts_enterprise_change", args=[enterprise_a.pk]))
    assert _anonymise_url(enterprise_a) not in change.content.decode()
    assert client.post(_anonymise_url(enterprise_a), {"reason": "x"}).status_code == 403
