"""What every benchmark file shares: Django set up, a throw-away database, one result line.

One convention for every ratio:
- a time: ratio = candidate time / floor time, and the target is a ceiling (e.g. <= 1.2);
- a throughput: ratio = candidate rate / floor rate, and the target is a floor (e.g. >= 0.8);
- anything else (a count, a memory peak) is printed with its floor and no target.

Each result is printed as one line and appended to `bench/results.json` (a list of objects
with `name`, `value`, `floor`, `ratio`, `target`, `kind`, `unit`, `note`). `QUICK=1` asks
each benchmark for its small sizes only. Nothing here asserts a time.

Datasets: `dataset(size)` gives a PostgreSQL database holding the Lampung demo plus `size`
synthetic enterprises (`seed_demo --enterprises size`). The first run builds it and keeps a
`pg_dump` of it under `var/bench/` (named after the size and a hash of the seed code, so a
seed change builds a new one) plus a template database on the server; later runs copy the
template, or restore the dump when the template is gone, and apply newer migrations to it
first.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "results.json"))
QUICK = os.environ.get("QUICK", "") not in ("", "0")
DATASETS = Path(os.environ.get("BENCH_DATASETS", ROOT / "var" / "bench"))


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


def _server() -> dict:
    """The PostgreSQL server DATABASE_URL names, as libpq environment variables."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit(
            "This benchmark needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/nk_bench"
        )
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _psql(sql: str) -> str:
    done = subprocess.run(
        ["psql", "-X", "-q", "-t", "-A", "-d", "postgres", "-c", sql],
        env=_server(),
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def _fingerprint(pattern: str) -> str:
    """A hash of the files matching ``pattern`` (their paths and contents)."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob(pattern)):
        if "__pycache__" not in path.parts and path.is_file():
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _seed_fingerprint() -> str:
    return _fingerprint("seeds/**/*")


def _schema_fingerprint() -> str:
    return _fingerprint("*/migrations/*.py")


def database_url(database: str) -> str:
    """DATABASE_URL for another database on the same server (for manage.py, gunicorn, workers)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    auth = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{database}"


def _manage(database: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url(database)}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True)


def _exists(database: str) -> bool:
    return _psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'") == "1"


def _build(template: str, dump: Path, size: int) -> None:
    """Build the dataset into the template database and keep its dump and build time."""
    building = f"{template}_building"
    stale = _psql(f"SELECT datname FROM pg_database WHERE datname LIKE 'nkbench\\_{size}\\_%'")
    for name in stale.split():
        _psql(f'DROP DATABASE IF EXISTS "{name}"')
    _psql(f'DROP DATABASE IF EXISTS "{building}"')
    _psql(f'CREATE DATABASE "{building}"')
    started = time.perf_counter()
    _manage(building, "migrate", "--noinput", "-v", "0")
    _manage(building, "seed_reference", "-v", "0")
    seed_started = time.perf_counter()
    _manage(building, "seed_demo", "--enterprises", str(size), "-v", "1")
    seeded = time.perf_counter() - seed_started
    _psql(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
    dump.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pg_dump", "-Fc", "-Z", "1", "-f", str(dump), template], env=_server(), check=True
    )
    meta = {"size": size, "seed_seconds": seeded, "built_seconds": time.perf_counter() - started}
    meta["built_on"] = time.strftime("%Y-%m-%d")
    meta["schema"] = _schema_fingerprint()
    dump.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n")


def _migrate(template: str, dump: Path) -> None:
    """Bring a dataset built before the latest migrations up to them, and dump it again."""
    print(f"# migrating {template} to the current schema", file=sys.stderr)
    _manage(template, "migrate", "--noinput", "-v", "0")
    subprocess.run(
        ["pg_dump", "-Fc", "-Z", "1", "-f", str(dump), template], env=_server(), check=True
    )
    meta = dataset_info_at(dump)
    meta["schema"] = _schema_fingerprint()
    dump.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n")


def dataset_info_at(dump: Path) -> dict:
    try:
        return json.loads(dump.with_suffix(".json").read_text())
    except (OSError, ValueError):
        return {}


def dataset_info(size: int) -> dict:
    """What the cached dataset of `size` says of itself (its seed time, its date), if built."""
    return dataset_info_at(DATASETS / f"dataset-{size}-{_seed_fingerprint()}.dump")


@contextmanager
def dataset(size: int) -> Iterator[str]:
    """A copy of the demo plus `size` synthetic enterprises in a database of this run's own.

    Django's connection points at the copy inside the block, which yields its name (for
    servers started in other processes); the copy is dropped afterwards.
    """
    from django.db import connection

    fingerprint = _seed_fingerprint()
    template = f"nkbench_{size}_{fingerprint}"
    dump = DATASETS / f"dataset-{size}-{fingerprint}.dump"
    if not _exists(template):
        if dump.exists():
            print(f"# restoring {dump.name}", file=sys.stderr)
            _psql(f'CREATE DATABASE "{template}"')
            subprocess.run(
                ["pg_restore", "-j", "2", "--no-owner", "-d", template, str(dump)],
                env=_server(),
                check=True,
            )
        else:
            print(f"# building the {size:,}-enterprise dataset, then caching it", file=sys.stderr)
            _build(template, dump, size)
    if dataset_info_at(dump).get("schema") != _schema_fingerprint():
        _migrate(template, dump)
    copy = f"nkbench_run_{size}_{os.getpid()}"
    _psql(f'DROP DATABASE IF EXISTS "{copy}"')
    _psql(f'CREATE DATABASE "{copy}" TEMPLATE "{template}"')
    old_name = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = copy
    try:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        yield copy
    finally:
        connection.close()
        connection.settings_dict["NAME"] = old_name
        _psql(f'DROP DATABASE IF EXISTS "{copy}"')


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
