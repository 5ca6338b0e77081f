"""The enterprise import at scale: preview and confirmed import of a spreadsheet, time and
peak memory, against a plain ``bulk_create`` of the same rows (the floor).

Sizes: 10,000 and 100,000 rows (QUICK=1: 2,000; BENCH_IMPORT_ROWS=5000,20000 for others).
Each size builds an .xlsx of new enterprises and times the preview (read + plan), the
confirm (plan again under locks, then write with one history row each) and, as the floor,
``Enterprise.objects.bulk_create`` of the same rows with no checks and no history. Memory
peaks come from tracemalloc, which runs during every measured step (floor included) so the
times compare like with like. A second preview of the same file after the import (every
row unchanged) is timed too.
"""

import io
import os
import sys
import time
import tracemalloc

from harness import QUICK, header, record, setup_django, test_database

setup_django()

SIZES = [int(n) for n in os.environ.get("BENCH_IMPORT_ROWS", "").split(",") if n] or (
    [2_000] if QUICK else [10_000, 100_000]
)


def build_file(count: int, regencies, sectors) -> bytes:
    from openpyxl import Workbook

    from office.imports import COLUMNS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("IKM")
    sheet.append([column.key for column in COLUMNS])
    for n in range(count):
        regency = regencies[n % len(regencies)]
        sheet.append(
            [
                f"{8_800_000_000_000 + n:013d}",
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


def measured(func):
    """(seconds, peak MB, result) of one traced run."""
    tracemalloc.start()
    started = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / (1024 * 1024), result


def main() -> int:
    from django.core.management import call_command
    from django.db import transaction

    from accounts.models import Enterprise, Product, Regency, Sector, TradeOffice, User
    from office import imports

    header()
    with test_database():
        call_command("seed_reference", verbosity=0)
        regencies = list(Regency.objects.select_related("province"))
        sectors = list(Sector.objects.all())
        province = regencies[0].province
        office = TradeOffice.objects.create(
            name="Bench import office", kind="provincial", province=province
        )
        actor = User.objects.create_user(email="bench-import@example.test", password="x")
        for size in SIZES:
            data = build_file(size, regencies, sectors)
            label = f"{size // 1000}k" if size >= 1000 else str(size)

            def preview(data=data):
                records = imports.read_rows(data=data, filename="bench.xlsx")
                return imports.import_plan(records=records, office=office)

            def floor(data=data):
                records = imports.read_rows(data=data, filename="bench.xlsx")
                plan = imports.import_plan(records=records, office=office)
                rows = [
                    Enterprise(registered_by=office, **row.values)
                    for row in plan.rows
                    if row.status == "new"
                ]
                # the floor is the write alone: the same rows, no checks and no history
                with transaction.atomic():
                    started = time.perf_counter()
                    tracemalloc.start()
                    Enterprise.objects.bulk_create(rows, batch_size=imports.WRITE_BATCH)
                    _c, peak = tracemalloc.get_traced_memory()
                    tracemalloc.stop()
                    seconds = time.perf_counter() - started
                    transaction.set_rollback(True)
                return seconds, peak / (1024 * 1024)

            def confirm(data=data):
                records = imports.read_rows(data=data, filename="bench.xlsx")
                return imports.import_apply(
                    records=records, office=office, actor=actor, filename="bench.xlsx"
                )

            preview_s, preview_mb, plan = measured(preview)
            assert plan.count("new") == size, plan.counts
            floor_s, floor_mb = floor()
            import_s, import_mb, result = measured(confirm)
            assert result.created == size
            again_s, again_mb, again = measured(preview)
            assert again.count("unchanged") == size, again.counts
            note = f"{size} rows, {len(data) // 1024} KB xlsx"
            record(f"import preview {label} rows", preview_s, floor_s, note=note)
            record(f"import confirm {label} rows", import_s, floor_s, note=note)
            record(f"import preview again (all unchanged) {label} rows", again_s, floor_s)
            record(
                f"import preview peak memory {label} rows",
                preview_mb,
                floor_mb,
                kind="measure",
                unit="MB",
            )
            record(
                f"import confirm peak memory {label} rows",
                import_mb,
                floor_mb,
                kind="measure",
                unit="MB",
            )
            Product.objects.filter(enterprise__registered_by=office).delete()
            Enterprise.history.filter(registered_by_id=office.pk).delete()
            Enterprise.objects.filter(registered_by=office).delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
