"""The funders' API: keys, scoping, bad input, formats, snapshots, throttling, the contract."""

import csv
import datetime as dt
import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from reports import api, selectors, services
from reports.models import EnterpriseDataPull, FunderAPIKey
from tests import factories as f

SUMMARY = "/api/v1/reports/summary/"


@pytest.fixture(autouse=True)
def _fresh_throttle(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "api-tests"}}  # fmt: skip
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def lpei_key(funder_lpei):
    return services.api_key_issue(funder=funder_lpei, name="sistem")[1]


@pytest.fixture
def pasar_key(funder_pasar):
    return services.api_key_issue(funder=funder_pasar, name="sistem")[1]


def get(client, url, key=None, **params):
    headers = {"Authorization": f"Api-Key {key}"} if key else {}
    return client.get(url, params, headers=headers)


# --- access ----------------------------------------------------------------------------


def test_the_command_prints_a_key_once_that_works(client, funder_lpei, program_lampung):
    out = StringIO()
    call_command("api_key_issue", funder="lpei", name="Sistem", expires="2099-12-31", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    stored = FunderAPIKey.objects.get()
    assert stored.funder == funder_lpei and key not in stored.hashed_key
    response = get(client, "/api/v1/programs/", key)
    assert response.status_code == 200
    assert [p["name"] for p in response.json()["results"]] == [program_lampung.name]
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_the_command_refuses_an_unknown_funder(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("api_key_issue", funder="nobody", name="x", stdout=StringIO())


@pytest.mark.parametrize("case", ["missing", "wrong", "expired", "revoked"])
def test_a_missing_wrong_expired_or_revoked_key_is_401(client, funder_lpei, case):
    api_key, key = services.api_key_issue(funder=funder_lpei, name="k")
    if case == "expired":
        api_key.expiry_date = timezone.now() - dt.timedelta(days=1)
        api_key.save()
    if case == "revoked":
        api_key.revoked = True
        api_key.save()
    sent = {"missing": None, "wrong": key[:-2] + "xx"}.get(case, key)
    response = get(client, SUMMARY, sent)
    assert response.status_code == 401


def test_people_without_a_reporting_role_get_404(client, participant_a):
    client.force_login(participant_a)
    assert client.get(SUMMARY).status_code == 404


def test_signed_in_roles_use_the_api_with_their_session(
    client, world, analyst_lpei, staff_jateng, national_viewer
):
    for user, applicants in ((analyst_lpei, 10), (staff_jateng, 2), (national_viewer, 11)):
        client.force_login(user)
        assert client.get(SUMMARY).json()["applicants"] == applicants


def test_another_funders_programme_is_404(client, world, lpei_key):
    other = world.program_jateng.pk
    assert get(client, f"/api/v1/programs/{other}/", lpei_key).status_code == 404
    assert get(client, SUMMARY, lpei_key, program=other).status_code == 404
    assert get(client, "/api/v1/cohorts/", lpei_key, program=other).status_code == 404
    own = world.program_lampung.pk
    assert get(client, f"/api/v1/programs/{own}/", lpei_key).status_code == 200


def test_the_api_is_read_only(client, world, lpei_key):
    headers = {"Authorization": f"Api-Key {lpei_key}"}
    assert client.post(SUMMARY, {}, headers=headers).status_code == 405
    assert client.delete("/api/v1/programs/1/", headers=headers).status_code == 405


def test_requests_are_throttled_per_key(client, world, lpei_key, pasar_key, monkeypatch):
    monkeypatch.setattr(api.PerCallerThrottle, "THROTTLE_RATES", {"reports": "2/minute"})
    assert [get(client, SUMMARY, lpei_key).status_code for _ in range(3)] == [200, 200, 429]
    assert get(client, SUMMARY, pasar_key).status_code == 200


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "params", "named"),
    [
        ("/api/v1/reports/breakdown/", {"by": "colour"}, "by"),
        ("/api/v1/reports/breakdown/", {}, "by"),
        ("/api/v1/reports/timeseries/", {"metric": "profit"}, "metric"),
        ("/api/v1/reports/timeseries/", {"metric": "enrollments", "interval": "week"}, "interval"),
        (SUMMARY, {"date_from": "2026-13-01"}, "date_from"),
        (SUMMARY, {"date_from": "2026-06-01", "date_to": "2026-01-01"}, "date_from"),
        (SUMMARY, {"province": "99"}, "province"),
        (SUMMARY, {"sector": "minyak"}, "sector"),
        (SUMMARY, {"program": "abc"}, "program"),
        ("/api/v1/new-exporters/", {"regency": "00.00"}, "regency"),
    ],
)
def test_bad_input_is_400_naming_the_parameter(client, world, lpei_key, url, params, named):
    response = get(client, url, lpei_key, **params)
    assert response.status_code == 400
    assert named in response.json()


# --- numbers and formats ---------------------------------------------------------------


def test_summary_json_has_the_selector_numbers(client, world, lpei_key):
    body = get(client, SUMMARY, lpei_key).json()
    for name, value in world.expected.items():
        if isinstance(value, dict):
            assert {k: body[name][k] for k in value} == value, name
        else:
            assert body[name] == value, name
    assert body["targets"]["participants"] == 0


def _csv(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_summary_csv_and_xlsx_parse_back_to_the_json(client, world, lpei_key):
    body = get(client, SUMMARY, lpei_key).json()
    [row] = _csv(get(client, SUMMARY, lpei_key, format="csv"))
    assert int(row["applicants"]) == body["applicants"]
    assert int(row["enrollments_by_level.beginner"]) == body["enrollments_by_level"]["beginner"]
    assert row["export_value_usd"] == body["export_value_usd"]
    assert float(row["completion_rate"]) == body["completion_rate"]
    response = get(client, SUMMARY, lpei_key, format="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    head, values = [list(r) for r in sheet.iter_rows(values_only=True)]
    cells = dict(zip(head, values, strict=True))
    assert cells["new_exporters"] == body["new_exporters"]
    assert cells["export_value_idr"] == body["export_value_idr"]


def test_breakdown_csv_has_every_group(client, world, lpei_key):
    body = get(client, "/api/v1/reports/breakdown/", lpei_key, by="sector").json()
    rows = _csv(get(client, "/api/v1/reports/breakdown/", lpei_key, by="sector", format="csv"))
    assert [r["key"] for r in rows] == [r["key"] for r in body]
    assert [r["applicants"] for r in rows] == [str(r["applicants"]) for r in body]


def test_labels_give_human_headers(client, world, lpei_key):
    response = get(client, SUMMARY, lpei_key, format="csv", labels="en")
    head = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert head.startswith("applicants,selected,enterprises enrolled")
    response = get(client, SUMMARY, lpei_key, format="csv", labels="id")
    head = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert "enterprises enrolled" not in head


def test_timeseries_json_and_csv(client, world, lpei_key):
    url = "/api/v1/reports/timeseries/"
    body = get(client, url, lpei_key, metric="export_value", interval="year").json()
    assert sum(p["value"] for p in body) == world.expected["export_value_idr"]
    rows = _csv(get(client, url, lpei_key, metric="export_value", interval="year", format="csv"))
    assert sum(int(r["value"]) for r in rows) == world.expected["export_value_idr"]


def test_new_exporters_are_consenting_only_and_each_pull_is_logged(client, world, lpei_key):
    body = get(client, "/api/v1/new-exporters/", lpei_key).json()
    assert [r["enterprise_id"] for r in body["results"]] == [world.enterprises[2].pk]
    assert "count" not in body  # cursor pagination counts nothing
    pull = EnterpriseDataPull.objects.get()
    assert pull.api_key.funder.short_name == "LPEI" and pull.endpoint == "new-exporters"


def test_csv_lists_every_row_not_one_page_and_neutralises_formulas(
    client, world, lpei_key, staff_lampung
):
    for enterprise in world.enterprises:
        enterprise.data_sharing_consent_at = timezone.now()
        enterprise.name = (
            '=HYPERLINK("http://x")' if enterprise == world.enterprises[3] else enterprise.name
        )
        enterprise.save()
    paged = get(client, "/api/v1/new-exporters/", lpei_key, page_size=1).json()
    assert len(paged["results"]) == 1 and paged["next"]
    rows = _csv(get(client, "/api/v1/new-exporters/", lpei_key, page_size=1, format="csv"))
    assert len(rows) == 2
    assert '\'=HYPERLINK("http://x")' in [r["name"] for r in rows]
    response = get(client, "/api/v1/new-exporters/", lpei_key, format="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://x")' in names


def test_programs_and_cohorts_lists(client, world, lpei_key):
    programs = get(client, "/api/v1/programs/", lpei_key).json()["results"]
    assert [p["id"] for p in programs] == [world.program_lampung.pk]
    assert programs[0]["fundings"][0]["funder_short_name"] == "LPEI"
    cohorts = get(client, "/api/v1/cohorts/", lpei_key).json()["results"]
    beginner = next(c for c in cohorts if c["enrolled"] == 5)
    assert beginner["completed"] == 2 and beginner["waitlisted"] == 1
    assert beginner["attendance_rate"] == 0.5
    rows = _csv(get(client, "/api/v1/cohorts/", lpei_key, format="csv"))
    assert len(rows) == len(cohorts)


def test_the_class_list_counts_per_class_without_grouping_every_enrollment(client, world, lpei_key):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        get(client, "/api/v1/cohorts/", lpei_key)
    listed = [q["sql"] for q in queries.captured_queries if 'FROM "cohorts_cohort"' in q["sql"]]
    assert listed
    # a GROUP BY on the class would join every enrollment and repeat the attendance
    # subqueries for each of them
    assert not any('GROUP BY "cohorts_cohort"."id"' in sql for sql in listed), listed


# --- snapshots -------------------------------------------------------------------------


def test_a_snapshot_keeps_its_numbers_and_stays_with_its_funder(client, world, lpei_key, pasar_key):
    headers = {"Authorization": f"Api-Key {lpei_key}"}
    response = client.post(
        "/api/v1/snapshots/", {"name": "Semester 1", "date_to": "2099-06-30"}, headers=headers
    )
    assert response.status_code == 201, response.content
    snapshot = response.json()
    assert snapshot["data"]["applicants"] == 10
    f.EnrollmentFactory(stage=f.StageFactory(program=world.program_lampung))
    assert get(client, SUMMARY, lpei_key).json()["applicants"] == 11
    again = get(client, f"/api/v1/snapshots/{snapshot['id']}/", lpei_key).json()
    assert again["data"]["applicants"] == 10 and again["name"] == "Semester 1"
    listed = get(client, "/api/v1/snapshots/", lpei_key).json()["results"]
    assert [s["id"] for s in listed] == [snapshot["id"]]
    assert get(client, f"/api/v1/snapshots/{snapshot['id']}/", pasar_key).status_code == 404
    assert get(client, "/api/v1/snapshots/", pasar_key).json()["results"] == []


def test_a_snapshot_needs_a_name(client, world, lpei_key):
    headers = {"Authorization": f"Api-Key {lpei_key}"}
    response = client.post("/api/v1/snapshots/", {}, headers=headers)
    assert response.status_code == 400 and "name" in response.json()


# --- the contract ----------------------------------------------------------------------


def test_schema_and_docs_are_served_by_the_app(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/reports/summary/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower() and "/static/drf_spectacular_sidecar/" in html
    # the page's own script is a file too, so the Content-Security-Policy lets it run
    assert "script-src 'self'" in docs["Content-Security-Policy"]
    assert "<script>" not in html
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content


def test_every_indicator_is_described_in_the_schema(client, db):
    import yaml

    schema = yaml.safe_load(client.get("/api/schema/").content)
    fields = schema["components"]["schemas"]["Summary"]["properties"]
    for name in selectors.INDICATOR_NAMES:
        assert fields[name].get("description"), name


def test_superusers_issue_keys_in_the_admin_and_nobody_else(
    client, superuser, staff_lampung, national_viewer, funder_lpei
):
    url = "/admin/reports/funderapikey/add/"
    for user in (staff_lampung, national_viewer):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(superuser)
    response = client.post(url, {"name": "Sistem", "funder": funder_lpei.pk}, follow=True)
    assert response.status_code == 200
    api_key = FunderAPIKey.objects.get()
    assert api_key.funder == funder_lpei
    assert api_key.prefix in response.content.decode()  # the key is shown once, in the message


def test_the_api_root_lists_the_endpoints(client, lpei_key):
    body = get(client, "/api/v1/", lpei_key).json()
    assert body["summary"].endswith("/api/v1/reports/summary/")
    assert get(client, "/api/v1/").status_code == 401


def test_a_snapshot_frozen_before_an_indicator_existed_still_lists(
    client, analyst_lpei, funder_lpei
):
    """Indicators are added over time; an older snapshot shows the new ones as null."""
    from reports.models import ReportSnapshot

    ReportSnapshot.objects.create(name="Lama", funder=funder_lpei, data={"applicants": 7})
    client.force_login(analyst_lpei)
    response = client.get("/api/v1/snapshots/")
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["data"]["applicants"] == 7
    assert row["data"]["new_exporters"] is None
