"""The enterprise import at scale: preview and confirmed import of a spreadsheet, time and
peak memory, against a plain ``bulk_create`` of the same rows (the floor).

Sizes: 100,000 rows (QUICK=1: 10,000; BENCH_IMPORT_ROWS=5000,20000 for others), on the
database DATABASE_URL names (a test database of its own is made and dropped). Each size
builds an .xlsx of new enterprises and times the preview (read + plan), the confirm (read,
plan again under locks, then write with one history row each) and, as the floor,
``Enterprise.objects.bulk_create`` of the same rows with no checks and no history. Issue 15
gives the preview and the confirm of 100,000 rows a budget of 120 s each; the note of each
line says whether it is kept. Peak memory is the process's resident size sampled during each
step, above what it was at the step's start (sampling costs nothing measurable, unlike
tracemalloc). A second preview of the same file after the import (every row unchanged) is
timed too.
"""

import io
import os
import sys
import threading
import time

from harness import QUICK, header, record, setup_django, test_database

setup_django()

SIZES = [int(n) for n in os.environ.get("BENCH_IMPORT_ROWS", "").split(",") if n] or (
    [10_000] if QUICK else [100_000]
)
BUDGET_SECONDS = 120  # issue 15: 100,000 rows, preview and confirm each


def build_file(count: int, regencies, sectors, first_nib: int) -> bytes:
    from openpyxl import Workbook

    from office.imports import COLUMNS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("IKM")
    sheet.append([column.key for column in COLUMNS])
    for n in range(count):
        regency = regencies[n % len(regencies)]
        sheet.append(
            [
                f"{first_nib + n:013d}",
                f"IKM Uji {n}",
                f"Pemilik {n}",
                "P" if n % 2 else "L",
                regency.province.name_id,
                regency.name_id,
                f"Jalan {n}",
                sectors[n % len(sectors)].name_id,
                "",
                f"Rp {(n % 900 + 100) * 1_000_000:,}".replace(",", "."),
                str(n % 7),
                str(n % 5),
                f"Produk {n}" if n % 3 == 0 else "",
                "09011110" if n % 3 == 0 else "",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def measured(func):
    """(seconds, peak MB above the start, result) of one run, its memory sampled meanwhile."""
    start_mb = _rss_mb()
    peak = [start_mb]
    done = threading.Event()

    def sample():
        while not done.wait(0.02):
            peak[0] = max(peak[0], _rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    return seconds, max(peak[0], _rss_mb()) - start_mb, result


def budget_note(seconds: float, rows: int) -> str:
    """Whether a step keeps the budget, scaled to the rows measured (100,000 get 120 s)."""
    budget = BUDGET_SECONDS * rows / 100_000
    verdict = "kept" if seconds <= budget else "MISSED"
    return f"budget {budget:.0f} s for {rows} rows (120 s per 100k): {verdict}"


def main() -> int:
    from django.core.management import call_command
    from django.db import connection, transaction

    from accounts.models import Enterprise, Regency, Sector, TradeOffice, User
    from office import imports

    header()
    with test_database():
        call_command("seed_reference", verbosity=0)
        regencies = list(Regency.objects.select_related("province"))
        sectors = list(Sector.objects.all())
        province = regencies[0].province
        actor = User.objects.create_user(email="bench-import@example.test", password="x")
        for number, size in enumerate(SIZES):
            # Each size imports for an office of its own, with NIBs of its own: nothing is
            # deleted between sizes (deleting 100,000 enterprises one by one through their
            # relations takes longer than the import), the database is dropped at the end.
            office = TradeOffice.objects.create(
                name=f"Bench import office {number}", kind="provincial", province=province
            )
            data = build_file(size, regencies, sectors, 8_800_000_000_000 + 10_000_000 * number)
            label = f"{size // 1000}k" if size >= 1000 else str(size)

            def preview(data=data, office=office):
                records = imports.read_rows(data=data, filename="bench.xlsx")
                return imports.import_plan(records=records, office=office)

            def floor(data=data, office=office):
                records = imports.read_rows(data=data, filename="bench.xlsx")
                plan = imports.import_plan(records=records, office=office)
                rows = [
                    Enterprise(registered_by=office, **row.values)
                    for row in plan.rows
                    if row.status == "new"
                ]
                # the floor is the write alone: the same rows, no checks and no history
                with transaction.atomic():
                    seconds, mb, _ = measured(
                        lambda: Enterprise.objects.bulk_create(rows, batch_size=imports.WRITE_BATCH)
                    )
                    transaction.set_rollback(True)
                return seconds, mb

            def confirm(data=data, office=office):
                records = imports.read_rows(data=data, filename="bench.xlsx")
                return imports.import_apply(
                    records=records, office=office, actor=actor, filename="bench.xlsx"
                )

            preview_s, preview_mb, plan = measured(preview)
            assert plan.count("new") == size, plan.counts
            del plan
            floor_s, floor_mb = floor()
            import_s, import_mb, result = measured(confirm)
            assert result.created == size
            again_s, again_mb, again = measured(preview)
            assert again.count("unchanged") == size, again.counts
            del again
            note = f"{size} rows, {len(data) // 1024} KB xlsx, {connection.vendor}"
            record(
                f"import preview {label} rows",
                preview_s,
                floor_s,
                note=f"{note}; {budget_note(preview_s, size)}",
            )
            record(
                f"import confirm {label} rows",
                import_s,
                floor_s,
                note=f"{note}; {budget_note(import_s, size)}",
            )
            record(
                f"import preview + confirm {label} rows",
                preview_s + import_s,
                floor_s,
                note=f"{note}; the sum, one budget: {budget_note(preview_s + import_s, size)}",
            )
            record(
                f"import preview again (all unchanged) {label} rows",
                again_s,
                floor_s,
                note=f"{note}; {budget_note(again_s, size)}",
            )
            record(
                f"import preview peak memory {label} rows",
                preview_mb,
                floor_mb,
                kind="measure",
                unit="MB",
                note="resident size above the start; floor: the bare bulk_create",
            )
            record(
                f"import confirm peak memory {label} rows",
                import_mb,
                floor_mb,
                kind="measure",
                unit="MB",
                note="resident size above the start; floor: the bare bulk_create",
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
