"""Benchmarks of the staff admin's hot paths, each against a floor measured in the same run.

Run with `make bench` (which runs this file first, then every other file under bench/).
Each benchmark builds its data in a throw-away test database (SQLite unless DATABASE_URL
names PostgreSQL) and prints its time, the floor's time and ratio = candidate / floor
(bench/harness.py). Nothing here asserts a time.
"""

import sys

from harness import header, record, reset_results, setup_django, test_database, timed

setup_django()

BENCHMARKS = []


def benchmark(target: float):
    """Register a benchmark returning (floor seconds, candidate seconds, note)."""

    def register(func):
        func.target = target
        BENCHMARKS.append(func)
        return func

    return register


@benchmark(target=0.5)
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


def _page_time(client, url: str, repeat: int = 5) -> float:
    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    get()  # warm caches (templates, content types)
    return timed(get, repeat=repeat)


@benchmark(target=1.5)
def admin_enterprise_list_30_rows_vs_1():
    """Staff's enterprise list: 30 rows against 1 row (the baseline); flat means ~1x."""
    from django.test import Client

    from tests import factories as f

    office = f.TradeOfficeFactory()
    staff = f.staff_of(office)
    client = Client()
    client.force_login(staff)
    f.EnterpriseFactory(registered_by=office)
    one = _page_time(client, "/admin/accounts/enterprise/")
    f.EnterpriseFactory.create_batch(29, registered_by=office)
    thirty = _page_time(client, "/admin/accounts/enterprise/")
    return one, thirty, "a ratio near 1.0x means the page cost does not grow with rows"


@benchmark(target=None)
def seat_admissions_locked_vs_plain_save():
    """40 admissions through the seat service (cohort lock, waiting list, intake snapshot)
    against 40 plain saves of the same status change (the floor). No target: the service
    also locks the class, checks the waiting list and writes the intake snapshot and history."""
    from cohorts.models import Enrollment
    from cohorts.services import seats
    from tests import factories as f

    office = f.TradeOfficeFactory()
    staff = f.staff_of(office)
    program = f.ProgramFactory(office=office)
    stage = f.StageFactory(program=program)

    def selected(cohort):
        return [
            f.EnrollmentFactory(
                stage=stage,
                program=program,
                status=Enrollment.Status.SELECTED,
                enterprise=f.EnterpriseFactory(registered_by=office),
            )
            for _ in range(40)
        ]

    plain_cohort, service_cohort = f.CohortFactory(stage=stage), f.CohortFactory(stage=stage)
    plain_rows, service_rows = selected(plain_cohort), selected(service_cohort)

    def plain():
        for enrollment in plain_rows:
            enrollment.cohort, enrollment.status = plain_cohort, Enrollment.Status.ENROLLED
            enrollment.save()

    def through_service():
        for enrollment in service_rows:
            seats.enrollment_admit(enrollment=enrollment, cohort=service_cohort, actor=staff)

    return timed(plain, repeat=1), timed(through_service, repeat=1), "40 admissions, 20 seats"


def main() -> int:
    reset_results()
    header()
    with test_database():
        for bench in BENCHMARKS:
            floor, candidate, note = bench()
            record(bench.__name__, candidate, floor, target=bench.target, note=note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
