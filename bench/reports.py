"""The funders' reports at scale: `reports/summary/` and `reports/breakdown/?by=province`
through the API (key, DRF, serializer, JSON) against the same aggregate SQL run straight
through a database cursor, in the same run, on the same data.

100,000 enterprises (QUICK=1: 5,000) built by the demo's synthetic generator, on the
database DATABASE_URL names (PostgreSQL for the figure that counts). Ratio = API time ÷
cursor time; the target is at most 1.2. Nothing here asserts a time.
"""

import os

from harness import QUICK, header, record, setup_django, test_database, timed

setup_django()

SIZE = int(os.environ.get("BENCH_ENTERPRISES", 0)) or (5_000 if QUICK else 100_000)
TARGET = 1.2


def build(size: int):
    from django.utils import timezone

    from seeds.demo import build_demo
    from seeds.synthetic import add_synthetic_enterprises

    today = timezone.localdate()
    build_demo(today=today)
    add_synthetic_enterprises(count=size, today=today, progress=False)


def measure(client, url: str, key: str) -> tuple[float, float, int]:
    from django.db import connection

    headers = {"Authorization": f"Api-Key {key}"}

    def api():
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])

    statements = []

    def keep(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("SELECT"):
            statements.append((sql, params))
        return execute(sql, params, many, context)

    api()  # warm up; and learn the statements it runs, with their parameters
    with connection.execute_wrapper(keep):
        api()

    def cursor():
        with connection.cursor() as c:
            for sql, params in statements:
                c.execute(sql, params)
                c.fetchall()

    floor = timed(cursor, repeat=5)
    candidate = timed(api, repeat=5)
    return floor, candidate, len(statements)


def profile(client, url: str, key: str) -> None:
    import cProfile
    import pstats

    headers = {"Authorization": f"Api-Key {key}"}
    with cProfile.Profile() as prof:
        for _ in range(3):
            client.get(url, headers=headers)
    pstats.Stats(prof).sort_stats("cumulative").print_stats("reports/|psycopg/", 30)


def main() -> None:
    from django.db import connection
    from django.test import Client

    from cohorts.models import Funding
    from reports import services

    header()
    with test_database():
        build(SIZE)
        funding = Funding.objects.select_related("funder").order_by("pk").first()
        key = services.api_key_issue(funder=funding.funder, name="bench")[1]
        client = Client()
        vendor = connection.vendor
        for name, url in (
            ("summary", "/api/v1/reports/summary/"),
            ("breakdown_by_province", "/api/v1/reports/breakdown/?by=province"),
        ):
            floor, candidate, n = measure(client, url, key)
            if os.environ.get("BENCH_PROFILE"):
                profile(client, url, key)
            record(
                f"reports_{name}_{SIZE}_enterprises",
                candidate,
                floor,
                target=TARGET,
                note=f"{vendor}, {n} aggregate queries, API vs the same SQL through a cursor",
            )


if __name__ == "__main__":
    main()
