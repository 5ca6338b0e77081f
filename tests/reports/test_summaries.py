"""The reports' summary tables: a stored report serves the next caller with the same
programmes, filters and language until it is REPORT_SUMMARY_MAX_AGE old; beat recomputes
what was read; the age is the report's `as_of` (and Last-Modified)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import parse_http_date

from reports import selectors, services, summaries
from reports.models import ReportSummary
from reports.tasks import refresh_summaries
from tests import factories as f

SUMMARY = "/api/v1/reports/summary/"
BREAKDOWN = "/api/v1/reports/breakdown/"
TIMESERIES = "/api/v1/reports/timeseries/"


@pytest.fixture(autouse=True)
def _fresh_throttle(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "summary-tests"}}  # fmt: skip
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def lpei_key(funder_lpei):
    return services.api_key_issue(funder=funder_lpei, name="sistem")[1]


@pytest.fixture
def pasar_key(funder_pasar):
    return services.api_key_issue(funder=funder_pasar, name="sistem")[1]


def get(client, url, key, **params):
    response = client.get(url, params, headers={"Authorization": f"Api-Key {key}"})
    assert response.status_code == 200, response.content[:300]
    return response


def enroll_one_more(program):
    cohort = f.CohortFactory(stage=f.StageFactory(program=program))
    return f.EnrollmentFactory(cohort=cohort, status="enrolled", enrolled_at=timezone.now())


@pytest.mark.parametrize(
    "url,params",
    [
        (SUMMARY, {}),
        (BREAKDOWN, {"by": "sector"}),
        (TIMESERIES, {"metric": "enrollments", "interval": "month"}),
    ],
)
def test_a_stored_report_equals_the_one_computed(client, world, lpei_key, url, params):
    first = get(client, url, lpei_key, **params)
    assert ReportSummary.objects.count() == 1
    with CaptureQueriesContext(connection) as queries:
        second = get(client, url, lpei_key, **params)
    assert second.json() == first.json()
    assert second["Last-Modified"] == first["Last-Modified"]
    assert not any("enrollment" in q["sql"] for q in queries.captured_queries)


def test_a_new_enrollment_shows_once_the_summary_is_older_than_its_age(
    client, world, lpei_key, settings
):
    first = get(client, SUMMARY, lpei_key).json()
    enroll_one_more(world.program_lampung)
    assert get(client, SUMMARY, lpei_key).json() == first  # still within 15 minutes

    later = timezone.now() + dt.timedelta(seconds=settings.REPORT_SUMMARY_MAX_AGE + 1)
    with time_machine.travel(later, tick=False):
        response = get(client, SUMMARY, lpei_key)
    fresh = response.json()
    assert fresh["enterprises_enrolled"] == first["enterprises_enrolled"] + 1
    as_of = dt.datetime.fromisoformat(fresh["as_of"])
    assert as_of == later
    assert parse_http_date(response["Last-Modified"]) == int(later.timestamp())


def test_the_summary_says_when_it_was_computed(client, world, lpei_key):
    start = timezone.now()
    first = get(client, SUMMARY, lpei_key)
    with time_machine.travel(start + dt.timedelta(minutes=10), tick=False):
        again = get(client, SUMMARY, lpei_key)
    as_of = dt.datetime.fromisoformat(again.json()["as_of"])
    assert start <= as_of <= start + dt.timedelta(minutes=1)
    assert again["Last-Modified"] == first["Last-Modified"]


def test_two_funders_never_read_each_others_summary(
    client, world, lpei_key, pasar_key, funder_lpei, funder_pasar
):
    lpei = get(client, SUMMARY, lpei_key).json()
    pasar = get(client, SUMMARY, pasar_key).json()
    assert ReportSummary.objects.count() == 2
    for funder, read in ((funder_lpei, lpei), (funder_pasar, pasar)):
        live = selectors.summary(selectors.scope_for_funder(funder))
        assert read["enterprises_enrolled"] == live["enterprises_enrolled"]
    assert lpei["enterprises_enrolled"] != pasar["enterprises_enrolled"]
    assert get(client, SUMMARY, pasar_key).json() == pasar
    assert get(client, SUMMARY, lpei_key).json() == lpei


def test_filters_and_language_are_part_of_the_question(client, world, lpei_key):
    get(client, BREAKDOWN, lpei_key, by="sector")
    english = client.get(
        BREAKDOWN,
        {"by": "sector"},
        headers={"Authorization": f"Api-Key {lpei_key}", "Accept-Language": "en"},
    ).json()
    indonesian = get(client, BREAKDOWN, lpei_key, by="sector").json()
    assert {row["label"] for row in english} >= {"Coffee"}
    assert {row["label"] for row in indonesian} >= {"Kopi"}
    get(client, BREAKDOWN, lpei_key, by="sector", sector="kopi")
    assert ReportSummary.objects.count() == 3


def test_beat_recomputes_what_was_read_and_forgets_what_was_not(client, world, lpei_key):
    first = get(client, SUMMARY, lpei_key).json()
    get(client, BREAKDOWN, lpei_key, by="sector")
    enroll_one_more(world.program_lampung)
    ReportSummary.objects.filter(report="breakdown").update(
        read_at=timezone.now() - dt.timedelta(days=2)
    )
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=6), tick=False):
        assert refresh_summaries() == {"refreshed": 1, "dropped": 0}
        assert refresh_summaries() == {"refreshed": 0, "dropped": 0}  # twice: nothing more
        refreshed = get(client, SUMMARY, lpei_key).json()
    assert refreshed["enterprises_enrolled"] == first["enterprises_enrolled"] + 1
    assert list(ReportSummary.objects.values_list("report", flat=True)) == ["summary"]


def test_a_summary_of_a_programme_that_is_gone_is_dropped(client, world, lpei_key, funder_lpei):
    other = f.ProgramFactory(office=world.program_lampung.office)
    f.FundingFactory(program=other, funder=funder_lpei)
    get(client, SUMMARY, lpei_key)
    other.delete()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=6), tick=False):
        assert summaries.refresh() == {"refreshed": 0, "dropped": 1}
    assert not ReportSummary.objects.exists()


def test_a_snapshot_freezes_the_live_numbers_not_a_stored_summary(
    client, world, lpei_key, funder_lpei
):
    get(client, SUMMARY, lpei_key)
    enroll_one_more(world.program_lampung)
    response = client.post(
        "/api/v1/snapshots/",
        {"name": "Q4"},
        headers={"Authorization": f"Api-Key {lpei_key}"},
    )
    assert response.status_code == 201, response.content
    stored = ReportSummary.objects.get().payload
    assert response.json()["data"]["enterprises_enrolled"] == stored["enterprises_enrolled"] + 1


def test_beat_refreshes_the_summaries_within_their_age(settings):
    from celery.schedules import crontab

    from config.celery import app

    entry = app.conf.beat_schedule["refresh-report-summaries"]
    assert app.tasks[entry["task"]].name == refresh_summaries.name
    assert entry["schedule"] == crontab(minute="2-59/5")
    assert summaries.REFRESH_AFTER + dt.timedelta(minutes=5) < summaries.max_age()
