"""Every indicator against the numbers the test world was built to produce; scoping between
two funders, two offices and the national viewer; suppression; a flat query count."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certifications.models import Scheme
from reports import selectors as s
from tests import factories as f
from tests.reports.conftest import TODAY

FAMILIES = dict.fromkeys(Scheme.Family.values, 0)


def expected_for(world):
    expected = dict(world.expected)
    for name in ("certification_cases_by_family", "certificates_granted_by_family"):
        expected[name] = {**FAMILIES, **expected[name]}
    return expected


def test_every_indicator_of_the_funders_programme(world, funder_lpei):
    summary = s.summary(s.scope_for_funder(funder_lpei))
    for name, value in expected_for(world).items():
        assert summary[name] == value, name
    assert set(s.INDICATOR_NAMES) <= set(summary)


def test_targets_come_with_their_basis(world, funder_lpei):
    world.program_lampung.target_participants = 60
    world.program_lampung.target_new_exporters = 18
    world.program_lampung.target_basis = "30% dari peserta"
    world.program_lampung.save()
    targets = s.summary(s.scope_for_funder(funder_lpei))["targets"]
    assert targets == {"participants": 60, "new_exporters": 18, "basis": ["30% dari peserta"]}


def test_the_already_exporting_enterprise_is_not_a_new_exporter(world, funder_lpei):
    already = world.enterprises[4]
    rows = s.new_exporter_rows(s.Scope())
    assert already.pk not in {g.enterprise_id for g in rows}
    summary = s.summary(s.scope_for_funder(funder_lpei), s.ReportFilters(sector="kopi"))
    # enterprise 4 (kopi) exported, but only enterprise 2 (kopi) is a new exporter
    assert summary["new_exporters"] == 1


def test_an_enterprise_in_two_funders_programmes_counts_once_for_each_and_once_nationally(
    world, funder_lpei, funder_pasar
):
    assert s.summary(s.scope_for_funder(funder_lpei))["new_exporters"] == 2
    assert s.summary(s.scope_for_funder(funder_pasar))["new_exporters"] == 1
    assert s.summary(s.Scope())["new_exporters"] == 2


def test_each_funder_sees_only_its_programmes(world, funder_lpei, funder_pasar):
    pasar = s.summary(s.scope_for_funder(funder_pasar))
    assert pasar["applicants"] == 2  # enterprise 2 and the Jateng enterprise
    assert pasar["certificates_granted_by_scheme"] == {}
    assert pasar["export_value_idr"] == 0
    national = s.summary(s.Scope())
    assert national["applicants"] == len(world.enterprises) + 1


def test_users_are_scoped_like_their_role(
    world, analyst_lpei, analyst_pasar, staff_lampung, staff_jateng, national_viewer
):
    def applicants(user):
        return s.summary(s.scope_for_user(user))["applicants"]

    assert applicants(analyst_lpei) == applicants(staff_lampung) == 10
    assert applicants(analyst_pasar) == applicants(staff_jateng) == 2
    assert applicants(national_viewer) == 11
    assert not s.may_read_reports(f.UserFactory())


def test_dates_filter_each_indicator_on_its_own_date(world, funder_lpei):
    scope = s.scope_for_funder(funder_lpei)
    last_week = s.ReportFilters(date_from=TODAY - dt.timedelta(days=7), date_to=TODAY)
    summary = s.summary(scope, last_week)
    assert summary["applicants"] == 10  # every application was made today
    assert summary["enterprises_enrolled"] == 0  # admitted 60 days ago
    assert summary["completed_by_level"]["beginner"] == 3  # every ending was 5 days ago
    assert summary["new_exporters"] == 1  # enterprise 2 on day -3; enterprise 3 on day -20
    assert summary["certificates_granted_by_scheme"] == {"halal-reg": 1, "sppt-sni": 1}
    assert summary["export_value_usd"] == "500.00"  # only the Netherlands shipment
    long_ago = s.ReportFilters(date_to=TODAY - dt.timedelta(days=100))
    assert s.summary(scope, long_ago)["applicants"] == 0


def test_place_and_sector_filters(world, funder_lpei):
    scope = s.scope_for_funder(funder_lpei)
    assert s.summary(scope, s.ReportFilters(sector="batik"))["applicants"] == 5
    assert s.summary(scope, s.ReportFilters(province="18"))["applicants"] == 10
    assert s.summary(scope, s.ReportFilters(province="33"))["applicants"] == 0
    assert s.summary(scope, s.ReportFilters(regency="18.71"))["applicants"] == 10


def test_breakdown_suppresses_small_groups(world):
    rows = {row["key"]: row for row in s.breakdown(s.Scope(), None, "sector")}
    kopi, batik = rows["kopi"], rows["batik"]
    assert not kopi["suppressed"] and kopi["applicants"] == 5  # enterprise 2 counts once
    assert batik["applicants"] == 5 and not batik["suppressed"]
    unknown = rows[""]  # the Jateng enterprise has no sector
    assert unknown["suppressed"] and unknown["applicants"] is None
    assert unknown["enrollments_by_level"] == {
        "beginner": None,
        "intermediate": None,
        "advanced": None,
    }


def test_breakdown_by_funder_counts_the_shared_new_exporter_for_both(
    world, funder_lpei, funder_pasar
):
    rows = {row["key"]: row for row in s.breakdown(s.Scope(), None, "funder")}
    assert rows[str(funder_lpei.pk)]["applicants"] == 10
    assert rows[str(funder_lpei.pk)]["new_exporters"] == 2
    assert rows[str(funder_pasar.pk)]["suppressed"]  # two enterprises only


@pytest.mark.parametrize("by", s.BREAKDOWN_KEYS)
def test_every_breakdown_runs(world, by):
    rows = s.breakdown(s.Scope(), None, by)
    assert rows and all("label" in row for row in rows)


def test_timeseries_by_month_and_semester(world, funder_lpei):
    scope = s.scope_for_funder(funder_lpei)
    months = s.timeseries(scope, None, "export_value", "month")
    assert sum(p["value"] for p in months) == world.expected["export_value_idr"]
    semesters = s.timeseries(scope, None, "new_exporters", "semester")
    assert sum(p["value"] for p in semesters) == 2
    assert all(p["period"][4:6] in ("-S",) for p in semesters)
    years = s.timeseries(scope, None, "enrollments", "year")
    assert sum(p["value"] for p in years) == 8


def test_new_exporter_rows_are_consenting_enterprises_only(world):
    rows = list(s.new_exporter_rows(s.Scope()))
    assert [g.enterprise_id for g in rows] == [world.enterprises[2].pk]  # 3 did not consent


def _queries(callable_):
    with CaptureQueriesContext(connection) as ctx:
        callable_()
    return len(ctx.captured_queries)


def _grow(program, n):
    stage = f.StageFactory(program=program)
    cohort = f.CohortFactory(stage=stage)
    for _ in range(n):
        f.EnrollmentFactory(cohort=cohort, status="enrolled", enrolled_at=world_now())


def world_now():
    from django.utils import timezone

    return timezone.now()


@pytest.mark.parametrize("by", [None, "province", "funder"])
def test_query_count_is_the_same_at_10_and_300_enterprises(program_lampung, funder_lpei, by):
    scope = s.scope_for_funder(funder_lpei)

    def run():
        if by is None:
            s.summary(scope)
        else:
            s.breakdown(scope, None, by)

    _grow(program_lampung, 10)
    small = _queries(run)
    _grow(program_lampung, 290)
    assert _queries(run) == small
