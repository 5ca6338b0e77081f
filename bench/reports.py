"""The funders' reports at scale, through the API (key, DRF, serializer, JSON), against the
same aggregate SQL run straight through a database cursor, in the same run, on the same data.

Two figures per report:
- served: what a caller gets, from the summary tables (`reports.summaries`: a report is
  computed once, recomputed by beat, never older than REPORT_SUMMARY_MAX_AGE) — the target,
  at most 1.2× the floor;
- live: the report computed from every row for each request (the first caller's cost and
  beat's), printed against the same floor without a target.

The floor is every SELECT the live request runs, replayed through a cursor. Data: the cached
dataset of the demo plus 100,000 enterprises (QUICK=1 too) and 1,000,000 (not with QUICK),
on the PostgreSQL server DATABASE_URL names (`harness.dataset`).
"""

import os

from harness import QUICK, dataset, header, record, setup_django, timed

setup_django()

SIZES = [int(os.environ["BENCH_ENTERPRISES"])] if os.environ.get("BENCH_ENTERPRISES") else (
    [100_000] if QUICK else [100_000, 1_000_000]
)  # fmt: skip
TARGET = 1.2
REPORTS = (
    ("summary", "/api/v1/reports/summary/"),
    ("breakdown_by_province", "/api/v1/reports/breakdown/?by=province"),
    ("breakdown_by_sector", "/api/v1/reports/breakdown/?by=sector"),
    ("timeseries_monthly", "/api/v1/reports/timeseries/?metric=enrollments&interval=month"),
)  # fmt: skip


def measure(client, url: str, key: str) -> tuple[float, float, float, int]:
    from django.db import connection

    from reports.models import ReportSummary

    headers = {"Authorization": f"Api-Key {key}"}

    def api():
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])

    def live():
        ReportSummary.objects.all().delete()
        api()

    statements = []

    def keep(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("SELECT") and "reports_reportsummary" not in sql:
            statements.append((sql, params))
        return execute(sql, params, many, context)

    live()  # warm up
    ReportSummary.objects.all().delete()
    with connection.execute_wrapper(keep):
        api()  # learn the statements a live request runs, with their parameters

    def cursor():
        with connection.cursor() as c:
            for sql, params in statements:
                c.execute(sql, params)
                c.fetchall()

    floor = timed(cursor, repeat=5)
    computed = timed(live, repeat=5)
    api()
    served = timed(api, repeat=9)
    return floor, served, computed, len(statements)


def main() -> None:
    from django.db import connection
    from django.test import Client

    from cohorts.models import Funding, Program
    from reports import services
    from seeds.synthetic import SYNTHETIC_PROGRAM_PREFIX

    header()
    for size in SIZES:
        with dataset(size):
            # The funder of the Lampung demo also funds the synthetic programme, so its reports
            # read every synthetic enterprise.
            funder = Funding.objects.select_related("funder").order_by("pk").first().funder
            for program in Program.objects.filter(name__startswith=SYNTHETIC_PROGRAM_PREFIX):
                Funding.objects.get_or_create(program=program, funder=funder)
            key = services.api_key_issue(funder=funder, name="bench")[1]
            client = Client()
            for name, url in REPORTS:
                floor, served, computed, n = measure(client, url, key)
                common = f"{connection.vendor}, {n} queries replayed through a cursor"
                record(
                    f"reports_{name}_{size}_enterprises",
                    served,
                    floor,
                    target=TARGET,
                    note=f"{common}; served from the summary tables (at most 15 minutes old)",
                )
                record(
                    f"reports_{name}_{size}_enterprises_live",
                    computed,
                    floor,
                    note=f"{common}; computed from every row (first read, beat)",
                )


if __name__ == "__main__":
    main()
