"""The staff admin at scale: each changelist's time with many enterprises ÷ its time with few.

Builds the demo and `seed_demo --enterprises` rows in a database of its own (PostgreSQL
when DATABASE_URL names it, which is what the figures are for), times each page as the
Lampung officer and as the platform admin at the small size (the floor), grows the data and
times them again. Target: at most 2× the floor. Sizes: 1,000 then 1,000,000 enterprises
(QUICK=1: 1,000 then 100,000; BENCH_ADMIN_ENTERPRISES sets the larger size). Run with
`make bench` or `python bench/admin_scale.py`.
"""

import os
import sys
import time

from harness import QUICK, header, record, setup_django, test_database, timed

setup_django()

SMALL = 1_000
LARGE = int(os.environ.get("BENCH_ADMIN_ENTERPRISES", 100_000 if QUICK else 1_000_000))
TARGET = 2.0


def pages() -> list[tuple[str, str, str]]:
    """(label, user e-mail, url) for every list timed."""
    from accounts.models import Enterprise

    sample = Enterprise.objects.filter(nib__startswith="8").order_by("pk").first()
    nib, word = sample.nib, sample.name.split()[0]
    staff, admin = "staf@lampung.naikkelas.test", "admin@naikkelas.test"
    listed = [
        ("enterprises", "/admin/accounts/enterprise/"),
        ("enterprises by NIB", f"/admin/accounts/enterprise/?q={nib}"),
        ("enterprises by name", f"/admin/accounts/enterprise/?q={word}"),
        ("enrollments", "/admin/cohorts/enrollment/"),
        ("enrollments enrolled", "/admin/cohorts/enrollment/?status__exact=enrolled"),
        ("enrollments by name", f"/admin/cohorts/enrollment/?q={word}"),
        ("requests", "/admin/certifications/case/"),
        ("requests submitted", "/admin/certifications/case/?status__exact=submitted"),
        ("exports", "/admin/cohorts/exportrecord/"),
        ("reminders", "/admin/notifications/reminder/"),
    ]
    return [
        (f"{who} {label}", email, url)
        for who, email in (("staff", staff), ("superuser", admin))
        for label, url in listed
    ]


def time_pages(client_for) -> dict[str, float]:
    times = {}
    for name, email, url in pages():
        client = client_for(email)

        def get(client=client, url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        get()  # warm templates and caches
        times[name] = timed(get, repeat=5)
    return times


def main() -> int:
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from seeds.synthetic import add_synthetic_enterprises

    header()
    with test_database():
        call_command("seed_reference", verbosity=0)
        call_command("seed_demo", verbosity=0)
        today = timezone.localdate()
        add_synthetic_enterprises(count=SMALL, today=today, progress=False)
        clients: dict[str, Client] = {}

        def client_for(email):
            if email not in clients:
                clients[email] = Client()
                clients[email].force_login(User.objects.get(email=email))
            return clients[email]

        small = time_pages(client_for)
        started = time.perf_counter()
        add_synthetic_enterprises(count=LARGE - SMALL, today=today, progress=False)
        seeded = time.perf_counter() - started
        # the budget: 100,000 enterprises (with their rows) in at most 5 minutes
        record(
            "seed_demo --enterprises, seconds per 100,000",
            seeded * 100_000 / (LARGE - SMALL),
            None,
            kind="measure",
            note=f"{LARGE - SMALL} added in {seeded:.1f} s; budget 300 s per 100,000",
        )
        large = time_pages(client_for)
        for name in small:
            record(
                f"admin {name} {LARGE // 1000}k/{SMALL // 1000}k",
                large[name],
                small[name],
                target=TARGET,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
