"""Bulk work on a class: message everyone, move participants, paper sheet, phone attendance."""

import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Attendance, Enrollment
from notifications.models import Reminder
from office.classes import attendance_sheet, class_message, enrollments_move
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def stage(program_lampung):
    return f.StageFactory(program=program_lampung)


@pytest.fixture
def class_a(stage):
    return f.CohortFactory(stage=stage, name="Kelas A", capacity=3)


@pytest.fixture
def class_b(stage):
    return f.CohortFactory(stage=stage, name="Kelas B", capacity=2)


def enrol(cohort, office, status=Enrollment.Status.ENROLLED, **kwargs):
    enterprise = f.EnterpriseFactory(registered_by=office, **kwargs)
    f.owner_of(enterprise)
    return f.EnrollmentFactory(enterprise=enterprise, cohort=cohort, status=status)


def test_a_message_reaches_every_participant_once(class_a, office_lampung, staff_lampung):
    enrolled = [enrol(class_a, office_lampung) for _ in range(2)]
    enrol(class_a, office_lampung, status=Enrollment.Status.WAITLISTED)
    extra = f.UserFactory()
    enrolled[0].enterprise.memberships.create(user=extra, role="staff")
    count = class_message(
        cohort=class_a, actor=staff_lampung, title="Ruang", body="Pindah", token="ab"
    )
    assert count == 3
    again = class_message(
        cohort=class_a, actor=staff_lampung, title="Ruang", body="Pindah", token="ab"
    )
    assert again == 3
    rows = Reminder.objects.filter(kind="class-message")
    assert rows.count() == 3
    assert {r.recipient_id for r in rows} == {
        m.user_id for e in enrolled for m in e.enterprise.memberships.all()
    }


def test_only_the_programmes_staff_message_a_class(class_a, office_lampung, staff_jateng, client):
    enrol(class_a, office_lampung)
    with pytest.raises(ValidationError):
        class_message(cohort=class_a, actor=staff_jateng, title="x", body="y", token="cd")
    client.force_login(staff_jateng)
    url = reverse("admin:cohorts_cohort_message", args=[class_a.pk])
    assert (
        client.post(url, {"title": "x", "body": "y", "token": "0123456789abcdef"}).status_code
        == 404
    )
    assert not Reminder.objects.exists()


def test_the_message_page_queues_the_message(class_a, office_lampung, staff_lampung, client):
    enrol(class_a, office_lampung)
    client.force_login(staff_lampung)
    url = reverse("admin:cohorts_cohort_message", args=[class_a.pk])
    page = client.get(url)
    token = page.context["form"]["token"].value()
    response = client.post(url, {"title": "Jadwal", "body": "Mulai jam 9", "token": token})
    assert response.status_code == 302
    assert Reminder.objects.get(kind="class-message").title == "Jadwal"


def test_participants_move_together_and_the_seat_left_is_offered(
    class_a, class_b, office_lampung, staff_lampung
):
    movers = [enrol(class_a, office_lampung) for _ in range(2)]
    stays = enrol(class_a, office_lampung)
    waiting = enrol(class_a, office_lampung, status=Enrollment.Status.WAITLISTED)
    waiting.waitlist_position = 1
    waiting.save()
    enrollments_move(enrollments=movers, cohort=class_b, actor=staff_lampung)
    assert set(Enrollment.objects.filter(cohort=class_b).values_list("pk", flat=True)) == {
        m.pk for m in movers
    }
    stays.refresh_from_db()
    assert stays.cohort == class_a
    waiting.refresh_from_db()
    assert waiting.status == Enrollment.Status.OFFERED
    moved = movers[0]
    moved.refresh_from_db()
    record = moved.history.first()
    assert record.history_user == staff_lampung and record.cohort_id == class_b.pk


def test_a_full_class_refuses_and_nobody_moves(class_a, class_b, office_lampung, staff_lampung):
    movers = [enrol(class_a, office_lampung) for _ in range(3)]
    with pytest.raises(ValidationError, match="no free seat"):
        enrollments_move(enrollments=movers, cohort=class_b, actor=staff_lampung)
    assert not Enrollment.objects.filter(cohort=class_b).exists()


def test_a_class_of_another_level_is_refused(stage, class_a, office_lampung, staff_lampung):
    higher = f.CohortFactory(stage=stage, name="Kelas Menengah", level="menengah")
    mover = enrol(class_a, office_lampung)
    with pytest.raises(ValidationError, match="same stage and level"):
        enrollments_move(enrollments=[mover], cohort=higher, actor=staff_lampung)


def test_the_move_action_on_the_enrollments_list(
    class_a, class_b, office_lampung, staff_lampung, client
):
    movers = [enrol(class_a, office_lampung) for _ in range(2)]
    client.force_login(staff_lampung)
    url = reverse("admin:cohorts_enrollment_changelist")
    ids = [m.pk for m in movers]
    page = client.post(url, {"action": "move_to_class", ACTION_CHECKBOX_NAME: ids})
    assert page.status_code == 200 and "Kelas B" in page.content.decode()
    assert not Enrollment.objects.filter(cohort=class_b).exists()
    done = client.post(
        url,
        {"action": "move_to_class", ACTION_CHECKBOX_NAME: ids, "apply": "1", "cohort": class_b.pk},
    )
    assert done.status_code == 302
    assert Enrollment.objects.filter(cohort=class_b).count() == 2


def test_the_attendance_sheet_lists_each_participant_and_session(
    class_a, office_lampung, client, staff_lampung
):
    enrol(class_a, office_lampung, name="Kopi Lampung")
    enrol(class_a, office_lampung, name="=cmd|' /C calc'!A0")
    enrol(class_a, office_lampung, status=Enrollment.Status.WITHDRAWN, name="Sudah Mundur")
    for day in range(3):
        f.SessionFactory(cohort=class_a, starts_at=timezone.now() + dt.timedelta(days=day))
    sheet = openpyxl.load_workbook(io.BytesIO(attendance_sheet(cohort=class_a))).active
    names = [sheet.cell(row=r, column=2).value for r in range(4, sheet.max_row + 1)]
    assert sorted(names) == ["'=cmd|' /C calc'!A0", "Kopi Lampung"]
    assert sheet.max_column == 3 + 3
    client.force_login(staff_lampung)
    response = client.get(reverse("admin:cohorts_cohort_attendance_sheet", args=[class_a.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')


def test_attendance_by_phone_is_one_tap_per_participant(
    class_a, office_lampung, staff_lampung, staff_jateng, client
):
    one, two = enrol(class_a, office_lampung), enrol(class_a, office_lampung)
    session = f.SessionFactory(cohort=class_a, starts_at=timezone.now() - dt.timedelta(hours=1))
    url = reverse("admin:cohorts_session_tap", args=[session.pk])
    client.force_login(staff_lampung)
    page = client.get(url).content.decode()
    assert 'name="viewport"' in page
    body = page.split('id="content-main"')[1]
    assert "<script" not in body and "style=" not in body
    client.post(url, {"enrollment": one.pk, "status": "present"})
    assert Attendance.objects.get(enrollment=one, session=session).status == "present"
    assert not Attendance.objects.filter(enrollment=two).exists()
    client.post(url, {"enrollment": one.pk, "status": "absent"})  # a second tap undoes it
    assert Attendance.objects.get(enrollment=one, session=session).status == "absent"
    client.force_login(staff_jateng)
    assert client.post(url, {"enrollment": two.pk, "status": "present"}).status_code == 404
    assert not Attendance.objects.filter(enrollment=two).exists()
