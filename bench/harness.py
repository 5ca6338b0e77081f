"""What every benchmark file shares: Django set up, a throw-away database, one result line.

One convention for every ratio:
- a time: ratio = candidate time / floor time, and the target is a ceiling (e.g. <= 1.2);
- a throughput: ratio = candidate rate / floor rate, and the target is a floor (e.g. >= 0.8);
- anything else (a count, a memory peak) is printed with its floor and no target.

Each result is printed as one line and appended to `bench/results.json` (a list of objects
with `name`, `value`, `floor`, `ratio`, `target`, `kind`, `unit`, `note`). `QUICK=1` asks
each benchmark for its small sizes only. Nothing here asserts a time.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "results.json"))
QUICK = os.environ.get("QUICK", "") not in ("", "0")


def setup_django() -> None:
    """Import Django with the project's settings (DEBUG on unless the caller says otherwise)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("STAFF_TWO_FACTOR_REQUIRED", "0")
    import django

    django.setup()


@contextmanager
def test_database() -> Iterator[None]:
    """A database of this run's own (test_<name>), dropped afterwards."""
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def timed(func: Callable[[], object], repeat: int = 3) -> float:
    """The median of `repeat` runs, in seconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _load() -> list[dict]:
    try:
        return json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        return []


def reset_results() -> None:
    """Start a new run's results file (bench/run.py calls this once per `make bench`)."""
    RESULTS.write_text("[]\n")


def record(
    name: str,
    value: float,
    floor: float | None,
    *,
    kind: str = "time",
    target: float | None = None,
    unit: str = "s",
    note: str = "",
) -> dict:
    """Print one result line and append it to bench/results.json.

    kind "time": ratio = value / floor, target a ceiling; kind "throughput": ratio =
    value / floor, target a floor; kind "measure": ratio printed when a floor is given.
    """
    ratio = (value / floor) if floor else None
    result = {
        "name": name,
        "value": round(value, 6),
        "floor": round(floor, 6) if floor is not None else None,
        "ratio": round(ratio, 3) if ratio is not None else None,
        "target": target,
        "kind": kind,
        "unit": unit,
        "note": note,
    }
    verdict = ""
    if target is not None:
        upward = kind == "throughput"
        met = ratio is not None and (ratio >= target if upward else ratio <= target)
        verdict = f"target {'>=' if upward else '<='} {target}  {'ok' if met else 'MISSED'}"
    floor_text = f"{floor:12.4f}" if floor is not None else f"{'-':>12}"
    ratio_text = f"{ratio:8.2f}" if ratio is not None else f"{'-':>8}"
    print(f"{name:52} {value:12.4f} {unit:5} {floor_text} {ratio_text}  {verdict}  {note}".rstrip())
    results = _load()
    results.append(result)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return result


def header() -> None:
    print(f"{'benchmark':52} {'value':>12} {'unit':5} {'floor':>12} {'ratio':>8}  target")
