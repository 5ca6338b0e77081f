"""Sessions from a weekly pattern in the venue's zone; rescheduling, cancelling, speakers."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cohorts.models import Session
from cohorts.services import classes
from tests import factories as f

WITA = ZoneInfo("Asia/Makassar")


@pytest.fixture
def cohort(program_lampung):
    stage = f.StageFactory(program=program_lampung)
    return f.CohortFactory(stage=stage, time_zone="Asia/Makassar", trainers="Bu Rina")


def test_weekly_pattern_makes_sessions_on_the_weekdays_in_the_class_zone(cohort, staff_lampung):
    sessions = classes.sessions_generate(
        cohort=cohort,
        actor=staff_lampung,
        first_date=dt.date(2031, 3, 3),  # a Monday
        weekdays=[1, 3],  # Tuesday and Thursday
        start_time=dt.time(9, 0),
        duration_minutes=180,
        count=5,
        topic="Ekspor dasar",
    )
    assert len(sessions) == 5
    stored = list(Session.objects.filter(cohort=cohort).order_by("starts_at"))
    local = [s.starts_at.astimezone(WITA) for s in stored]
    assert [d.date() for d in local] == [
        dt.date(2031, 3, 4),
        dt.date(2031, 3, 6),
        dt.date(2031, 3, 11),
        dt.date(2031, 3, 13),
        dt.date(2031, 3, 18),
    ]
    assert all(d.hour == 9 and d.minute == 0 for d in local)
    # 09:00 WITA is 01:00 UTC
    assert stored[0].starts_at.astimezone(dt.UTC).hour == 1
    assert stored[0].ends_at - stored[0].starts_at == dt.timedelta(hours=3)
    assert stored[0].speakers == "Bu Rina"
    assert stored[0].topic == "Ekspor dasar 1"


def test_numbering_continues_after_existing_sessions(cohort, staff_lampung):
    f.SessionFactory(cohort=cohort)
    [session] = classes.sessions_generate(
        cohort=cohort,
        actor=staff_lampung,
        first_date=dt.date(2031, 3, 3),
        weekdays=[0],
        start_time=dt.time(13, 30),
        duration_minutes=90,
        count=1,
    )
    assert session.topic == "Sesi 2" or session.topic == "Session 2"


@pytest.mark.parametrize(
    "changes",
    [
        {"weekdays": []},
        {"weekdays": [7]},
        {"count": 0},
        {"count": 61},
        {"duration_minutes": 0},
    ],
)
def test_bad_patterns_are_refused_and_nothing_is_created(cohort, staff_lampung, changes):
    arguments = {
        "cohort": cohort,
        "actor": staff_lampung,
        "first_date": dt.date(2031, 3, 3),
        "weekdays": [0],
        "start_time": dt.time(9),
        "duration_minutes": 60,
        "count": 3,
        **changes,
    }
    with pytest.raises(ValidationError):
        classes.sessions_generate(**arguments)
    assert not Session.objects.filter(cohort=cohort).exists()


def test_a_closed_class_gets_no_new_sessions(cohort, staff_lampung):
    cohort.closed_at = timezone.now()
    cohort.save()
    with pytest.raises(ValidationError, match="closed"):
        classes.sessions_generate(
            cohort=cohort,
            actor=staff_lampung,
            first_date=dt.date(2031, 3, 3),
            weekdays=[0],
            start_time=dt.time(9),
            duration_minutes=60,
            count=1,
        )


def test_reschedule_reads_naive_times_in_the_class_zone_and_keeps_the_duration(
    cohort, staff_lampung
):
    session = f.SessionFactory(cohort=cohort)
    duration = session.ends_at - session.starts_at
    moved = classes.session_reschedule(
        session=session, actor=staff_lampung, starts_at=dt.datetime(2031, 5, 6, 14, 0)
    )
    moved.refresh_from_db()
    assert moved.starts_at == dt.datetime(2031, 5, 6, 14, 0, tzinfo=WITA)
    assert moved.ends_at - moved.starts_at == duration


def test_reschedule_refuses_an_end_before_the_start(cohort, staff_lampung):
    session = f.SessionFactory(cohort=cohort)
    before = session.starts_at
    with pytest.raises(ValidationError):
        classes.session_reschedule(
            session=session,
            actor=staff_lampung,
            starts_at=dt.datetime(2031, 5, 6, 14, 0),
            ends_at=dt.datetime(2031, 5, 6, 13, 0),
        )
    session.refresh_from_db()
    assert session.starts_at == before


def test_cancelling_keeps_the_session_marked_and_needs_a_reason(cohort, staff_lampung):
    session = f.SessionFactory(cohort=cohort)
    with pytest.raises(ValidationError):
        classes.session_cancel(session=session, actor=staff_lampung, reason="  ")
    classes.session_cancel(session=session, actor=staff_lampung, reason="Banjir")
    session.refresh_from_db()
    assert session.is_cancelled and session.cancel_reason == "Banjir"
    with pytest.raises(ValidationError, match="already cancelled"):
        classes.session_cancel(session=session, actor=staff_lampung, reason="again")
    with pytest.raises(ValidationError):
        classes.session_reschedule(
            session=session, actor=staff_lampung, starts_at=dt.datetime(2031, 5, 6, 14)
        )


def test_speakers_per_session(cohort, staff_lampung):
    first, second = f.SessionFactory(cohort=cohort), f.SessionFactory(cohort=cohort)
    classes.session_update_details(session=first, actor=staff_lampung, speakers="Pak Budi (LPEI)")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.speakers == "Pak Budi (LPEI)"
    assert second.speakers == ""
