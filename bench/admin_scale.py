"""The staff admin at scale: each changelist's time with many enterprises ÷ its time with few.

Two cached PostgreSQL datasets (`harness.dataset`: the Lampung demo plus
`seed_demo --enterprises N`): 1,000 enterprises (the floor) and 1,000,000 (QUICK=1:
100,000; BENCH_ADMIN_ENTERPRISES sets it). Each list is timed as the Lampung officer and
as the platform admin on both; target: the large time at most 2× the small one. On the large
dataset every SELECT a page runs is EXPLAINed: a sequential scan of a table holding more
than 10,000 rows is reported with the page (target: none). The seed time of the large
dataset (when this run built it, or as its dump recorded it) is printed; the budget is
5 minutes for 100,000.
"""

import os
import sys

from harness import QUICK, dataset, dataset_info, header, record, setup_django, timed

setup_django()

SMALL = 1_000
LARGE = int(os.environ.get("BENCH_ADMIN_ENTERPRISES", 100_000 if QUICK else 1_000_000))
TARGET = 2.0
LARGE_TABLE = 10_000  # rows: a sequential scan of a bigger table is reported


def pages() -> list[tuple[str, str, str]]:
    """(label, user e-mail, url) for every page timed."""
    from accounts.models import Enterprise

    sample = Enterprise.objects.filter(nib__startswith="8").order_by("pk").first()
    nib, word = sample.nib, sample.name.split()[0]
    staff, admin = "staf@lampung.naikkelas.test", "admin@naikkelas.test"
    enterprises = "/admin/accounts/enterprise/"
    listed = [
        ("enterprises", enterprises),
        ("enterprises by NIB", f"/admin/accounts/enterprise/?q={nib}"),
        ("enterprises by name", f"/admin/accounts/enterprise/?q={word}"),
        ("enterprises in a regency", f"{enterprises}?regency__id__exact={sample.regency_id}"),
        ("enterprise history", f"/admin/accounts/enterprise/{sample.pk}/history/"),
        ("enrollments", "/admin/cohorts/enrollment/"),
        ("enrollments enrolled", "/admin/cohorts/enrollment/?status__exact=enrolled"),
        ("enrollments by name", f"/admin/cohorts/enrollment/?q={word}"),
        ("attendance", "/admin/cohorts/attendance/"),
        ("requests", "/admin/certifications/case/"),
        ("requests submitted", "/admin/certifications/case/?status__exact=submitted"),
        ("requests by NIB", f"/admin/certifications/case/?q={nib}"),
        ("request history", "/admin/certifications/caseevent/"),
        ("exports", "/admin/cohorts/exportrecord/"),
        ("reminders", "/admin/notifications/reminder/"),
        ("reminders failed", "/admin/notifications/reminder/?status__exact=failed"),
    ]
    return [
        (f"{who} {label}", email, url)
        for who, email in (("staff", staff), ("superuser", admin))
        for label, url in listed
    ]


def clients():
    from django.test import Client

    from accounts.models import User

    made = {}

    def client_for(email):
        if email not in made:
            made[email] = Client()
            made[email].force_login(User.objects.get(email=email))
        return made[email]

    return client_for


def time_pages(listed) -> dict[str, float]:
    client_for = clients()
    times = {}
    for name, email, url in listed:
        client = client_for(email)

        def get(client=client, url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        get()  # warm templates and caches
        times[name] = timed(get, repeat=5)
    return times


def large_tables() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples > %s", [LARGE_TABLE]
        )
        return {row[0] for row in cursor.fetchall()}


def seq_scans(listed) -> dict[str, list[str]]:
    """Per page, the large tables a SELECT of it reads by sequential scan (EXPLAIN)."""
    from django.db import connection

    big = large_tables()
    client_for = clients()
    found = {}
    for name, email, url in listed:
        statements = []

        def keep(execute, sql, params, many, context, statements=statements):
            if sql.lstrip().upper().startswith("SELECT"):
                statements.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(keep):
            client_for(email).get(url)
        tables = set()
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
                plan = cursor.fetchone()[0]
                tables |= _scanned(plan[0]["Plan"] if isinstance(plan, list) else plan) & big
        found[name] = sorted(tables)
    return found


def _scanned(node: dict) -> set[str]:
    tables = {node["Relation Name"]} if node.get("Node Type") == "Seq Scan" else set()
    for child in node.get("Plans", []):
        tables |= _scanned(child)
    return tables


def main() -> int:
    header()
    with dataset(SMALL):
        listed = pages()
        small = time_pages(listed)
    with dataset(LARGE):
        listed = pages()
        large = time_pages(listed)
        scans = seq_scans(listed)
    info = dataset_info(LARGE)
    if info.get("seed_seconds"):
        record(
            f"seed_demo --enterprises {LARGE}",
            info["seed_seconds"],
            None,
            kind="measure",
            note=f"the demo plus {LARGE:,} enterprises, built {info['built_on']}; "
            "budget 300 s at 100,000",
        )
    for name in small:
        record(
            f"admin {name} {LARGE // 1000}k/{SMALL // 1000}k",
            large[name],
            small[name],
            target=TARGET,
            note=("seq scan: " + ", ".join(scans[name])) if scans[name] else "",
        )
    flagged = {name: tables for name, tables in scans.items() if tables}
    record(
        f"admin pages with a seq scan of a large table at {LARGE // 1000}k",
        len(flagged),
        None,
        kind="measure",
        unit="pages",
        note="; ".join(f"{name}: {', '.join(t)}" for name, t in flagged.items()) or "none",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
