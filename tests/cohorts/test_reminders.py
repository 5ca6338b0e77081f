"""The cohorts reminder rules: due and not yet due, run twice, cancelled with their subject."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts import reminders
from cohorts.models import Attendance, Enrollment, Graduation
from cohorts.services import classes, seats
from notifications import kinds
from notifications.models import Reminder
from tests import factories as f

WIB = ZoneInfo("Asia/Jakarta")
# 20:00 WIB on 10 March 2026 (13:00 UTC; 22:00 WIT)
NOW = dt.datetime(2026, 3, 10, 20, 0, tzinfo=WIB)


@pytest.fixture
def cohort(stage_lampung):
    return f.CohortFactory(stage=stage_lampung, name="Pemula Bandar Lampung")


@pytest.fixture
def enrolled(cohort, enterprise_a, participant_a):
    return f.EnrollmentFactory(
        enterprise=enterprise_a, cohort=cohort, status=Enrollment.Status.ENROLLED
    )


def session_at(cohort, when):
    return f.SessionFactory(
        cohort=cohort, topic="Harga FOB", starts_at=when, ends_at=when + dt.timedelta(hours=3)
    )


def rows(kind):
    return list(Reminder.objects.filter(kind=kind).order_by("pk"))


def test_a_session_tomorrow_reminds_each_enrolled_participant_once(
    cohort, enrolled, participant_a, enterprise_b, participant_b
):
    f.EnrollmentFactory(enterprise=enterprise_b, cohort=cohort, status=Enrollment.Status.WITHDRAWN)
    tomorrow = session_at(cohort, dt.datetime(2026, 3, 11, 9, 0, tzinfo=WIB))
    session_at(cohort, dt.datetime(2026, 3, 12, 9, 0, tzinfo=WIB))  # not yet due
    assert reminders.remind_sessions_tomorrow(now=NOW) == 1
    assert reminders.remind_sessions_tomorrow(now=NOW) == 0  # run twice: nothing new
    (row,) = rows(kinds.SESSION_TOMORROW)
    assert (row.recipient, row.subject) == (participant_a, tomorrow)
    assert row.due_at == NOW  # 08:00 the day before has passed: due at once
    assert "11 Maret 2026, 9.00 WIB" in row.body  # the participant reads Indonesian
    assert row.link == reverse("portal:class_detail", args=[cohort.pk])


def test_tomorrow_is_read_in_the_venues_zone(cohort, enrolled):
    cohort.time_zone = "Asia/Jayapura"  # WIT: it is already 22:00 there
    cohort.save(update_fields=["time_zone"])
    # 01:30 WIT on 12 March is still the 11th in Jakarta, but not tomorrow in Jayapura
    session_at(cohort, dt.datetime(2026, 3, 11, 16, 30, tzinfo=dt.UTC))
    assert reminders.remind_sessions_tomorrow(now=NOW) == 0
    session_at(cohort, dt.datetime(2026, 3, 11, 1, 0, tzinfo=dt.UTC))  # 10:00 WIT on the 11th
    assert reminders.remind_sessions_tomorrow(now=NOW) == 1
    assert "WIT" in rows(kinds.SESSION_TOMORROW)[0].body


def test_a_session_reminder_waits_for_the_morning_before(cohort, enrolled):
    early = dt.datetime(2026, 3, 10, 0, 30, tzinfo=WIB)
    session_at(cohort, dt.datetime(2026, 3, 11, 9, 0, tzinfo=WIB))
    assert reminders.remind_sessions_tomorrow(now=early) == 1
    assert rows(kinds.SESSION_TOMORROW)[0].due_at == dt.datetime(2026, 3, 10, 8, 0, tzinfo=WIB)


def test_cancelling_the_session_or_withdrawing_cancels_its_reminders(
    cohort, enrolled, participant_a, staff_lampung
):
    # both sessions fall on tomorrow's date in the venue's zone, whatever the hour now
    now = timezone.localtime(timezone.now(), WIB).replace(hour=12, minute=0)
    start = (now + dt.timedelta(days=1)).replace(hour=9)
    first = session_at(cohort, start)
    second = session_at(cohort, start + dt.timedelta(hours=4))
    assert reminders.remind_sessions_tomorrow(now=now) == 2
    classes.session_cancel(session=first, actor=staff_lampung, reason="Banjir")
    assert Reminder.objects.get(subject_id=first.pk).status == Reminder.Status.CANCELLED
    assert Reminder.objects.get(subject_id=second.pk).status == Reminder.Status.PENDING
    seats.enrollment_withdraw(enrollment=enrolled, actor=participant_a, reason="Sibuk")
    assert Reminder.objects.get(subject_id=second.pk).status == Reminder.Status.CANCELLED


def test_two_absences_in_a_row_remind_the_participant_and_the_staff(
    cohort, enrolled, participant_a, staff_lampung
):
    now = timezone.now()
    held = [session_at(cohort, now - dt.timedelta(days=d)) for d in (21, 14, 7)]
    Attendance.objects.create(enrollment=enrolled, session=held[0], status="present")
    Attendance.objects.create(enrollment=enrolled, session=held[1], status="absent")
    assert reminders.remind_absences(now=now) == 0  # one absence only
    Attendance.objects.create(enrollment=enrolled, session=held[2], status="absent")
    assert reminders.remind_absences(now=now) == 2
    assert reminders.remind_absences(now=now) == 0
    assert {r.recipient for r in rows(kinds.ABSENCES)} == {participant_a, staff_lampung}
    # present at the next session: the streak is over, nothing more is written
    later = session_at(cohort, now - dt.timedelta(days=1))
    Attendance.objects.create(enrollment=enrolled, session=later, status="present")
    assert reminders.remind_absences(now=now) == 0


def test_export_follow_ups_at_six_and_twelve_months(enterprise_a, participant_a):
    today = timezone.localdate()
    record = f.ExportRecordFactory(enterprise=enterprise_a)
    graduation = Graduation.objects.create(
        enterprise=enterprise_a, export_record=record, graduated_on=today - dt.timedelta(days=100)
    )
    assert reminders.remind_export_follow_ups() == 0  # not yet due
    Graduation.objects.filter(pk=graduation.pk).update(graduated_on=today - dt.timedelta(days=185))
    assert reminders.remind_export_follow_ups() == 1
    assert reminders.remind_export_follow_ups() == 0
    Graduation.objects.filter(pk=graduation.pk).update(graduated_on=today - dt.timedelta(days=368))
    assert reminders.remind_export_follow_ups() == 1
    keys = sorted(r.unique_key for r in rows(kinds.EXPORT_FOLLOW_UP))
    assert [k.split(":")[2] for k in keys] == ["12m", "6m"]
    assert rows(kinds.EXPORT_FOLLOW_UP)[0].recipient == participant_a
