"""Benchmarks, printed as ratios against a baseline measured in the same run.

Run with `make bench`. Each benchmark builds its data in a throw-away test database
(SQLite in memory unless DATABASE_URL names PostgreSQL), times the operation and its
baseline, and prints both with their ratio. Nothing here asserts a time.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

BENCHMARKS = []


def benchmark(func):
    BENCHMARKS.append(func)
    return func


def timed(func, repeat: int = 3) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


@benchmark
def enterprise_bulk_insert_with_history():
    """2,000 enterprises with history: bulk helper vs one save() per row (the baseline)."""
    from accounts import services
    from accounts.models import Enterprise, Province, TradeOffice

    province, _ = Province.objects.get_or_create(
        code_kemendagri="18",
        defaults={"code_bps": "18", "name_id": "Lampung", "name_en": "Lampung"},
    )
    office, _ = TradeOffice.objects.get_or_create(
        name="Bench office", defaults={"kind": "provincial", "province": province}
    )
    n = 2000

    def rows(tag):
        return [
            Enterprise(
                name=f"{tag} {i}", owner_name="Owner", registered_by=office, province=province
            )
            for i in range(n)
        ]

    def one_by_one():
        for enterprise in rows("single"):
            enterprise.save()

    def bulk():
        services.enterprise_bulk_create(enterprises=rows("bulk"), actor=None)

    baseline = timed(one_by_one, repeat=1)
    candidate = timed(bulk, repeat=1)
    Enterprise.objects.filter(registered_by=office).delete()
    return baseline, candidate, f"{n} rows"


def main() -> int:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"{'benchmark':45} {'baseline s':>11} {'candidate s':>12} {'speed-up':>9}")
        for bench in BENCHMARKS:
            baseline, candidate, note = bench()
            print(
                f"{bench.__name__:45} {baseline:11.3f} {candidate:12.3f} "
                f"{baseline / candidate:8.1f}x  ({note})"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
